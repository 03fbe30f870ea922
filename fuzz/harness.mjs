/**
 * The fuzz harness: mutate real dumps and feed each to the CLI in-process
 * (`--rules -`), asserting the invariants of issue 7:
 *  - every input ends in a trace (exit 0, valid JSON) or a clean error (exit 2,
 *    one line `sidecar-trace: <stdin>:LINE: …`, no stack trace);
 *  - the same input gives the same result;
 *  - no input takes more than a bounded time per line, nor blows up memory.
 * Inputs are a pure function of (seed, index), so any failure can be replayed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutate, rng } from './mutate.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

const FLOWS = [
  ['--dst', '10.244.2.7:9080'],
  ['--src', '10.244.2.7', '--dst', '10.244.1.5:9080'],
  ['--src', '127.0.0.1', '--dst', '127.0.0.1:15000', '--uid', '1337'],
  ['--dst', '10.96.0.10:53', '--proto', 'udp'],
  ['--src', 'fd00:10:244:2::7', '--dst', '[fd00:10:244:1::5]:9080'],
  ['--src', '10.1.2.3', '--dst', '10.96.0.50:80'],
];

/** Real dumps to mutate: the profiles and every text fixture. */
export function loadSeeds() {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(rules|log|txt|golden)$/.test(name)) files.push(p);
    }
  };
  walk(join(ROOT, 'rules'));
  walk(join(ROOT, 'test', 'fixtures'));
  return files.map((f) => ({ name: f.slice(ROOT.length), text: readFileSync(f, 'utf8') }));
}

export function inputFor(seeds, seed, index) {
  const r = rng((seed * 1000003 + index) >>> 0);
  const base = seeds[Math.floor(r() * seeds.length)];
  const { text, applied } = mutate(base.text, r);
  const flow = FLOWS[Math.floor(r() * FLOWS.length)];
  // Half the inputs load lazily, as a large dump does: the rules a flow reaches are parsed then.
  const validate = r() < 0.5 ? ['--validate', 'reached'] : [];
  return { text, applied, base: base.name, flow, validate };
}

const ERROR_LINE = /^sidecar-trace: <stdin>(:\d+)?(:\d+)?: [^\n]+\n$/;

/** Run one input; returns null when every invariant holds, else a description of the failure. */
export async function check(run, input, { determinism = false } = {}) {
  const once = async () => {
    let stdout = '';
    let stderr = '';
    const t0 = performance.now();
    const code = await run(['--rules', '-', ...input.flow, ...(input.validate ?? []), '--format', 'json', '--max-hops', '8'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      readFile: (p) => readFileSync(p),
      readStdin: () => Buffer.from(input.text, 'latin1'),
      // The CLI's one reader for user input (src/cli/input-reader.ts); here stdin is the input.
      readInput: () => [Buffer.from(input.text, 'latin1')],
      stdoutIsTTY: false,
      stderrIsTTY: false,
      env: {},
      rulesDir: join(ROOT, 'rules'),
      listDir: (p) => readdirSync(p),
    });
    return { code, stdout, stderr, ms: performance.now() - t0 };
  };
  let a;
  try {
    a = await once();
    check.lastCode = a.code;
  } catch (e) {
    return { kind: 'crash', detail: `uncaught: ${e?.stack ?? e}` };
  }
  if (a.code === 0) {
    try {
      JSON.parse(a.stdout);
    } catch {
      return { kind: 'crash', detail: 'exit 0 but the output is not JSON' };
    }
  } else if (a.code === 2) {
    if (!ERROR_LINE.test(a.stderr)) return { kind: 'crash', detail: `exit 2 without one clean file:line error: ${JSON.stringify(a.stderr.slice(0, 400))}` };
  } else {
    return { kind: 'crash', detail: `exit ${a.code}: ${a.stderr.slice(0, 600)}` };
  }
  const lines = input.text.split('\n').length;
  // Generous, linear bound: parse and trace must not be superlinear in the input.
  const bound = 2000 + lines * 0.2;
  if (a.ms > bound) return { kind: 'slow', detail: `${a.ms.toFixed(0)} ms for ${lines} lines (bound ${bound.toFixed(0)} ms)` };
  if (determinism) {
    const b = await once();
    if (b.code !== a.code || b.stdout !== a.stdout || b.stderr !== a.stderr) return { kind: 'nondeterministic', detail: 'a second run gave a different result' };
  }
  const heap = process.memoryUsage().heapUsed;
  if (heap > 1.5 * 1024 ** 3) return { kind: 'memory', detail: `heap ${Math.round(heap / 1024 ** 2)} MB` };
  return null;
}

/** Fuzz `count` inputs from `seed`; returns the tally and every failure with its index. */
export async function fuzz({ count, seed = 1, onProgress } = {}) {
  const { run } = await import(join(ROOT, 'dist', 'cli', 'run.js'));
  const seeds = loadSeeds();
  const failures = [];
  const exits = { 0: 0, 2: 0 };
  let slowest = 0;
  for (let i = 0; i < count; i++) {
    const input = inputFor(seeds, seed, i);
    const t0 = performance.now();
    const f = await check(run, input, { determinism: i % 10 === 0 });
    if (check.lastCode === 0 || check.lastCode === 2) exits[check.lastCode]++;
    slowest = Math.max(slowest, performance.now() - t0);
    if (f) failures.push({ index: i, base: input.base, applied: input.applied, flow: input.flow, ...f });
    if (onProgress && i % 500 === 0) onProgress(i, failures.length);
  }
  return { tried: count, seeds: seeds.length, failures, slowestMs: slowest, exits };
}
