/**
 * Issue 12 F1: jump graphs of 10,000 to 100,000 chains (a nest, a goto nest, a ring) are
 * refused with exit 2 and one clear line, never a stack overflow; the line stays short.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript shared with the fuzz harness
import { chainRing, deepChain } from '../../fuzz/hostile-inputs.mjs';
import { cli } from '../helpers/cli.js';

const run = (stdin: string, extra: string[] = []) => cli(['--rules', '-', '--dst', '10.244.2.7:9080', ...extra], { stdin });

describe('deep and cyclic jump graphs', () => {
  it.each([
    ['a 10,000-chain jump nest', () => deepChain(10_000) as string],
    ['a 100,000-chain jump nest', () => deepChain(100_000) as string],
    ['a 10,000-chain goto nest', () => deepChain(10_000, 'goto') as string],
  ])('%s is refused as too deep, naming the crossing rule', async (_, make) => {
    const r = await run(make());
    expect(r.code).toBe(2);
    // Line 3 + chains: the rule `-A C15 -j C16` is the one that nests a 16th user chain.
    expect(r.stderr).toMatch(/^sidecar-trace: <stdin>:\d+: jumps nest \d+ user chains deep \(OUTPUT -> C1 -> C2 .* more … -> .*C\d+\); the kernel allows 15 \("Too many links"\)\n$/);
    expect(r.stderr.length).toBeLessThan(400);
    expect(r.stdout).toBe('');
  });
  it.each([10_000, 100_000])('a %i-chain ring is refused as a loop', async (n) => {
    const r = await run(chainRing(n) as string);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sidecar-trace: <stdin>:\d+: chain loop: C1 -> C2 -> .* more … -> .* -> C1 \(the kernel rejects rule sets with jump cycles\)\n$/);
    expect(r.stderr.length).toBeLessThan(400);
  });
  it('a nest of exactly 15 user chains loads; 16 is refused naming the 16th jump', async () => {
    expect((await run(deepChain(15) as string)).code).toBe(0);
    const r = await run(deepChain(16) as string);
    expect(r.code).toBe(2);
    // Lines: *filter, :OUTPUT, 16 declarations, -A OUTPUT, then -A C1 … ; -A C15 -j C16 is line 19 + 15.
    expect(r.stderr).toBe('sidecar-trace: <stdin>:34: jumps nest 16 user chains deep (OUTPUT -> C1 -> C2 -> C3 -> C4 -> C5 -> C6 -> C7 -> C8 -> C9 -> C10 -> C11 -> C12 -> C13 -> C14 -> C15 -> C16); the kernel allows 15 ("Too many links")\n');
  });
});
