/**
 * `npm run bench`: the performance benchmark (issue 6).
 *
 * - Generates kube-proxy-style node dumps (bench/generate.ts) at 1k, 20k and 100k rules.
 * - Per size, in fresh processes (bench/measure.ts): parse time, time to the first trace,
 *   steady-state traces/s on the warm rule set, peak RSS.
 * - Per size, the CLI end to end (`sidecar-trace --rules DUMP --dst VIP:PORT --format json`):
 *   wall time and peak RSS, with `node -e 0` spawned alternately in the same run.
 * - CLI cold start of one default-profile trace as a ratio to `node -e 0`, and warm traces/s
 *   through the default profile (Envoy hops included).
 * Every figure is the median of several runs. Nothing here asserts: it measures and prints.
 *
 * - Batches (issue 16, bench/batch.ts): `--flows` JSON Lines end to end over 100,000 flows
 *   (default profile and a 20k-rule dump; a flow-log mix with repeats and an all-distinct mix,
 *   with the cache's own --stats line), peak RSS at 10,000 and 1,000,000 flows, and `check`.
 * Options: --sizes 1000,20000,100000  --runs 3  --cli-runs 7  --cold-runs 15  --warm-ms 2000
 *          --json FILE (write the results)  --keep (keep the generated dumps)  --quick
 *          --batch-only  --big-flows 1000000  --batch-runs 3
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DISTINCT, runToNull, writeCheck, writeFlows, type RunFigures } from './batch.js';
import { generateKubeProxyDump } from './generate.js';
import type { MeasureResult } from './measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const BIN = join(root, 'bin/sidecar-trace.js');
const MEASURE = join(here, 'measure.js');
const RSS_HOOK = join(here, 'rss-hook.js');

interface Args {
  sizes: number[];
  runs: number;
  cliRuns: number;
  coldRuns: number;
  warmMs: number;
  json: string | null;
  keep: boolean;
  /** Only the batch figures (issue 16). */
  batchOnly: boolean;
  /** Flows of the large run of the memory figure. */
  bigFlows: number;
  batchRuns: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: [1000, 20000, 100000], runs: 3, cliRuns: 7, coldRuns: 15, warmMs: 2000, json: null, keep: false, batchOnly: false, bigFlows: 1_000_000, batchRuns: 3 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--sizes') a.sizes = v().split(',').map((s) => Number(s.replace(/k$/i, '000')));
    else if (k === '--runs') a.runs = Number(v());
    else if (k === '--cli-runs') a.cliRuns = Number(v());
    else if (k === '--cold-runs') a.coldRuns = Number(v());
    else if (k === '--warm-ms') a.warmMs = Number(v());
    else if (k === '--json') a.json = v();
    else if (k === '--keep') a.keep = true;
    else if (k === '--batch-only') a.batchOnly = true;
    else if (k === '--big-flows') a.bigFlows = Number(v());
    else if (k === '--batch-runs') a.batchRuns = Number(v());
    else if (k === '--quick') Object.assign(a, { runs: 1, cliRuns: 3, coldRuns: 5, warmMs: 600 });
    else throw new Error(`unknown option ${k}`);
  }
  return a;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** CPU time (user + sys) of this process's waited-for children, in ms (Linux /proc); null elsewhere. */
function childCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the comm: state is index 0; cutime and cstime are fields 16 and 17 of stat (1-based), i.e. 13 and 14 here.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return null;
  }
}

interface SpawnResult {
  wallMs: number;
  cpuMs: number | null;
  status: number | null;
  stdout: string;
  stderr: string;
}

function timeSpawn(args: string[], env: NodeJS.ProcessEnv = process.env): SpawnResult {
  const c0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  const c1 = childCpuMs();
  return { wallMs, cpuMs: c0 === null || c1 === null ? null : c1 - c0, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Peak RSS (MB) of one run of `node ARGS`, read by a preloaded exit hook. */
function peakRss(args: string[], dir: string): number | null {
  const out = join(dir, `rss-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--import', RSS_HOOK, ...args], { encoding: 'utf8', env: { ...process.env, BENCH_RSS_FILE: out }, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) return null;
  try {
    return Number(readFileSync(out, 'utf8')) / 1024;
  } catch {
    return null;
  }
}

interface Paired {
  wallMs: number;
  baseMs: number;
  ratio: number;
  cpuMs: number | null;
  baseCpuMs: number | null;
  rssMb: number | null;
}

/** Spawn `node ARGS` and `node -e 0` alternately; medians of both and of the per-pair ratios. */
function paired(args: string[], runs: number, dir: string, check: (r: SpawnResult) => void): Paired {
  const walls: number[] = [];
  const bases: number[] = [];
  const ratios: number[] = [];
  const cpus: number[] = [];
  const baseCpus: number[] = [];
  // One unmeasured run of each fills the page cache.
  check(timeSpawn(args));
  timeSpawn(['-e', '0']);
  for (let i = 0; i < runs; i++) {
    const b = timeSpawn(['-e', '0']);
    const r = timeSpawn(args);
    check(r);
    walls.push(r.wallMs);
    bases.push(b.wallMs);
    ratios.push(r.wallMs / b.wallMs);
    if (r.cpuMs !== null && b.cpuMs !== null) {
      cpus.push(r.cpuMs);
      baseCpus.push(b.cpuMs);
    }
  }
  return {
    wallMs: median(walls),
    baseMs: median(bases),
    ratio: median(walls) / median(bases),
    cpuMs: cpus.length ? median(cpus) : null,
    baseCpuMs: baseCpus.length ? median(baseCpus) : null,
    rssMb: peakRss(args, dir),
  };
}

function fmt(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '-';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** bin/sidecar-trace.js runs the bundle only when it is at least as new as dist/ (else the modules, slower to start). */
function bundleNote(): string | null {
  const mtime = (f: string) => {
    try {
      return statSync(f).mtimeMs;
    } catch {
      return -1;
    }
  };
  const bundle = mtime(join(root, 'dist/bundle/sidecar-trace.cjs'));
  if (bundle >= 0 && bundle >= mtime(join(root, 'dist/cli/main.js'))) return null;
  return 'WARNING: dist/bundle/sidecar-trace.cjs is missing or older than dist/ (tsc ran alone since?): the CLI figures are for the unbundled modules; run `npm run build`';
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-trace-bench-'));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const exitOk = (what: string) => (r: SpawnResult) => {
    if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  };

  log(`node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'}), dumps in ${dir}`);
  const before = bundleNote();
  if (before) log(before);
  const results: Record<string, unknown> = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, date: new Date().toISOString(), sizes: [] as unknown[] };

  const batch = batchFigures(args, dir, log);
  results.batch = batch.results;
  if (args.batchOnly) {
    process.stdout.write(`${batch.text}\n`);
    if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
    return;
  }

  // CLI cold start: one default-profile trace.
  log('cold start: sidecar-trace --dst 10.244.2.7:9080 --format json vs node -e 0 ...');
  const cold = paired([BIN, '--dst', '10.244.2.7:9080', '--format', 'json'], args.coldRuns, dir, exitOk('cold start'));
  results.coldStart = cold;

  const rows: string[][] = [];

  // The default profile: warm traces with Envoy hops (the issue's flows/s target), one process per run.
  log(`default profile: warm traces x${args.runs} ...`);
  {
    const dsts: string[] = [];
    for (let i = 0; i < 1000; i++) dsts.push(`10.244.${i % 200}.7:${8000 + (i % 50)}`);
    const flowsFile = join(dir, 'flows-profile.json');
    writeFileSync(flowsFile, JSON.stringify(dsts));
    const runs: MeasureResult[] = [];
    for (let i = 0; i < args.runs; i++) {
      const r = timeSpawn([MEASURE, join(root, 'rules/istio-1.25.rules'), flowsFile, String(args.warmMs)]);
      exitOk('measure profile')(r);
      runs.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!) as MeasureResult);
    }
    const m = {
      rules: runs[0]!.rules,
      parseMs: median(runs.map((r) => r.parseMs)),
      firstTraceMs: median(runs.map((r) => r.firstTraceMs)),
      tracesPerSec: median(runs.map((r) => r.tracesPerSec)),
      rssAfterFirstMb: median(runs.map((r) => r.rssAfterFirstMb)),
    };
    results.profile = m;
    rows.push(['profile istio-1.25', fmt(m.rules), fmt(m.parseMs, 1), fmt(m.firstTraceMs, 1), fmt(m.tracesPerSec), fmt(m.rssAfterFirstMb), fmt(cold.wallMs), `${fmt(cold.ratio, 2)}x`, fmt(cold.cpuMs), fmt(cold.rssMb), '-', '-']);
  }

  for (const size of args.sizes) {
    const gen = generateKubeProxyDump({ rules: size, seed: 42 });
    const file = join(dir, `kube-proxy-${size}.rules`);
    writeFileSync(file, gen.text);
    // Flows: Services with endpoints, spread evenly over KUBE-SERVICES; the first is in the middle.
    const withEp = gen.services.filter((s) => s.endpoints.length > 0 && s.proto === 'tcp');
    const mid = withEp[withEp.length >> 1]!;
    const step = Math.max(1, Math.floor(withEp.length / 500));
    const dsts = [`${mid.vip}:${mid.port}`];
    for (let i = 0; i < withEp.length; i += step) dsts.push(`${withEp[i]!.vip}:${withEp[i]!.port}`);
    const flowsFile = join(dir, `flows-${size}.json`);
    writeFileSync(flowsFile, JSON.stringify(dsts));
    log(`${size}: ${gen.ruleCount} rules, ${gen.services.length} Service ports, ${(gen.text.length / 1e6).toFixed(1)} MB; in-process x${args.runs} ...`);

    const runs: MeasureResult[] = [];
    for (let i = 0; i < args.runs; i++) {
      const r = timeSpawn([MEASURE, file, flowsFile, String(args.warmMs)]);
      exitOk(`measure ${size}`)(r);
      runs.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!) as MeasureResult);
    }
    const m = {
      rules: gen.ruleCount,
      parseMs: median(runs.map((r) => r.parseMs)),
      firstTraceMs: median(runs.map((r) => r.firstTraceMs)),
      tracesPerSec: median(runs.map((r) => r.tracesPerSec)),
      rssAfterFirstMb: median(runs.map((r) => r.rssAfterFirstMb)),
      rssPeakMb: median(runs.map((r) => r.rssPeakMb)),
      firstOutcome: runs[0]!.firstOutcome,
      parsedAfterFirst: runs[0]!.parsedAfterFirst,
    };
    log(`${size}: CLI end to end x${args.cliRuns} ...`);
    const cliRuns = size >= 50000 ? Math.max(3, Math.ceil(args.cliRuns / 2)) : args.cliRuns;
    const cli = paired([BIN, '--rules', file, '--dst', `${mid.vip}:${mid.port}`, '--format', 'json'], cliRuns, dir, exitOk(`CLI ${size}`));
    // The same with every rule parsed and checked at load, as iptables-restore would.
    log(`${size}: CLI with --validate all x${cliRuns} ...`);
    const all = paired([BIN, '--rules', file, '--dst', `${mid.vip}:${mid.port}`, '--format', 'json', '--validate', 'all'], cliRuns, dir, exitOk(`CLI ${size} --validate all`));
    (results.sizes as unknown[]).push({ size, ...m, cli, cliValidateAll: all });
    rows.push([
      `${fmt(size / 1000)}k`,
      fmt(gen.ruleCount),
      fmt(m.parseMs),
      fmt(m.firstTraceMs, 1),
      fmt(m.tracesPerSec),
      fmt(m.rssAfterFirstMb),
      fmt(cli.wallMs),
      `${fmt(cli.ratio, 2)}x`,
      fmt(cli.cpuMs),
      fmt(cli.rssMb),
      fmt(m.parsedAfterFirst),
      `${fmt(all.wallMs)} (${fmt(all.ratio, 2)}x)`,
    ]);
  }

  const out: string[] = [];
  out.push('');
  out.push(`sidecar-trace benchmark: node ${process.version}, ${cpus().length} CPU(s), medians (in-process x${args.runs}, CLI x${args.cliRuns}, cold start x${args.coldRuns})`);
  out.push('');
  out.push(
    table(
      ['dump', 'rules', 'parse ms', 'first trace ms', 'traces/s (warm)', 'peak RSS MB', 'CLI parse+trace ms', 'vs node -e 0', 'CLI CPU ms', 'CLI RSS MB', 'rules parsed', 'CLI --validate all ms'],
      rows,
    ),
  );
  out.push('');
  out.push(
    `CLI cold start (default profile, one trace, --format json): ${fmt(cold.wallMs)} ms vs node -e 0 ${fmt(cold.baseMs)} ms = ${fmt(cold.ratio, 2)}x` +
      ` (CPU ${fmt(cold.cpuMs)} vs ${fmt(cold.baseCpuMs)} ms), peak RSS ${fmt(cold.rssMb)} MB`,
  );
  out.push('');
  out.push('parse ms: read text -> Ruleset (extract + load); first trace ms: pod inference + one trace after the parse;');
  out.push('traces/s: one flow after another on the warm rule set, the kube-proxy dumps with every statistic branch enumerated (as the CLI');
  out.push('does by default), the profile with Envoy hops (1000 app flows to 10.244.x.7, one in seven as uid 1337); the profile row\'s CLI columns are the cold start;');
  out.push('peak RSS: max RSS after parse and first trace; CLI: `sidecar-trace --rules DUMP --dst VIP:PORT --format json`, wall time and ratio to `node -e 0` spawned alternately.');
  out.push('rules parsed: by the load and the first trace (a dump over 2,000 lines loads lazily: each rule is outlined, and parsed when a flow reaches it);');
  out.push('CLI --validate all: the same CLI run with every rule parsed and checked at load, as iptables-restore does.');
  out.push('Targets (issue 6): cold start <= 1.6x and <= 80 MB; 20k CLI <= 3x node -e 0; 100k CLI <= 1000 ms and <= 300 MB; profile >= 100,000 traces/s.');
  out.push('');
  out.push(batch.text);
  process.stdout.write(`${out.join('\n')}\n`);

  const note = bundleNote();
  if (note) process.stdout.write(`\n${note}\n`);
  results.bundleStale = note !== null;

  if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
  else log(`kept ${dir}`);
}

/** The median run (by wall time) of several. */
function medianRun(runs: RunFigures[]): RunFigures {
  return [...runs].sort((x, y) => x.wallMs - y.wallMs)[runs.length >> 1]!;
}

/** Issue 16's figures, side by side in one table. */
function batchFigures(args: Args, dir: string, log: (s: string) => void): { text: string; results: Record<string, unknown> } {
  const results: Record<string, unknown> = {};
  const rows: string[][] = [];
  const N = 100_000;
  const runMany = (name: string, argv: string[], flows: number, runs = args.batchRuns) => {
    log(`batch: ${name} x${runs} ...`);
    const all = Array.from({ length: runs }, () => runToNull([BIN, ...argv], RSS_HOOK, dir, flows));
    const m = medianRun(all);
    results[name] = m;
    const cache = /traced ([\d,]+), from the cache ([\d,]+) \(([\d.]+)%\)/.exec(m.stats);
    rows.push([name, fmt(flows), fmt(m.wallMs), fmt(m.cpuMs), fmt(m.flowsPerSec), fmt(m.cpuMs ? (flows / m.cpuMs) * 1000 : null), fmt(m.rssMb), cache ? `${cache[1]} traced, ${cache[3]}% cached` : '-']);
    return m;
  };
  const logFlows = join(dir, 'flows-log-100k.jsonl');
  writeFlows(logFlows, N, 'log');
  const distinctFlows = join(dir, 'flows-distinct-100k.jsonl');
  writeFlows(distinctFlows, N, 'distinct');
  runMany('profile, log mix, jsonl', ['--flows', logFlows, '--format', 'jsonl', '--stats'], N);
  runMany('profile, log mix, path', ['--flows', logFlows, '--format', 'path', '--stats'], N);
  runMany('profile, log mix, jsonl, --cache-size 0', ['--flows', logFlows, '--format', 'jsonl', '--stats', '--cache-size', '0'], N, 1);
  runMany('profile, distinct, jsonl', ['--flows', distinctFlows, '--format', 'jsonl', '--stats'], N, 1);
  runMany('profile, distinct, jsonl, --jobs 2', ['--flows', distinctFlows, '--format', 'jsonl', '--stats', '--jobs', '2'], N, 1);

  // A 20k-rule node dump: flows to its Services (VIP:port), the log mix.
  const gen = generateKubeProxyDump({ rules: 20000, seed: 42 });
  const dump = join(dir, 'kube-proxy-20000.rules');
  writeFileSync(dump, gen.text);
  const vips = gen.services.filter((sv) => sv.proto === 'tcp').map((sv) => `${sv.vip}:${sv.port}`);
  const dumpFlows = join(dir, 'flows-dump-100k.jsonl');
  writeFlows(dumpFlows, N, 'log', vips);
  runMany('20k dump, log mix, jsonl', ['--rules', dump, '--flows', dumpFlows, '--format', 'jsonl', '--stats'], N);

  // Memory: the same mix at 10,000 and at bigFlows flows.
  const small = join(dir, 'flows-log-10k.jsonl');
  writeFlows(small, 10_000, 'log');
  const big = join(dir, 'flows-log-big.jsonl');
  writeFlows(big, args.bigFlows, 'log');
  const rss10k = runMany('profile, log mix, jsonl (10k)', ['--flows', small, '--format', 'jsonl', '--stats'], 10_000, 1);
  const rssBig = runMany(`profile, log mix, jsonl (${fmt(args.bigFlows / 1000)}k)`, ['--flows', big, '--format', 'jsonl', '--stats'], args.bigFlows, 1);

  // check over 10,000 and 100,000 flows (a YAML check file, the log mix).
  const check10k = join(dir, 'check-10k.yaml');
  writeCheck(check10k, 10_000);
  const check100k = join(dir, 'check-100k.yaml');
  writeCheck(check100k, N);
  runMany('check, 10k flows', ['check', check10k, '--format', 'json'], 10_000, 1);
  const check = runMany('check, 100k flows', ['check', check100k, '--format', 'json'], N, 1);

  const text = [
    `Batches (issue 16): medians of ${args.batchRuns} (one run where marked x1 in the log); output to /dev/null; wall = process start to exit.`,
    `Flow mix: "log" = ${fmt(DISTINCT)} distinct flows drawn at random (${fmt(((N - DISTINCT) / N) * 100, 0)}% repeats at 100k), "distinct" = every flow different (the cache never helps).`,
    '',
    table(['run', 'flows', 'wall ms', 'CPU ms', 'flows/s (wall)', 'flows/s (CPU)', 'peak RSS MB', 'cache'], rows),
    '',
    `Peak RSS ${fmt(args.bigFlows)} flows vs 10,000: ${fmt(rssBig.rssMb)} / ${fmt(rss10k.rssMb)} MB = ${fmt((rssBig.rssMb ?? 0) / (rss10k.rssMb ?? 1), 2)}x (target <= 1.5x).`,
    `check over 100,000 flows: ${fmt(check.wallMs)} ms (target < 3000 ms).`,
    'Targets (issue 16): profile jsonl >= 100,000 flows/s end to end; 20k dump >= 50,000 flows/s; RSS 1M <= 1.5x 10k; check 100k < 3 s.',
    'CPU ms is user + sys of the process: on a shared machine (load above the core count) wall time includes waiting for a core.',
  ].join('\n');
  return { text, results };
}

main();
