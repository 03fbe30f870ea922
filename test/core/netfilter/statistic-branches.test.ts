/**
 * kube-proxy's random endpoint pick: a flow through FORWARD with DNAT, where the
 * trace lists every alternative with its probability instead of pretending.
 */
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../../src/core/trace.js';
import { cli, fixture } from '../../helpers/cli.js';

const base = ['--rules', fixture('kube-proxy/node-nat.rules'), '--src', '10.1.2.3', '--dst', '10.96.0.50:80', '--format', 'json'];

describe('statistic branches in a kube-proxy dump', () => {
  it('reports every endpoint with its probability, each forwarded after DNAT and MASQUERADE', async () => {
    const t = JSON.parse((await cli(base)).stdout) as Trace;
    expect(t.branches!.map((b) => [Number(b.probability.toFixed(6)), b.outcome.type, b.outcome.address, b.outcome.port])).toEqual([
      [0.333333, 'forwarded', '10.244.1.11', 8080],
      [0.333333, 'forwarded', '10.244.2.12', 8080],
      [0.333333, 'forwarded', '10.244.3.13', 8080],
    ]);
    expect(t.branches!.reduce((a, b) => a + b.probability, 0)).toBeCloseTo(1, 9);
    expect(t.branches![1]!.decisions.map((d) => [d.chain, d.rule, d.matched])).toEqual([
      ['KUBE-SVC-WEBWEBWEBWEBWEBW', 2, false],
      ['KUBE-SVC-WEBWEBWEBWEBWEBW', 3, true],
    ]);
    const hop = t.hops[0]!;
    expect(hop.steps.map((s) => `${s.hook} ${s.chain}#${s.rule ?? '-'} ${s.verdict}`)).toEqual([
      'PREROUTING PREROUTING#1 jump',
      'PREROUTING KUBE-SERVICES#1 jump',
      'PREROUTING KUBE-SVC-WEBWEBWEBWEBWEBW#1 jump',
      'PREROUTING KUBE-MARK-MASQ#1 continue',
      'PREROUTING KUBE-MARK-MASQ#- return',
      'PREROUTING KUBE-SVC-WEBWEBWEBWEBWEBW#2 jump',
      'PREROUTING KUBE-SEP-AAAAAAAAAAAAAAAA#2 accept',
      'POSTROUTING POSTROUTING#1 jump',
      'POSTROUTING KUBE-POSTROUTING#2 continue',
      'POSTROUTING KUBE-POSTROUTING#3 accept',
    ]);
    expect(hop.steps.find((s) => s.target === 'DNAT')!.nat).toEqual({ manip: 'dst', from: '10.96.0.50:80', to: '10.244.1.11:8080' });
    expect(hop.steps.find((s) => s.target === 'MASQUERADE')!.nat).toEqual({ manip: 'src', from: '10.1.2.3:40000', to: '10.244.1.5:40000' });
    expect(t.warnings.join()).toMatch(/3 alternatives/);
  });
  it('--pick first and --pick N follow one branch deterministically', async () => {
    const first = JSON.parse((await cli([...base, '--pick', 'first'])).stdout) as Trace;
    expect(first.branches).toBeUndefined();
    expect(first.hops[0]!.outcome.address).toBe('10.244.1.11');
    const third = JSON.parse((await cli([...base, '--pick', '3'])).stdout) as Trace;
    expect(third.hops[0]!.outcome.address).toBe('10.244.3.13');
    expect(third.warnings.join()).toMatch(/followed alternative 3 of 3/);
    const bad = await cli([...base, '--pick', '4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--pick 4: this flow has 3 alternatives/);
  });
});

// Found by the random kernel differential (test/fixtures/random-kernel/statistic-certain-branch-*):
// a statistic match that is certain (probability 0 or 1, every 1, after "!") is no branch.
describe('a certain statistic match is decided, not branched', () => {
  it.each([
    ['statistic-certain-branch-1.rules', ['--src', '127.0.0.1', '--dst', '127.0.0.1:53', '--uid', '1000']],
    ['statistic-certain-branch-2.rules', ['--src', '10.244.1.5', '--dst', '10.244.2.7:15000', '--uid', '1000', '--gid', '1337']],
    ['statistic-certain-branch-3.rules', ['--src', '10.244.2.7', '--dst', '10.244.1.5:3306']],
  ])('%s: the rule never matches and the trace has one path', async (file, flow) => {
    const t = JSON.parse((await cli(['--rules', fixture(`random-kernel/${file}`), ...flow, '--proto', 'tcp', '--format', 'json'])).stdout) as Trace;
    expect(t.branches).toBeUndefined();
    expect(t.hops[0]!.steps.every((s) => s.rule === undefined || s.rule === null)).toBe(true);
  });
});
