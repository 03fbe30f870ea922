/**
 * Issue 12 F2: a trace is bounded in work and size. Jump fan-out (3^15 rule visits for
 * one packet) and nested statistic jumps stop cleanly at the budget, with outcome
 * "budget", where it stopped and why, and bounded output; --max-steps moves the limit.
 */
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/core/trace.js';
// @ts-expect-error -- plain JavaScript shared with the fuzz harness
import { jumpFanOut, statisticTree } from '../../fuzz/hostile-inputs.mjs';
import { cli } from '../helpers/cli.js';

const run = (stdin: string, extra: string[] = []) => cli(['--rules', '-', '--dst', '10.244.2.7:9080', ...extra], { stdin });
const last = (t: Trace) => t.hops[t.hops.length - 1]!;

describe('the step budget', () => {
  it('stops the walk at the rule where it runs out, and says so in the outcome and a warning', async () => {
    // OUTPUT -> C1 -> C2 -> C3 (RETURN), C2's second jump -> C3 again: the 6th step is C3 rule 1.
    const r = await run(jumpFanOut(3, 2) as string, ['--format', 'json', '--max-steps', '5']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.hops).toHaveLength(1);
    const why = 'stopped in filter OUTPUT, chain C3 at rule 1: step budget of 5 used up (rules evaluated, over all hops and alternatives; raise it with --max-steps)';
    expect(last(t).outcome).toEqual({ type: 'budget', detail: why });
    expect(last(t).steps.map((s) => `${s.chain} ${s.rule} ${s.verdict}`)).toEqual(['OUTPUT 1 jump', 'C1 1 jump', 'C2 1 jump', 'C3 1 return', 'C2 2 jump']);
    expect(t.warnings).toEqual([`trace incomplete: hop 1 ${why}`]);
  });
  it('one more step finishes the same walk', async () => {
    const r = await run(jumpFanOut(3, 2) as string, ['--format', 'json', '--max-steps', '15']);
    const t = JSON.parse(r.stdout) as Trace;
    expect(last(t).outcome.type).toBe('egress');
    expect(t.warnings).toEqual([]);
  });
  it('a truncated trace shows as stopped in the path', async () => {
    const r = await run(jumpFanOut(3, 2) as string, ['--format', 'path', '--max-steps', '5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/→ STOPPED \(budget\)\n$/);
  });
  it.each([
    ['--max-steps', '0', '--max-steps must be at least 1'],
    ['--max-steps', 'many', '--max-steps: "many" is not a non-negative integer'],
    ['--max-trace-size', '0', '--max-trace-size must be at least 1 (MiB)'],
  ])('%s %s is refused', async (flag, value, message) => {
    const r = await run(jumpFanOut(3, 2) as string, [flag, value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('hostile fan-out', () => {
  it('15 chains jumping 3 times each (3^15 visits) stop at the size budget with bounded output', async () => {
    const r = await run(jumpFanOut(15, 3) as string, ['--format', 'json']);
    expect(r.code).toBe(0);
    // The default size budget is 16 MiB of (estimated) JSON; the output stays near it.
    expect(r.stdout.length).toBeLessThan(24 * 1024 * 1024);
    const t = JSON.parse(r.stdout) as Trace;
    expect(last(t).outcome.type).toBe('budget');
    expect(last(t).outcome.detail).toMatch(/^stopped in filter OUTPUT, chain C\d+ at rule \d: trace size budget of 16 MiB used up \(raise it with --max-trace-size MIB\)$/);
    expect(t.warnings[0]).toMatch(/^trace incomplete: hop 1 stopped in filter OUTPUT/);
  });
  it('with rules that do not match between the jumps, the step budget stops it first', async () => {
    const r = await run(jumpFanOut(15, 3, 'filter', 50) as string, ['--format', 'path', '--max-steps', '100000']);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThan(1024 * 1024);
    expect(r.stdout).toMatch(/→ STOPPED \(budget\)\n$/);
  });
});

describe('statistic alternatives share one budget', () => {
  it('nested statistic jumps stop inside the first alternative; the enumeration stops there', async () => {
    const r = await run(statisticTree(15, 2) as string, ['--format', 'json', '--max-steps', '20000']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as Trace;
    expect(last(t).outcome.type).toBe('budget');
    expect(t.branches).toBeUndefined();
    expect(t.warnings.join('\n')).toMatch(/trace incomplete: hop 1 stopped in filter OUTPUT, chain S\d+ at (?:rule \d+|its end): step budget of 20000 used up/);
    expect(r.stdout.length).toBeLessThan(8 * 1024 * 1024);
  });
  it('--pick first is bounded the same way', async () => {
    const r = await run(statisticTree(15, 2) as string, ['--format', 'json', '--pick', 'first', '--max-steps', '20000']);
    const t = JSON.parse(r.stdout) as Trace;
    expect(last(t).outcome.type).toBe('budget');
  });
  it('--pick N beyond the alternatives enumerated before the budget ran out is refused, saying why', async () => {
    const r = await run(statisticTree(15, 2) as string, ['--pick', '3', '--max-steps', '20000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sidecar-trace: --pick 3: the trace's budget ran out while enumerating alternative 1 \(filter OUTPUT, chain S\d+ at (?:rule \d+|its end)\); raise --max-steps or --max-trace-size, or use --pick first\n$/);
  });
  it('a budget spent over several alternatives lists those enumerated, the last one stopped', async () => {
    // Two statistic rules in OUTPUT: 3 alternatives of 1, 2 and 3 steps (rules evaluated, the chain's end).
    const rules = '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m statistic --mode random --probability 0.5 -j RETURN\n-A OUTPUT -m statistic --mode random --probability 0.5 -j RETURN\nCOMMIT\n';
    const full = JSON.parse((await run(rules, ['--format', 'json'])).stdout) as Trace;
    expect(full.branches!.map((b) => b.outcome.type)).toEqual(['egress', 'egress', 'egress']);
    const r = await run(rules, ['--format', 'json', '--max-steps', '2']);
    const t = JSON.parse(r.stdout) as Trace;
    // Alternative 1 takes 1 step (rule 1 matches and returns to the policy); alternative 2 runs out at rule 2.
    expect(t.branches!.map((b) => b.outcome.type)).toEqual(['egress', 'budget']);
    expect(t.branches![1]!.outcome.detail).toBe('stopped in filter OUTPUT, chain OUTPUT at rule 2: step budget of 2 used up (rules evaluated, over all hops and alternatives; raise it with --max-steps)');
    expect(t.warnings.join('\n')).toContain('2 alternatives (stopped at the budget: the last is incomplete, later ones are not listed)');
  });
});
