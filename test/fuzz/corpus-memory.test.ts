/**
 * The fuzz corpus under a 1 GB memory limit (issue 12): every seed file, and a fixed sample of
 * generated inputs including each hostile kind (deep jump graphs, fan-out, statistic trees,
 * device paths, escape sequences), through the built CLI in a child process.
 *
 * How the limit is measured, and why so:
 *  - `--max-old-space-size=1024` caps the V8 heap: a child that needs more dies (a V8 fatal
 *    error, by signal), and that counts as over the limit;
 *  - memory outside the heap (Buffers read from a device…) is not capped by V8, so the test
 *    polls the child's VmRSS in /proc/PID/status every 20 ms and kills it (by its pid) above
 *    1 GB: over the limit;
 *  - a child that exits on its own reports its exact peak resident set (getrusage ru_maxrss,
 *    written at exit by peak-rss.cjs), asserted to be at most 1 GB. Sampling alone would miss a
 *    short peak; `prlimit --as` would limit address space, which V8 reserves far beyond use.
 * Each child also has a 20 s wall-clock stop, so the check ends even on code that does not
 * keep the limits; on code that does, each child is one short CLI run, two side by side.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { argvOf, inputFor, loadSeeds } from '../../fuzz/harness.mjs';
// @ts-expect-error plain ESM module without types
import { HOSTILE } from '../../fuzz/mutate.mjs';
import { ROOT } from '../helpers/cli.js';

const LIMIT_KB = 1024 * 1024;
const WALL_MS = 20_000;
const SEED = 20261207;
const BIN = join(ROOT, 'bin', 'sidecar-trace.js');
const PRELOAD = join(ROOT, 'test', 'fuzz', 'peak-rss.cjs');

interface CorpusInput {
  label: string;
  args: string[];
  format: string;
  text: string;
  encoding: BufferEncoding;
  check?: string;
}

const seeds: Array<{ name: string; text: string }> = loadSeeds();
const scratch = mkdtempSync(join(tmpdir(), 'sidecar-trace-corpus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The seed files as they are, then 20 mutated inputs and 2 of each hostile kind, all fixed by SEED. */
function corpus(): CorpusInput[] {
  const out: CorpusInput[] = seeds.map((s) => ({ label: s.name, args: ['--rules', '-', '--dst', '10.244.2.7:9080'], format: 'json', text: s.text, encoding: 'utf8' }));
  for (let i = 0; i < 20; i++) {
    const input = inputFor(seeds, SEED, i);
    out.push({ label: `mutated #${i} (${input.applied.join(', ')})`, ...input });
  }
  const perKind = new Map<string, number>(Object.keys(HOSTILE).map((k) => [k, 0]));
  for (let i = 0; [...perKind.values()].some((n) => n < 2) && i < 10_000; i++) {
    const input = inputFor(seeds, SEED, i, { hostile: true, hostileShare: 1 });
    if (perKind.get(input.hostile)! >= 2) continue;
    perKind.set(input.hostile, perKind.get(input.hostile)! + 1);
    out.push({ label: `hostile #${i} (${input.applied.join(', ')})`, ...input });
  }
  return out;
}

interface Measured {
  label: string;
  peakKb: number | null;
  over: string | null;
}

/** Run one input in a child and measure it (see the header). */
function measure(input: CorpusInput, n: number): Promise<Measured> {
  const peakFile = join(scratch, `peak-${n}`);
  let checkFile: string | undefined;
  if (input.check !== undefined) {
    checkFile = join(scratch, `check-${n}.yaml`);
    writeFileSync(checkFile, input.check);
  }
  const argv = argvOf(input, checkFile);
  const child = spawn(process.execPath, ['--max-old-space-size=1024', '--require', PRELOAD, BIN, ...argv], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PEAK_RSS_FILE: peakFile },
  });
  // Drain the output without keeping it: a runaway trace may print gigabytes.
  child.stdout.resume();
  child.stderr.resume();
  child.stdin.on('error', () => undefined);
  child.stdin.end(Buffer.from(input.text, input.encoding));
  let over: string | null = null;
  const stop = (why: string) => {
    over ??= why;
    child.kill('SIGKILL');
  };
  const poll = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      if (kb > LIMIT_KB) stop(`resident set ${Math.round(kb / 1024)} MB, killed`);
    } catch {
      // exited between polls
    }
  }, 20);
  const wall = setTimeout(() => stop(`still running after ${WALL_MS / 1000} s, killed`), WALL_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(wall);
      let peakKb: number | null = null;
      try {
        peakKb = Number(readFileSync(peakFile, 'utf8'));
      } catch {
        over ??= `died by ${signal ?? `exit ${code}`} without reaching its exit handler (V8 heap limit?)`;
      }
      if (peakKb !== null && peakKb > LIMIT_KB) over ??= `peak resident set ${Math.round(peakKb / 1024)} MB`;
      resolve({ label: input.label, peakKb, over });
    });
  });
}

describe('the fuzz corpus under 1 GB', () => {
  it('no input of the corpus (seeds, mutations, every hostile kind) takes more than 1 GB', async () => {
    const inputs = corpus();
    // Every hostile kind is in the sample, or the check would prove less than it says.
    for (const kind of Object.keys(HOSTILE)) expect(inputs.some((i) => i.label.includes(`(${kind}:`)), kind).toBe(true);
    const results: Measured[] = [];
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const n = next++;
        results[n] = await measure(inputs[n]!, n);
      }
    };
    await Promise.all([worker(), worker()]);
    const peak = Math.max(...results.map((r) => r.peakKb ?? 0));
    console.log(`corpus: ${results.length} inputs; highest measured peak ${Math.round(peak / 1024)} MB`);
    for (const r of results.filter((x) => x.label.startsWith('hostile'))) console.log(`  ${r.label}: ${r.over ?? `peak ${Math.round((r.peakKb ?? 0) / 1024)} MB`}`);
    expect(results.filter((r) => r.over !== null).map((r) => `${r.label}: ${r.over}`)).toEqual([]);
  }, 600_000);
});
