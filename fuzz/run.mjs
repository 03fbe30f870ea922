#!/usr/bin/env node
/**
 * `npm run fuzz [-- --count N --seed S]`: a long fuzz run by hand (CI runs a
 * short one through the test suite). Prints a tally; exits 1 on any failure.
 * A watchdog reports a hang (no progress for 30 s) with the input's index.
 */
import { fuzz } from './harness.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const count = arg('count', 3000);
const seed = arg('seed', 1);
let last = Date.now();
let at = 0;
const watchdog = setInterval(() => {
  if (Date.now() - last > 30_000) {
    console.error(`HANG: no progress for 30 s near input ${at} (seed ${seed}); replay with inputFor(loadSeeds(), ${seed}, ${at})`);
    process.exit(1);
  }
}, 1000);
const t0 = Date.now();
const result = await fuzz({
  count,
  seed,
  onProgress: (i, failures) => {
    last = Date.now();
    at = i;
    process.stderr.write(`\r${i}/${count} inputs, ${failures} failures`);
  },
});
clearInterval(watchdog);
process.stderr.write('\n');
console.log(`fuzz: ${result.tried} inputs from ${result.seeds} seed files (seed ${seed}) in ${((Date.now() - t0) / 1000).toFixed(1)} s; slowest input ${result.slowestMs.toFixed(0)} ms`);
console.log(`fuzz: ${result.exits[0]} traces (exit 0), ${result.exits[2]} clean errors (exit 2)`);
console.log(`fuzz: ${result.failures.length} failures (crashes, hangs, nondeterminism, memory)`);
for (const f of result.failures.slice(0, 20)) console.log(`  #${f.index} ${f.kind} [${f.base}; ${f.applied.join(', ')}] ${f.detail}`);
process.exit(result.failures.length ? 1 : 0);
