import { describe, expect, it } from 'vitest';
import { parseTraceLine, probeAddress, probeNumber, traceTableScript } from '../../src/verify/nftrace.js';

describe('traceTableScript', () => {
  const script = traceTableScript();
  it('hooks every chain at priority -400', () => {
    for (const hook of ['prerouting', 'input', 'forward', 'output', 'postrouting']) {
      expect(script).toContain(`type filter hook ${hook} priority -400; policy accept;`);
    }
  });
  it('traces only SYNs without ACK, UDP, and probes, which it drops', () => {
    expect(script).toContain('tcp flags & (syn | ack) == syn meta nftrace set 1');
    expect(script).toContain('ip daddr 127.88.0.0/16 udp dport 9 meta nftrace set 1 drop');
  });
});

describe('parseTraceLine', () => {
  it('reads an IPv4 packet line', () => {
    const ev = parseTraceLine(
      'trace id 5730ac12 ip nat OUTPUT packet: oif "lo" ip saddr 10.244.1.5 ip daddr 10.244.1.5 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 64185 ip length 60 tcp sport 42328 tcp dport 9080 tcp flags == syn tcp window 65495 ',
    );
    expect(ev).toMatchObject({
      id: '5730ac12',
      nfFamily: 'ip',
      table: 'nat',
      chain: 'OUTPUT',
      type: 'packet',
      packet: { family: 'ipv4', iif: null, oif: 'lo', src: '10.244.1.5', dst: '10.244.1.5', proto: 'tcp', sport: 42328, dport: 9080, ipId: 64185, flowLabel: null },
    });
  });

  it('reads an IPv6 packet line from prerouting', () => {
    const ev = parseTraceLine(
      'trace id f9b55c02 inet sctrace trace_prerouting packet: iif "lo" @ll,0,112 0x86dd ip6 saddr fd00:10:244:1::5 ip6 daddr ::1 ip6 dscp cs0 ip6 ecn not-ect ip6 hoplimit 64 ip6 flowlabel 424066 ip6 nexthdr tcp ip6 length 40 tcp sport 35402 tcp dport 15001 tcp flags == syn tcp window 64800 ',
    );
    expect(ev).toMatchObject({
      type: 'packet',
      packet: { family: 'ipv6', iif: 'lo', oif: null, src: 'fd00:10:244:1::5', dst: '::1', proto: 'tcp', sport: 35402, dport: 15001, flowLabel: 424066 },
    });
  });

  it('reads rule lines with handle and verdict', () => {
    expect(
      parseTraceLine('trace id 6e7d99a8 ip nat OUTPUT rule meta l4proto tcp counter packets 2 bytes 120 jump ISTIO_OUTPUT # handle 10 (verdict jump ISTIO_OUTPUT)'),
    ).toMatchObject({ type: 'rule', handle: 10, verdict: 'jump ISTIO_OUTPUT', text: 'meta l4proto tcp counter packets 2 bytes 120 jump ISTIO_OUTPUT' });
    expect(parseTraceLine('trace id bebddbb6 ip filter XCH rule tcp dport 1 counter packets 0 bytes 0 reject # handle 6 (verdict drop)')).toMatchObject({
      type: 'rule',
      handle: 6,
      verdict: 'drop',
    });
  });

  it('reads policy lines and ignores other output', () => {
    expect(parseTraceLine('trace id 6e7d99a8 ip nat POSTROUTING policy accept ')).toMatchObject({ type: 'policy', verdict: 'accept', chain: 'POSTROUTING' });
    expect(parseTraceLine('XT target REDIRECT not found')).toBeNull();
  });

  it('recognises probes by address and port', () => {
    expect(probeAddress(0x0102)).toBe('127.88.1.2');
    const probe = parseTraceLine(
      'trace id 85f74edb inet sctrace trace_output packet: oif "lo" ip saddr 127.0.0.1 ip daddr 127.88.1.2 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 50825 ip protocol udp ip length 29 udp sport 53642 udp dport 9 udp length 9 @th,64,8 0x78 ',
    )!;
    expect(probeNumber(probe)).toBe(0x0102);
    const notProbe = parseTraceLine(
      'trace id 85f74edb inet sctrace trace_output packet: oif "lo" ip saddr 127.0.0.1 ip daddr 127.88.1.2 ip protocol udp udp sport 53642 udp dport 53 ',
    )!;
    expect(probeNumber(notProbe)).toBeNull();
  });
});
