import { describe, expect, it } from 'vitest';
import { buildHops } from '../../src/verify/hops.js';
import type { RuleIndex } from '../../src/verify/mapping.js';
import { parseTraceLine, type TraceEvent } from '../../src/verify/nftrace.js';

// nft monitor output of flow 10 (uid 1337 -> own pod IP), plus a repeated SYN and a probe.
const LINES = `
trace id 00000001 inet sctrace trace_output packet: oif "lo" ip saddr 127.0.0.1 ip daddr 127.88.0.0 ip protocol udp udp sport 40000 udp dport 9
trace id 00000001 inet sctrace trace_output rule ip daddr 127.88.0.0/16 udp dport 9 meta nftrace set 1 drop # handle 8 (verdict drop)
trace id 6e7d99a8 inet sctrace trace_output packet: oif "lo" ip saddr 10.244.1.5 ip daddr 10.244.1.5 ip id 27324 ip protocol tcp tcp sport 40456 tcp dport 9080 tcp flags == syn
trace id 6e7d99a8 inet sctrace trace_output rule tcp flags syn / syn,ack meta nftrace set 1 # handle 9 (verdict continue)
trace id 6e7d99a8 inet sctrace trace_output policy accept
trace id 6e7d99a8 ip nat OUTPUT packet: oif "lo" ip saddr 10.244.1.5 ip daddr 10.244.1.5 ip id 27324 tcp sport 40456 tcp dport 9080 tcp flags == syn
trace id 6e7d99a8 ip nat OUTPUT rule meta l4proto tcp counter packets 1 bytes 60 jump ISTIO_OUTPUT # handle 10 (verdict jump ISTIO_OUTPUT)
trace id 6e7d99a8 ip nat ISTIO_OUTPUT rule oifname "lo" ip daddr != 127.0.0.1 skuid 1337 counter packets 1 bytes 60 jump ISTIO_IN_REDIRECT # handle 19 (verdict jump ISTIO_IN_REDIRECT)
trace id 6e7d99a8 ip nat ISTIO_IN_REDIRECT rule meta l4proto tcp counter packets 1 bytes 60 redirect to :15006 # handle 17 (verdict accept)
trace id 6e7d99a8 inet sctrace trace_postrouting packet: oif "lo" ip saddr 10.244.1.5 ip daddr 127.0.0.1 ip id 27324 ip protocol tcp tcp sport 40456 tcp dport 15006 tcp flags == syn
trace id 6e7d99a8 inet sctrace trace_postrouting policy accept
trace id 6e7d99a8 ip nat POSTROUTING packet: oif "lo" ip saddr 10.244.1.5 ip daddr 127.0.0.1 ip id 27324 tcp sport 40456 tcp dport 15006 tcp flags == syn
trace id 6e7d99a8 ip nat POSTROUTING policy accept
trace id ce41034a inet sctrace trace_prerouting packet: iif "lo" ip saddr 10.244.1.5 ip daddr 127.0.0.1 ip id 27324 ip protocol tcp tcp sport 40456 tcp dport 15006 tcp flags == syn
trace id ce41034a inet sctrace trace_prerouting rule tcp flags syn / syn,ack meta nftrace set 1 # handle 6 (verdict continue)
trace id ce41034a inet sctrace trace_prerouting policy accept
trace id ce41034a ip filter INPUT packet: iif "lo" ip saddr 10.244.1.5 ip daddr 127.0.0.1 ip id 27324 tcp sport 40456 tcp dport 15006 tcp flags == syn
trace id ce41034a ip filter INPUT policy accept
trace id 77777777 inet sctrace trace_output packet: oif "lo" ip saddr 10.244.1.5 ip daddr 10.244.1.5 ip id 27999 ip protocol tcp tcp sport 40456 tcp dport 9080 tcp flags == syn
trace id 77777777 inet sctrace trace_output policy accept
trace id 77777777 ip filter OUTPUT packet: oif "lo" ip saddr 10.244.1.5 ip daddr 10.244.1.5 ip id 27999 tcp sport 40456 tcp dport 9080 tcp flags == syn
trace id 77777777 ip filter OUTPUT policy accept
`;

const EVENTS = LINES.trim()
  .split('\n')
  .map((l) => parseTraceLine(l))
  .filter((e): e is TraceEvent => e !== null);

const ref = (chain: string, position: number, text: string, target: string) => ({ family: 'ipv4' as const, table: 'nat' as const, chain, position, text, target });
const INDEX: RuleIndex = {
  rules: new Map([
    ['ip nat 10', ref('OUTPUT', 1, '-A OUTPUT -p tcp -j ISTIO_OUTPUT', 'ISTIO_OUTPUT')],
    ['ip nat 19', ref('ISTIO_OUTPUT', 2, '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT', 'ISTIO_IN_REDIRECT')],
    ['ip nat 17', ref('ISTIO_IN_REDIRECT', 1, '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006', 'REDIRECT')],
  ]),
  hooks: new Map([
    ['ip nat OUTPUT', 'OUTPUT'],
    ['ip nat POSTROUTING', 'POSTROUTING'],
    ['ip filter INPUT', 'INPUT'],
    ['ip filter OUTPUT', 'OUTPUT'],
    ['inet sctrace trace_output', 'OUTPUT'],
    ['inet sctrace trace_prerouting', 'PREROUTING'],
    ['inet sctrace trace_postrouting', 'POSTROUTING'],
  ]),
};

describe('buildHops', () => {
  const built = buildHops(
    EVENTS,
    INDEX,
    [{ listener: 0, ns: 'pod', proto: 'tcp', local: { address: '127.0.0.1', port: 15006 }, remote: { address: '10.244.1.5', port: 40456 } }],
    [{ openedBy: { kind: 'start', index: 0 }, ns: 'pod', spec: { proto: 'tcp', dst: '10.244.1.5', dport: 9080 }, uid: 1337, gid: 1337, ok: true, local: { address: '10.244.1.5', port: 40456 } }],
  );

  it('makes one hop of a packet and its loop back over lo, skipping probes', () => {
    expect(built.warnings).toEqual([]);
    expect(built.hops).toHaveLength(1);
    const hop = built.hops[0]!;
    expect(hop.packet).toEqual({ proto: 'tcp', src: '10.244.1.5', sport: 40456, dst: '10.244.1.5', dport: 9080, in: null, out: 'lo' });
    expect(hop.traceIds).toEqual(['6e7d99a8', 'ce41034a']);
    expect(hop.steps.map((s) => [s.hook, s.table, s.chain, s.rule, s.kind, s.target, s.verdict])).toEqual([
      ['OUTPUT', 'nat', 'OUTPUT', 1, 'rule', 'ISTIO_OUTPUT', 'jump'],
      ['OUTPUT', 'nat', 'ISTIO_OUTPUT', 2, 'rule', 'ISTIO_IN_REDIRECT', 'jump'],
      ['OUTPUT', 'nat', 'ISTIO_IN_REDIRECT', 1, 'rule', 'REDIRECT', 'accept'],
      ['POSTROUTING', 'nat', 'POSTROUTING', null, 'policy', 'ACCEPT', 'accept'],
      ['INPUT', 'filter', 'INPUT', null, 'policy', 'ACCEPT', 'accept'],
    ]);
    expect(hop.steps[2]!.effect).toBe('dst 10.244.1.5:9080 -> 127.0.0.1:15006');
  });

  it('matches the opener and the listener by the client address and port', () => {
    expect(built.hops[0]!.openedBy).toEqual({ kind: 'start', index: 0 });
    expect(built.hops[0]!.delivered).toEqual({ ns: 'pod', listener: 0, address: '127.0.0.1', port: 15006 });
  });

  it('does not report a repeated first packet as a new hop, but keeps its steps for the counters', () => {
    expect(built.repeatSteps.map((r) => [r.family, r.step.table, r.step.chain, r.step.kind])).toEqual([['ipv4', 'filter', 'OUTPUT', 'policy']]);
  });
});

describe('buildHops with a retransmitted SYN that loops back over lo', () => {
  // The SYN of flow 10 went unanswered and was sent again: its OUTPUT half repeats the first
  // packet's 5-tuple, and its looped-back half (after REDIRECT) must not become a new hop.
  const retransmit = `
trace id 88888888 inet sctrace trace_output packet: oif "lo" ip saddr 10.244.1.5 ip daddr 10.244.1.5 ip id 27325 ip protocol tcp tcp sport 40456 tcp dport 9080 tcp flags == syn
trace id 88888888 inet sctrace trace_output policy accept
trace id 99999999 inet sctrace trace_prerouting packet: iif "lo" ip saddr 10.244.1.5 ip daddr 127.0.0.1 ip id 27325 ip protocol tcp tcp sport 40456 tcp dport 15006 tcp flags == syn
trace id 99999999 inet sctrace trace_prerouting policy accept
trace id 99999999 ip filter INPUT packet: iif "lo" ip saddr 10.244.1.5 ip daddr 127.0.0.1 ip id 27325 tcp sport 40456 tcp dport 15006 tcp flags == syn
trace id 99999999 ip filter INPUT policy accept
`;
  const events = [...EVENTS, ...retransmit.trim().split('\n').map((l) => parseTraceLine(l)).filter((e): e is TraceEvent => e !== null)];
  const built = buildHops(events, INDEX, [], []);

  it('keeps one hop and counts the retransmission as a repeat', () => {
    expect(built.warnings).toEqual([]);
    expect(built.hops).toHaveLength(1);
    expect(built.hops[0]!.traceIds).toEqual(['6e7d99a8', 'ce41034a']);
    expect(built.repeatSteps.map((r) => [r.step.table, r.step.chain, r.step.kind])).toEqual([
      ['filter', 'OUTPUT', 'policy'],
      ['filter', 'INPUT', 'policy'],
    ]);
  });
});
