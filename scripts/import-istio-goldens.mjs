#!/usr/bin/env node
/**
 * Re-imports Istio's own iptables golden files into test/data/istio-goldens/
 * from a local git snapshot of istio/istio (the `fetch github:istio/istio`
 * mirror, or any clone with the tags):
 *
 *   node scripts/import-istio-goldens.mjs /work/.mirror/istio+istio/repo [TAG…]
 *
 * For each tag it copies the golden files byte for byte and writes
 * manifest.json: each file's source path, the tag and its commit, and the test
 * configuration that produced it, read as *facts* (field = value) from the test
 * that owns the golden at that tag: tools/istio-iptables/pkg/capture/run_test.go,
 * cni/pkg/plugin/plugin_dryrun_test.go, or the flags in 1.5's
 * tests/scripts/istio-iptables-test.sh. No Istio code is copied.
 *
 * Which goldens the generator cannot express, and why, is written by hand into
 * the manifests (`notExpressible` on a file or a case, `notRuleSet` on a file
 * that is no rule set); a re-import keeps those fields.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DEFAULT_TAGS = ['1.5.0', '1.10.0', '1.13.0', '1.18.0', '1.22.0', '1.25.0', '1.26.0', '1.27.0', '1.28.0', '1.29.0', '1.30.0', '1.31.0', '1.31.0-rc.0'];
const OUT = join(import.meta.dirname, '..', 'test', 'data', 'istio-goldens');

/** Source directories, the short name each gets under a tag, and the test that owns its goldens. */
const SOURCES = [
  { key: 'capture', dir: 'tools/istio-iptables/pkg/capture/testdata', test: 'tools/istio-iptables/pkg/capture/run_test.go', read: captureCases },
  { key: 'cni-plugin', dir: 'cni/pkg/plugin/testdata', test: 'cni/pkg/plugin/plugin_dryrun_test.go', read: cniCases },
  { key: 'scripts', dir: 'tests/scripts/testdata/golang', test: 'tests/scripts/istio-iptables-test.sh', read: scriptCases },
];

/** Go constants the tests use as values, as the value they stand for at these tags. */
const GO_CONSTANTS = {
  'constants.DefaultProxyUID': '1337',
  'constants.TPROXY': 'TPROXY',
  'constants.OwnerGroupsInclude.DefaultValue': '*',
  'constants.HostIPv4LoopbackCidr.DefaultValue': '127.0.0.1/32',
  redirectModeTPROXY: 'TPROXY',
};

/** istio.io/api annotation constants -> the annotation key. */
const ANNOTATIONS = {
  SidecarStatus: 'sidecar.istio.io/status',
  SidecarInterceptionMode: 'sidecar.istio.io/interceptionMode',
  SidecarTrafficIncludeOutboundIPRanges: 'traffic.sidecar.istio.io/includeOutboundIPRanges',
  SidecarTrafficExcludeOutboundIPRanges: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
  SidecarTrafficIncludeInboundPorts: 'traffic.sidecar.istio.io/includeInboundPorts',
  SidecarTrafficExcludeInboundPorts: 'traffic.sidecar.istio.io/excludeInboundPorts',
  SidecarTrafficExcludeOutboundPorts: 'traffic.sidecar.istio.io/excludeOutboundPorts',
  SidecarTrafficIncludeOutboundPorts: 'traffic.sidecar.istio.io/includeOutboundPorts',
  SidecarTrafficKubevirtInterfaces: 'traffic.sidecar.istio.io/kubevirtInterfaces',
  SidecarStatusPort: 'status.sidecar.istio.io/port',
};

/** Proxy environment constants -> the variable name. */
const ENV_NAMES = {
  'options.DNSCaptureByAgent.Name': 'ISTIO_META_DNS_CAPTURE',
  'cmd.InvalidDropByIptables.Name': 'INVALID_DROP',
  'cmd.InvalidDropByIptables': 'INVALID_DROP',
};

function git(gitDir, ...args) {
  return execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
function tryGit(gitDir, ...args) {
  try {
    return execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return null;
  }
}

function goValue(raw) {
  const v = raw.trim().replace(/,$/, '');
  let m = /^"(.*)"$/.exec(v);
  if (m) return m[1];
  if (v === 'true' || v === 'false') return v === 'true';
  m = /^\[\]string\{(.*)\}$/.exec(v);
  if (m) return [...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
  if (v in GO_CONSTANTS) return GO_CONSTANTS[v];
  throw new Error(`unknown Go value ${v}`);
}

/** capture/run_test.go: constructTestConfig's fields, then each case's `cfg.Field = value` lines. */
function captureCases(text) {
  const base = {};
  const ctor = /func constructTestConfig\(\) \*config\.Config \{([\s\S]*?)\n\}/.exec(text);
  if (!ctor) throw new Error('constructTestConfig not found');
  for (const m of ctor[1].matchAll(/^\s*(\w+):\s*(.+)$/gm)) base[m[1]] = goValue(m[2]);
  const cases = [];
  // A case is a quoted name on its own line followed by func(cfg *config.Config) { … }.
  const re = /^\s*"([a-z0-9-]+)",\s*\n\s*func\(cfg \*config\.Config\) \{([\s\S]*?)\n\s*\},?\s*\n/gm;
  for (const m of text.matchAll(re)) {
    const set = {};
    for (const a of m[2].matchAll(/^\s*cfg\.(\w+)\s*=\s*(.+)$/gm)) set[a[1]] = goValue(a[2]);
    cases.push({ golden: `${m[1]}.golden`, test: m[1], config: { ...base, ...set } });
  }
  return cases;
}

/** cni plugin_dryrun_test.go: each case's name, pod annotations, proxy env and runAsUser/runAsGroup. */
function cniCases(text) {
  const ints = {};
  for (const m of text.matchAll(/^\s*(\w+)\s*:=\s*int64\((\d+)\)/gm)) ints[m[1]] = Number(m[2]);
  const cases = [];
  const parts = text.split(/\n\s*\{\s*\n\s*name:\s*/).slice(1);
  for (const p of parts) {
    const name = /^"([^"]+)"/.exec(p)?.[1];
    const golden = /testdata\/([\w.-]+\.golden)"/.exec(p)?.[1];
    if (!name || !golden) continue;
    const body = p.slice(0, p.indexOf(golden));
    const annotations = {};
    for (const a of body.matchAll(/annotation\.(\w+)\.Name:\s*("[^"]*"|\w+)/g)) {
      if (!(a[1] in ANNOTATIONS)) throw new Error(`unknown annotation constant ${a[1]}`);
      annotations[ANNOTATIONS[a[1]]] = String(goValue(a[2]));
    }
    const env = {};
    for (const e of body.matchAll(/\{Name:\s*([\w.]+),\s*Value:\s*"([^"]*)"\}/g)) env[ENV_NAMES[e[1]] ?? e[1]] = e[2];
    for (const e of body.matchAll(/(options\.\w+\.Name|cmd\.\w+(?:\.Name)?):\s*"([^"]*)"/g)) env[ENV_NAMES[e[1]] ?? e[1]] = e[2];
    const config = { annotations, proxyEnv: env };
    const uid = /customUID:\s*&(\w+)/.exec(body)?.[1];
    const gid = /customGID:\s*&(\w+)/.exec(body)?.[1];
    if (uid) config.runAsUser = uid === 'zero' ? 0 : ints[uid];
    if (gid) config.runAsGroup = gid === 'zero' ? 0 : ints[gid];
    cases.push({ golden, test: name, config });
  }
  return cases;
}

/** 1.5 tests/scripts/istio-iptables-test.sh: `compareWithGolden NAME "${TEST_MODE}" "FLAGS"` (commented lines are not run). */
function scriptCases(text) {
  const cases = [];
  for (const m of text.matchAll(/^\s*compareWithGolden (\w+) "\$\{TEST_MODE\}"(?: "([^"]*)")?/gm)) {
    cases.push({ golden: `${m[1]}_golden.txt`, test: m[1], config: { flags: m[2] ?? '' } });
  }
  return cases;
}

/**
 * 1.6-1.11 kept expectations as Go string literals in tools/istio-iptables/pkg/cmd/run_test.go.
 * The tests that run the whole configurator (`iptConfigurator.run()`) and compare BuildV4()
 * with a non-empty `expected := []string{…}` are whole rule sets: their strings become a
 * golden file (one command a line), their `cfg.X = v` lines the configuration.
 */
const GO_LITERAL_TEST = 'tools/istio-iptables/pkg/cmd/run_test.go';
function goLiteralCases(text) {
  const base = {};
  const ctor = /func constructTestConfig\(\) \*config\.Config \{([\s\S]*?)\n\}/.exec(text);
  if (!ctor) return [];
  for (const m of ctor[1].matchAll(/^\s*(\w+):\s*(.+)$/gm)) base[m[1]] = goValue(m[2]);
  const cases = [];
  for (const m of text.matchAll(/^func (Test\w+)\(t \*testing\.T\) \{\n([\s\S]*?)\n\}/gm)) {
    const body = m[2];
    if (!body.includes('iptConfigurator.run()') || !/actual := FormatIptablesCommands\(iptConfigurator\.iptables\.BuildV4\(\)\)/.test(body)) continue;
    const lit = /expected := \[\]string\{([\s\S]*?)\n\s*\}/.exec(body);
    const lines = lit ? [...lit[1].matchAll(/^\s*("(?:[^"\\]|\\.)*"),?\s*$/gm)].map((x) => JSON.parse(x[1])) : [];
    if (lines.length === 0) continue;
    const set = {};
    for (const a of body.matchAll(/^\s*(?:iptConfigurator\.)?cfg\.(\w+)\s*=\s*(.+)$/gm)) set[a[1]] = goValue(a[2]);
    cases.push({ golden: `${m[1]}.golden`, test: m[1], config: { ...base, ...set }, data: `${lines.join('\n')}\n` });
  }
  return cases;
}

/** The hand-written fields of an existing manifest, by file and by file#case, to carry over. */
const KEPT = ['notExpressible', 'notRuleSet'];
function handFields(tagDir) {
  const kept = new Map();
  if (!existsSync(join(tagDir, 'manifest.json'))) return kept;
  const old = JSON.parse(readFileSync(join(tagDir, 'manifest.json'), 'utf8'));
  const pick = (o) => Object.fromEntries(KEPT.filter((k) => k in o).map((k) => [k, o[k]]));
  for (const f of old.files) {
    kept.set(f.file, pick(f));
    for (const c of f.cases) kept.set(`${f.file}#${c.test}`, pick(c));
  }
  return kept;
}

function importTag(gitDir, tag) {
  const commit = tryGit(gitDir, 'rev-list', '-n1', tag)?.trim();
  const tagDir = join(OUT, tag);
  const kept = handFields(tagDir);
  rmSync(tagDir, { recursive: true, force: true });
  if (!commit) return { tag, missing: true };
  const manifest = { tag, commit, sources: [], files: [], notes: [] };
  for (const src of SOURCES) {
    const names = (tryGit(gitDir, 'ls-tree', '--name-only', `${tag}:${src.dir}`) ?? '').split('\n').filter(Boolean).sort();
    if (names.length === 0) continue;
    const testText = tryGit(gitDir, 'show', `${tag}:${src.test}`);
    const cases = testText ? src.read(testText) : [];
    manifest.sources.push({ dir: src.key, path: src.dir, test: src.test });
    for (const name of names) {
      const data = git(gitDir, 'show', `${tag}:${src.dir}/${name}`);
      mkdirSync(join(tagDir, src.key), { recursive: true });
      writeFileSync(join(tagDir, src.key, name), data);
      const mine = cases.filter((c) => c.golden === name).map(({ test, config }) => ({ test, config }));
      manifest.files.push({ file: `${src.key}/${name}`, source: `${src.dir}/${name}`, cases: mine });
    }
  }
  if (manifest.files.length === 0) manifest.notes.push('no golden files at this tag in any of: ' + SOURCES.map((s) => s.dir).join(', '));
  const goText = tryGit(gitDir, 'show', `${tag}:${GO_LITERAL_TEST}`);
  if (goText !== null) {
    const cases = goLiteralCases(goText);
    manifest.sources.push({ dir: 'cmd-run-test', path: GO_LITERAL_TEST, test: GO_LITERAL_TEST });
    for (const c of cases) {
      mkdirSync(join(tagDir, 'cmd-run-test'), { recursive: true });
      writeFileSync(join(tagDir, 'cmd-run-test', c.golden), c.data);
      manifest.files.push({ file: `cmd-run-test/${c.golden}`, source: `${GO_LITERAL_TEST} ${c.test} (expected := []string{…})`, cases: [{ test: c.test, config: c.config }] });
    }
    manifest.notes.push(
      `expectations are Go string literals in ${GO_LITERAL_TEST}; the ${cases.length} tests that run the whole configurator and compare its IPv4 commands are imported as cmd-run-test/*.golden, the per-function ones are not`,
    );
  }
  for (const f of manifest.files) {
    Object.assign(f, kept.get(f.file) ?? {});
    for (const c of f.cases) Object.assign(c, kept.get(`${f.file}#${c.test}`) ?? {});
  }
  mkdirSync(tagDir, { recursive: true });
  writeFileSync(join(tagDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { tag, files: manifest.files.length };
}

const [gitDir, ...tags] = process.argv.slice(2);
if (!gitDir) {
  console.error('usage: node scripts/import-istio-goldens.mjs GIT_DIR [TAG…]');
  process.exit(2);
}
const results = (tags.length ? tags : DEFAULT_TAGS).map((tag) => importTag(gitDir, tag));
for (const r of results) console.log(r.missing ? `${r.tag}: tag not in the snapshot` : `${r.tag}: ${r.files} golden files`);
if (tags.length === 0) {
  // The index lists every tag asked for, so a tag missing from the snapshot stays visible.
  const index = { tags: results.filter((r) => !r.missing).map((r) => r.tag), missing: results.filter((r) => r.missing).map((r) => r.tag) };
  writeFileSync(join(OUT, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
}
