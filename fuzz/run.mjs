#!/usr/bin/env node
/**
 * `npm run fuzz [-- --count N --seed S --hostile --hostile-share F --timeout-ms T --memory-mb M --workers W --out DIR]`:
 * a long fuzz run by hand (CI runs a short one through the test suite). Each input runs in a
 * worker thread under a wall-clock and a memory limit (see fuzz() in harness.mjs); an input
 * over a limit is counted and saved, and the run goes on. Prints the tally by category; exits
 * 1 on any failure. `--index I` (repeatable) runs just those inputs, to replay one.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzz } from './harness.mjs';

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const seed = arg('seed', 1);
const indices = argv.flatMap((a, i) => (a === '--index' ? [Number(argv[i + 1])] : []));
const count = indices.length ? indices.length : arg('count', 3000);
const hostile = argv.includes('--hostile');
// Share of hostile inputs with --hostile (default 0.1); 1 runs only hostile ones.
const hostileShare = arg('hostile-share', 0.1);
const outAt = argv.indexOf('--out');
const outDir = outAt >= 0 ? argv[outAt + 1] : join(tmpdir(), `sidecar-trace-fuzz-failures-seed${seed}`);
const limits = { timeoutMs: arg('timeout-ms', 10_000), memoryMb: arg('memory-mb', 512) };

const t0 = Date.now();
const result = await fuzz({
  count,
  seed,
  hostile,
  hostileShare,
  ...limits,
  workers: arg('workers', 1),
  outDir,
  indices: indices.length ? indices : null,
  onProgress: (i, failures) => process.stderr.write(`\r${i}/${count} inputs, ${failures} failures`),
});
process.stderr.write('\n');
const hostileText = Object.entries(result.hostileTried).map(([k, n]) => `${k} ${n}`).join(', ');
console.log(`fuzz: ${result.tried} inputs from ${result.seeds} seed files (seed ${seed}${hostile ? `, hostile: ${hostileText || 'none'}` : ''}) in ${((Date.now() - t0) / 1000).toFixed(1)} s; slowest input ${result.slowestMs.toFixed(0)} ms`);
console.log(`fuzz: limits per input ${limits.timeoutMs} ms wall clock, ${limits.memoryMb} MB memory`);
console.log(`fuzz: ${result.exits[0]} exit 0, ${result.exits[1]} exit 1, ${result.exits[2]} clean errors (exit 2)`);
console.log(`fuzz: ${result.failures.length} failures: ${Object.entries(result.byKind).map(([k, n]) => `${k} ${n}`).join(', ')}`);
const byHostile = {};
for (const f of result.failures) {
  const key = `${f.kind} ${String(f.applied[0]).split(':')[0]}`;
  byHostile[key] = (byHostile[key] ?? 0) + 1;
}
for (const [key, n] of Object.entries(byHostile).sort()) console.log(`  ${n}\t${key}`);
for (const f of result.failures.slice(0, 20)) console.log(`  #${f.index} ${f.kind} [${f.base}; ${f.applied.join(', ')}] ${f.detail.split('\n')[0].slice(0, 300)}`);
if (result.failures.length) console.log(`fuzz: failing inputs and their replay commands are in ${outDir}`);
process.exit(result.failures.length ? 1 : 0);
