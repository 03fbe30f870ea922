/**
 * The fuzz harness: mutate real dumps (and, with `hostile`, build the hostile inputs of
 * issue 12) and feed each to the CLI in a worker thread, asserting the invariants of issues
 * 7 and 12:
 *  - every input ends in a trace (exit 0, valid JSON) or a clean error (exit 2,
 *    one line `sidecar-trace: <stdin>:LINE: …`, no stack trace);
 *  - the same input gives the same result;
 *  - no input takes more than a bounded time per line;
 *  - no input runs past the wall-clock limit (`hang`) or the memory limit (`memory`);
 *  - nothing shown on a terminal (tables, paths, errors) holds a raw control character.
 * Inputs are a pure function of (seed, index), so any failure can be replayed.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HOSTILE, mutate, rng } from './mutate.mjs';

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

/** Share of hostile inputs (see HOSTILE in mutate.mjs) when they are asked for. */
export const HOSTILE_SHARE = 0.1;

/**
 * Input `index` of run `seed`: a mutated seed dump, or (with hostile, for HOSTILE_SHARE of
 * the indices) one of the hostile kinds. A pure function of its arguments, for replay.
 */
export function inputFor(seeds, seed, index, { hostile = false, hostileShare = HOSTILE_SHARE } = {}) {
  const r = rng((seed * 1000003 + index) >>> 0);
  const base = seeds[Math.floor(r() * seeds.length)];
  if (hostile && r() < hostileShare) {
    const kinds = Object.keys(HOSTILE);
    const kind = kinds[Math.floor(r() * kinds.length)];
    const h = HOSTILE[kind](r, base.text);
    return { okCodes: [0, 2], encoding: 'latin1', validate: [], ...h, base: base.name, flow: h.args, hostile: kind };
  }
  const { text, applied } = mutate(base.text, r);
  const flow = FLOWS[Math.floor(r() * FLOWS.length)];
  // Half the inputs load lazily, as a large dump does: the rules a flow reaches are parsed then.
  const validate = r() < 0.5 ? ['--validate', 'reached'] : [];
  return { text, applied, base: base.name, flow, validate, args: ['--rules', '-', ...flow, ...validate], format: 'json', okCodes: [0, 2], encoding: 'latin1' };
}

/** The CLI arguments of an input (`checkFile`: where its check file was written, if it has one). */
export function argvOf(input, checkFile) {
  const args = input.args.map((a) => (a === '{check}' ? checkFile : a));
  const sub = args[0] === 'check' ? 2 : 0;
  // --max-hops only exists for traces; check files have their own flows.
  return [...args, '--format', input.format, ...(sub ? [] : ['--max-hops', '8'])];
}

const ERROR_LINE = /^sidecar-trace: <stdin>(:\d+)?(:\d+)?: [^\n]+\n$/;
const ANY_ERROR_LINE = /^sidecar-trace: [^\n]+\n$/;
/** Raw control characters (C0 but tab and newline, DEL, C1): never on a terminal. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** Run one input; returns null when every invariant holds, else { kind, detail }. */
export async function check(run, input, { determinism = false, checkFile } = {}) {
  const argv = argvOf(input, checkFile);
  const once = async () => {
    let stdout = '';
    let stderr = '';
    const t0 = performance.now();
    const code = await run(argv, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      readFile: (p) => readFileSync(p),
      readStdin: () => Buffer.from(input.text, input.encoding ?? 'latin1'),
      // The CLI's one reader for user input (src/cli/input-reader.ts); here stdin is the input.
      readInput: () => [Buffer.from(input.text, input.encoding ?? 'latin1')],
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
  const fromStdin = argv.includes('-') && !argv.includes('--flows');
  if (a.code === 2) {
    if (!(fromStdin ? ERROR_LINE : ANY_ERROR_LINE).test(a.stderr)) return { kind: 'crash', detail: `exit 2 without one clean file:line error: ${JSON.stringify(a.stderr.slice(0, 400))}` };
  } else if (!input.okCodes.includes(a.code)) {
    return { kind: 'crash', detail: `exit ${a.code}: ${a.stderr.slice(0, 600)}` };
  } else if (input.format === 'json') {
    try {
      JSON.parse(a.stdout);
    } catch {
      return { kind: 'crash', detail: 'the output is not JSON' };
    }
  }
  // JSON keeps input bytes exactly (escaped by JSON itself); everything else reaches a terminal.
  const shown = input.format === 'json' || input.format === 'yaml' ? a.stderr : a.stdout + a.stderr;
  const raw = CONTROL.exec(shown);
  if (raw) return { kind: 'escape', detail: `raw control character U+${raw[0].charCodeAt(0).toString(16).padStart(4, '0')} in the ${a.stderr.includes(raw[0]) ? 'error output' : 'output'}` };
  const lines = input.text.split('\n').length;
  // Generous, linear bound: parse and trace must not be superlinear in the input.
  const bound = 2000 + lines * 0.2;
  if (a.ms > bound) return { kind: 'slow', detail: `${a.ms.toFixed(0)} ms for ${lines} lines (bound ${bound.toFixed(0)} ms)` };
  if (determinism) {
    const b = await once();
    if (b.code !== a.code || b.stdout !== a.stdout || b.stderr !== a.stderr) return { kind: 'nondeterministic', detail: 'a second run gave a different result' };
  }
  return null;
}

export const KINDS = ['crash', 'hang', 'memory', 'slow', 'nondeterministic', 'escape'];

/**
 * Fuzz `count` inputs from `seed`, each in a worker thread (worker.mjs) under a wall-clock
 * limit (timeoutMs) and a memory limit (memoryMb: the worker's V8 heap through resourceLimits,
 * and the process's resident set, sampled every 25 ms, for what lives outside the heap, such
 * as Buffers read from a device). An input over a limit has its worker stopped and replaced,
 * is counted as `hang` or `memory`, and is saved (with the command that replays it) under
 * outDir; the tally goes on. Returns the tally and every failure with its index. The
 * resident set is the process's: with workers > 1 a memory failure may name a neighbour's
 * input, so the default is one worker (the machine's other core stays free).
 */
export async function fuzz({ count, seed = 1, hostile = false, hostileShare = HOSTILE_SHARE, timeoutMs = 10_000, memoryMb = 512, workers = 1, outDir = null, onProgress, indices = null } = {}) {
  const seeds = loadSeeds();
  const failures = [];
  const exits = { 0: 0, 1: 0, 2: 0 };
  const byKind = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const hostileTried = {};
  let slowest = 0;
  const todo = indices ?? Array.from({ length: count }, (_, i) => i);
  // Check files of hostile inputs are written here by the workers; removed at the end.
  const scratch = mkdtempSync(join(tmpdir(), 'sidecar-trace-fuzz-'));
  let next = 0;
  let done = 0;
  const record = (index, f) => {
    const input = inputFor(seeds, seed, index, { hostile, hostileShare });
    const failure = { index, base: input.base, applied: input.applied, flow: input.flow, ...f };
    if (outDir) failure.saved = saveFailure(outDir, seed, input, failure);
    failures.push(failure);
    byKind[f.kind]++;
  };
  const runner = async () => {
    let w = null;
    while (next < todo.length) {
      const index = todo[next++];
      const input = inputFor(seeds, seed, index, { hostile, hostileShare });
      if (input.hostile) hostileTried[input.hostile] = (hostileTried[input.hostile] ?? 0) + 1;
      w ??= await startWorker({ seed, hostile, hostileShare, scratch }, memoryMb);
      const res = await w.run(index, index % 10 === 0, timeoutMs, memoryMb);
      if (res.dead) {
        await w.stop();
        w = null;
      }
      if (res.code === 0 || res.code === 1 || res.code === 2) exits[res.code]++;
      slowest = Math.max(slowest, res.ms);
      if (res.failure) record(index, res.failure);
      done++;
      if (onProgress && done % 500 === 0) onProgress(done, failures.length);
    }
    await w?.stop();
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, workers) }, runner));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  failures.sort((x, y) => x.index - y.index);
  return { tried: todo.length, seeds: seeds.length, failures, slowestMs: slowest, exits, byKind, hostileTried };
}

/** One worker thread and the limits around it. */
async function startWorker(workerData, memoryMb) {
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData,
    // The main thread's stack (V8's default, under 1 MB), not a worker's 4 MB: deep recursion
    // must fail here as it fails in the CLI.
    resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 1 },
    stdout: true,
    stderr: true,
  });
  // Whatever the CLI writes to process.stdout/stderr directly (nothing should) is dropped, not kept.
  worker.stdout.resume();
  worker.stderr.resume();
  let pending = null;
  let dead = null;
  worker.on('message', (m) => pending?.(m));
  worker.on('error', (e) => (dead = e));
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  void exited.then(() => {
    dead ??= new Error('worker exited');
    pending?.(null);
  });
  await new Promise((resolve, reject) => {
    pending = (m) => (m?.ready ? resolve() : reject(dead ?? new Error('worker failed to start')));
  });
  return {
    async run(index, determinism, timeoutMs, limitMb) {
      const t0 = performance.now();
      const baseline = process.memoryUsage.rss();
      let over = null;
      const watch = setInterval(() => {
        const grown = (process.memoryUsage.rss() - baseline) / 1024 ** 2;
        if (grown > limitMb && over === null) {
          over = grown;
          void worker.terminate();
        }
      }, 25);
      let timer;
      const timedOut = new Promise((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const answer = new Promise((resolve) => (pending = resolve));
      worker.postMessage({ index, determinism });
      const m = await Promise.race([answer, timedOut]);
      clearTimeout(timer);
      clearInterval(watch);
      pending = null;
      const ms = performance.now() - t0;
      if (m === 'timeout') {
        await worker.terminate();
        return { dead: true, ms, failure: { kind: 'hang', detail: `no result within ${timeoutMs} ms` } };
      }
      if (m === null) {
        const oom = dead?.code === 'ERR_WORKER_OUT_OF_MEMORY';
        if (over !== null || oom) {
          return { dead: true, ms, failure: { kind: 'memory', detail: over !== null ? `resident memory grew by ${Math.round(over)} MB (limit ${limitMb} MB)` : `V8 heap over ${limitMb} MB` } };
        }
        return { dead: true, ms, failure: { kind: 'crash', detail: `worker died: ${dead?.message ?? 'unknown'}` } };
      }
      return { dead: false, ms, code: m.code, failure: m.failure };
    },
    async stop() {
      await worker.terminate();
    },
  };
}

/** Save a failing input and the command that replays it; returns the input's path. */
function saveFailure(outDir, seed, input, failure) {
  mkdirSync(outDir, { recursive: true });
  const stem = join(outDir, `seed${seed}-${failure.index}-${failure.kind}`);
  writeFileSync(`${stem}.input`, Buffer.from(input.text, input.encoding ?? 'latin1'));
  if (input.check) writeFileSync(`${stem}.check.yaml`, input.check);
  const argv = argvOf(input, `${stem}.check.yaml`);
  writeFileSync(
    `${stem}.txt`,
    [
      `${failure.kind}: ${failure.detail}`,
      `base ${input.base}; ${input.applied.join(', ')}`,
      `replay: node bin/sidecar-trace.js ${argv.map(shellWord).join(' ')} < ${shellWord(`${stem}.input`)}`,
      `or:     node fuzz/run.mjs --seed ${seed}${input.hostile || failure.hostile ? ' --hostile' : ''} --index ${failure.index}`,
      '',
    ].join('\n'),
  );
  return `${stem}.input`;
}

const shellWord = (w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
