/**
 * The CI-sized fuzz run (issues 7 and 12): a few thousand mutated real dumps through the
 * built CLI, each in a worker thread under a wall-clock and memory limit, asserting that
 * each ends in a trace or a clean one-line error, the same way twice, within a bound per
 * line, with no raw control character in an error message. `npm run fuzz -- --count 100000
 * [--hostile]` runs the long version by hand; the hostile kinds are held to 1 GB by
 * corpus-memory.test.ts. Needs the build (npm test builds first).
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { fuzz } from '../../fuzz/harness.mjs';

const COUNT = Number(process.env.FUZZ_COUNT ?? 2500);

describe('fuzz', () => {
  it(`${COUNT} mutated dumps: no crash, hang, nondeterminism, blow-up or raw control character on the terminal`, async () => {
    const result = await fuzz({ count: COUNT, seed: 20261126 });
    console.log(`fuzz: ${result.tried} inputs tried (${result.exits[0]} traces, ${result.exits[2]} clean errors); slowest ${result.slowestMs.toFixed(0)} ms; failures by kind ${JSON.stringify(result.byKind)}`);
    expect(result.failures).toEqual([]);
    // Both outcomes must really occur, or the harness is not exercising anything.
    expect(result.exits[0]).toBeGreaterThan(COUNT / 10);
    expect(result.exits[2]).toBeGreaterThan(COUNT / 10);
  }, 300_000);
});
