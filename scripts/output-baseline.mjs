#!/usr/bin/env node
/**
 * Old-vs-new output comparison (issue #13): the CLI's output for every built-in
 * profile, every fixture, every example, every Istio release the generator knows,
 * `--scenario all`, a matrix of flows, and every format, compared with the output
 * of the code before #13's semantic changes (commit 0edc235).
 *
 *   node scripts/output-baseline.mjs                 compare dist/ with the stored baseline
 *   node scripts/output-baseline.mjs --update        (or UPDATE_BASELINE=1) store dist/'s outputs as the baseline
 *   node scripts/output-baseline.mjs --against REF   build REF in a throwaway worktree under /tmp and print
 *                                                    real diffs, REF's output against dist/'s
 *   … --only TEXT                                    only the cases whose id contains TEXT
 *
 * The script runs the built CLI (dist/; `npx tsc -p tsconfig.json` first) in-process;
 * test/cli/output-baseline.test.ts runs the same cases through src/. The baseline is data
 * (test/data/output-baseline/): manifest.json holds each case's exit code and sha256,
 * paths.json.gz the full `--format path` outputs, so a changed path reads as a diff
 * without a second checkout. A change is allowed only if expected-changes.json lists
 * the case with one of the kernel disagreement classes below.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

export const ROOT = resolve(import.meta.dirname, '..');
export const DATA = 'test/data/output-baseline';
const FLOWS = `${DATA}/flows.jsonl`;

/** The kernel disagreements of #13 a listed change may cite (issue #13, "Random rule sets show…"). */
export const CHANGE_CLASSES = {
  'conntrack-in-raw': 'conntrack, state and connmark matches in raw run before conntrack attaches an entry (-300 < -200)',
  'reroute-after-nat-output': 're-routing after nat OUTPUT: a changed destination is routed again; route_localnet drops 127/8 sources on other devices',
  'handshake-reply': "the handshake's reply runs through the hooks before a proxy opens its next hop",
  'hook-refusal': 'a target or match outside its hooks or tables is refused at load, as iptables-restore refuses it',
};

const FORMATS = ['table', 'path', 'json', 'yaml', 'jsonl', 'mermaid', 'dot'];

/** Files under test/fixtures that are not rule inputs: companions of other cases (identity files, ipsets, manifests, check files). */
const NOT_RULES = [/^identity\/(SOURCES\.md|passwd|group(-bad)?)$/, /^inputs\/ipset\/(list\.txt|kube-proxy-ipvs\.save)$/, /^manifests\//, /\.yaml$/];

/** Istio releases traced as generated sources: one per layout and the edges of the known range (all of them get `rules`). */
const TRACED_RELEASES = ['1.5', '1.9', '1.10', '1.13', '1.18', '1.23', '1.24', '1.25', '1.31'];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** The releases the generator knew at the baseline (1.5 … 1.31): a fixed list, so the case list stays the baseline's. */
const KNOWN_MINORS = Array.from({ length: 31 - 5 + 1 }, (_, i) => 5 + i);

/**
 * Every case, in a fixed order: { id, args }. The id is the argument list as typed, so a
 * failure names the command to run by hand.
 */
export function listCases(root = ROOT) {
  const cases = [];
  const add = (args) => cases.push({ id: args.join(' '), args });
  // `--scenario all` in every format; the flow matrix (253 flows) in json and path only (time budget:
  // its table and yaml forms cost ~0.5-1 s per source and are drawn from the same trace).
  const traced = (source) => {
    for (const f of FORMATS) add([...source, '--scenario', 'all', '--format', f, '--no-color']);
    for (const f of ['json', 'path']) add([...source, '--flows', FLOWS, '--format', f, '--no-color']);
  };

  add(['--list-profiles']);
  traced([]); // the default source
  const profiles = readdirSync(join(root, 'rules')).filter((n) => n.endsWith('.rules')).map((n) => n.slice(0, -'.rules'.length)).sort();
  for (const p of profiles) {
    traced(['--profile', p]);
    add(['rules', '--profile', p]);
  }

  const fixtures = walk(join(root, 'test/fixtures')).map((p) => relative(join(root, 'test/fixtures'), p)).filter((p) => !NOT_RULES.some((re) => re.test(p)));
  for (const f of fixtures) {
    const file = `test/fixtures/${f}`;
    traced(['--rules', file]);
    add(['rules', '--rules', file]);
  }
  // Fixtures that need their companions.
  traced(['--rules', 'test/fixtures/identity/owner-names.rules', '--passwd-file', 'test/fixtures/identity/passwd', '--group-file', 'test/fixtures/identity/group']);
  traced(['--rules', 'test/fixtures/inputs/ipset/node-ipvs.rules', '--ipset', 'test/fixtures/inputs/ipset/kube-proxy-ipvs.save']);
  for (const m of readdirSync(join(root, 'test/fixtures/manifests')).sort()) {
    traced(['--pod', `test/fixtures/manifests/${m}`]);
    add(['rules', '--pod', `test/fixtures/manifests/${m}`]);
  }
  add(['check', 'test/fixtures/terminal/escape-sequences-check.yaml', '--no-color']);

  // Examples.
  for (const f of ['table', 'json', 'yaml']) add(['check', 'examples/expectations.yaml', '--format', f, '--no-color']);
  traced(['--pod', 'examples/reviews-pod.yaml']);
  add(['rules', '--pod', 'examples/reviews-pod.yaml']);
  add(['rules', '--pod', 'examples/reviews-pod.yaml', '--format', 'restore']);

  // Generated rule sets: every known release as rules, a layout's worth traced, and the modes.
  for (const m of KNOWN_MINORS) {
    add(['rules', '--istio-version', `1.${m}`]);
    add(['rules', '--istio-version', `1.${m}`, '--format', 'restore']);
  }
  for (const v of TRACED_RELEASES) traced(['--istio-version', v]);
  for (const v of ['1.13', '1.25']) {
    traced(['--istio-version', v, '--interception-mode', 'TPROXY']);
    traced(['--istio-version', v, '--installer', 'cni']);
    traced(['--istio-version', v, '--annotation', 'proxy.istio.io/config={"proxyMetadata":{"ISTIO_META_DNS_CAPTURE":"true"}}']);
  }

  // diff, as the README shows it.
  for (const f of ['table', 'json']) add(['diff', 'profile:istio-1.13', 'profile:istio-1.25', '--format', f, '--no-color']);
  return cases;
}

/**
 * A runner over one CLI: `run(argv, io)` and the input reader of the same checkout.
 * Relative paths resolve against `root`, so the output (which names files as given) does
 * not depend on the process's directory.
 */
export function cliRunner({ run, readChunks, boundedChunks }, root = ROOT) {
  const at = (p) => resolve(root, p);
  return async (args) => {
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      readFile: (p) => readFileSync(at(p)),
      readStdin: () => Buffer.alloc(0),
      readInput: (p, what, label, max) => (p === '-' ? boundedChunks([Buffer.alloc(0)], label, max) : readChunks(at(p), what, label, max)),
      stdoutIsTTY: false,
      stderrIsTTY: false,
      env: {},
      rulesDir: join(root, 'rules'),
      listDir: (p) => readdirSync(at(p)),
    };
    const code = await run(args, io);
    return { code, stdout, stderr };
  };
}

/** One case's fingerprint: exit code, stdout and stderr. */
export function fingerprint(r) {
  return createHash('sha256').update(`${r.code}\0${r.stdout}\0${r.stderr}`).digest('hex');
}

export async function runCases(cases, runner) {
  const results = new Map();
  for (const c of cases) results.set(c.id, await runner(c.args));
  return results;
}

export function isPathCase(id) {
  return / --format path( |$)/.test(id);
}

export function readBaseline(root = ROOT) {
  const manifest = JSON.parse(readFileSync(join(root, DATA, 'manifest.json'), 'utf8'));
  const paths = JSON.parse(gunzipSync(readFileSync(join(root, DATA, 'paths.json.gz'))).toString('utf8'));
  const expected = JSON.parse(readFileSync(join(root, DATA, 'expected-changes.json'), 'utf8'));
  return { manifest, paths, expected };
}

export function writeBaseline(results, baselineRef, root = ROOT) {
  const cases = {};
  const paths = {};
  for (const [id, r] of results) {
    cases[id] = { code: r.code, sha256: fingerprint(r) };
    if (isPathCase(id)) paths[id] = r.stdout;
  }
  const manifest = { baseline: baselineRef, note: 'written by scripts/output-baseline.mjs --update; do not edit by hand', cases };
  writeFileSync(join(root, DATA, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  writeFileSync(join(root, DATA, 'paths.json.gz'), gzipSync(Buffer.from(JSON.stringify(paths)), { level: 9 }));
}

const globRe = (pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** The listed change that covers a case, if any (`case` may use `*`). */
export function listedChange(expected, id) {
  return expected.changes.find((c) => globRe(c.case).test(id));
}

/** Check expected-changes.json itself: every entry names a known class and says why. */
export function expectedProblems(expected) {
  const problems = [];
  for (const c of expected.changes) {
    if (!(c.class in CHANGE_CLASSES)) problems.push(`${c.case}: unknown class "${c.class}" (expected one of ${Object.keys(CHANGE_CLASSES).join(', ')})`);
    if (typeof c.why !== 'string' || c.why.trim() === '') problems.push(`${c.case}: no "why"`);
  }
  return problems;
}

/**
 * Compare current results with the baseline: { changed: [{ id, listed, before, after }],
 * missing: ids in the baseline the case list (`ids`) no longer has, added: cases of the list
 * the baseline does not have (not run: a new input is reported, not compared).
 * A listed change with a `sha256` must have exactly that new output.
 */
export function compare(baseline, results, ids = [...results.keys()]) {
  const changed = [];
  for (const [id, r] of results) {
    const before = baseline.manifest.cases[id];
    if (!before) continue;
    const sha = fingerprint(r);
    if (sha === before.sha256) continue;
    const listed = listedChange(baseline.expected, id);
    const ok = listed !== undefined && (listed.sha256 === undefined || listed.sha256 === sha);
    changed.push({ id, listed: ok ? listed : undefined, codeBefore: before.code, codeAfter: r.code, sha256: sha });
  }
  const listed = new Set(ids);
  const missing = Object.keys(baseline.manifest.cases).filter((id) => !listed.has(id));
  const added = ids.filter((id) => !(id in baseline.manifest.cases));
  return { changed, missing, added };
}

/** A unified diff of two texts (git diff --no-index), at most `max` lines. */
export function textDiff(a, b, max = 80) {
  const dir = mkdtempSync(join(tmpdir(), 'output-baseline-'));
  try {
    writeFileSync(join(dir, 'before'), a);
    writeFileSync(join(dir, 'after'), b);
    let out = '';
    try {
      execFileSync('git', ['diff', '--no-index', '--no-color', '-U2', 'before', 'after'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
    } catch (e) {
      out = String(e.stdout ?? '');
    }
    const lines = out.split('\n').slice(4); // drop the diff --git / index / --- / +++ header
    return lines.length > max ? [...lines.slice(0, max), `… ${lines.length - max} more diff lines`].join('\n') : lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A readable report; ok is false when a change is not listed, or a baseline case is gone. */
export function report(baseline, results, cmp) {
  const lines = [];
  const unlisted = cmp.changed.filter((c) => !c.listed);
  for (const c of cmp.changed) {
    const code = c.codeBefore === c.codeAfter ? '' : ` (exit ${c.codeBefore} -> ${c.codeAfter})`;
    lines.push(`${c.listed ? 'changed, listed' : 'CHANGED, NOT LISTED'}: ${c.id}${code}${c.listed ? ` [${c.listed.class}: ${c.listed.why}]` : ` (now sha256 ${c.sha256})`}`);
    const before = baseline.paths[c.id];
    if (before !== undefined && !c.listed) lines.push(textDiff(before, results.get(c.id).stdout).replace(/^/gm, '    '));
  }
  for (const id of cmp.missing) lines.push(`GONE: ${id} (in the baseline, no longer a case: an input was removed or renamed)`);
  if (cmp.added.length > 0) lines.push(`new, not in the baseline (${cmp.added.length}): ${cmp.added.slice(0, 5).join('; ')}${cmp.added.length > 5 ? '; …' : ''}`);
  const stale = baseline.expected.changes.filter((e) => !cmp.changed.some((c) => c.listed === e));
  for (const e of stale) lines.push(`listed but unchanged: ${e.case}`);
  for (const p of expectedProblems(baseline.expected)) lines.push(`expected-changes.json: ${p}`);
  if (unlisted.length > 0) lines.push(`for real diffs: npx tsc -p tsconfig.json && node scripts/output-baseline.mjs --against ${baseline.manifest.baseline} --only 'CASE TEXT'`);
  const same = results.size - cmp.changed.length;
  lines.push(`${results.size} cases: ${same} identical, ${cmp.changed.length - unlisted.length} changed and listed, ${unlisted.length} changed and not listed, ${cmp.missing.length} gone, ${cmp.added.length} new`);
  return { text: lines.join('\n'), ok: unlisted.length === 0 && cmp.missing.length === 0 && expectedProblems(baseline.expected).length === 0 };
}

/** The CLI modules of a built checkout (its dist/). */
export async function builtCli(root) {
  const url = (p) => pathToFileURL(join(root, 'dist', p)).href;
  const { run } = await import(url('cli/run.js'));
  const { readChunks, boundedChunks } = await import(url('cli/input-reader.js'));
  return { run, readChunks, boundedChunks };
}

/** Build REF in a throwaway worktree under /tmp (sharing this checkout's node_modules); returns its path. */
function buildRef(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-trace-ref-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: dir, stdio: 'inherit' });
  return dir;
}

async function main(argv) {
  const flag = (name) => argv.includes(name);
  const value = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const only = value('--only');
  if (!existsSync(join(ROOT, 'dist/cli/run.js'))) throw new Error('no dist/: run `npx tsc -p tsconfig.json` first');
  const cases = listCases().filter((c) => only === undefined || c.id.includes(only));
  const update = flag('--update') || process.env.UPDATE_BASELINE === '1';
  // Comparing with the stored baseline runs its cases only; --update and --against run every case.
  const known = update || value('--against') !== undefined ? undefined : new Set(Object.keys(readBaseline().manifest.cases));
  const current = await runCases(known ? cases.filter((c) => known.has(c.id)) : cases, cliRunner(await builtCli(ROOT)));

  if (update) {
    if (only !== undefined) throw new Error('--update writes every case: leave out --only');
    const ref = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    writeBaseline(current, ref);
    console.log(`wrote ${current.size} cases to ${DATA} (outputs of HEAD ${ref} plus the working tree)`);
    return 0;
  }

  const ref = value('--against');
  if (ref !== undefined) {
    const dir = buildRef(ref);
    try {
      // The same inputs (this checkout's files) through the other checkout's code.
      const before = await runCases(cases, cliRunner(await builtCli(dir), ROOT));
      const expected = JSON.parse(readFileSync(join(ROOT, DATA, 'expected-changes.json'), 'utf8'));
      let unlisted = 0;
      for (const c of cases) {
        const a = before.get(c.id);
        const b = current.get(c.id);
        if (fingerprint(a) === fingerprint(b)) continue;
        const listed = listedChange(expected, c.id);
        if (!listed) unlisted++;
        console.log(`${listed ? `changed, listed [${listed.class}]` : 'CHANGED, NOT LISTED'}: ${c.id}${a.code === b.code ? '' : ` (exit ${a.code} -> ${b.code})`}`);
        if (a.stdout !== b.stdout) console.log(textDiff(a.stdout, b.stdout).replace(/^/gm, '    '));
        if (a.stderr !== b.stderr) console.log(textDiff(a.stderr, b.stderr).replace(/^/gm, '    stderr '));
      }
      console.log(`${cases.length} cases against ${ref}: ${unlisted} changed and not listed`);
      return unlisted === 0 ? 0 : 1;
    } finally {
      execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT });
    }
  }

  const baseline = readBaseline();
  const cmp = compare(baseline, current, cases.map((c) => c.id));
  if (only !== undefined) cmp.missing = [];
  const r = report(baseline, current, cmp);
  console.log(r.text);
  return r.ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`output-baseline: ${e.message}`);
      process.exit(2);
    },
  );
}
