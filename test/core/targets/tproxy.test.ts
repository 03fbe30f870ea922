import { describe, expect, it } from 'vitest';
import { addr, fakeHost, makePacket, type PacketInit } from '../../helpers/packet.js';
import type { LocalSocket } from '../../../src/core/netfilter/packet.js';
import { detailOf, run, targetOf } from './helpers.js';

const sock = (over: Partial<LocalSocket>): LocalSocket => ({
  family: 'any', proto: 'tcp', address: null, port: 15006, transparent: true, label: 'Envoy inbound', ...over,
});
const ISTIO = '-p tcp -j TPROXY --on-port 15006 --on-ip 0.0.0.0 --tproxy-mark 0x539/0xffffffff';
const inbound: PacketInit = { src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, in: 'eth0' };

interface Case {
  name: string;
  spec: string;
  pkt: PacketInit;
  listeners: LocalSocket[];
  verdict: 'accept' | 'drop';
  mark: number;
  detail: string;
}

const cases: Case[] = [
  { name: 'Istio inbound: transparent wildcard listener, mark 0x539 set', spec: ISTIO, pkt: inbound, listeners: [sock({})], verdict: 'accept', mark: 0x539, detail: 'tproxy to Envoy inbound on tcp 10.244.1.5:15006, mark 0x0 -> 0x539' },
  { name: 'no listener: drop, mark untouched', spec: ISTIO, pkt: inbound, listeners: [], verdict: 'drop', mark: 0, detail: 'no socket listens on tcp 10.244.1.5:15006' },
  { name: 'a listener without IP_TRANSPARENT: drop', spec: ISTIO, pkt: inbound, listeners: [sock({ transparent: false, label: 'app' })], verdict: 'drop', mark: 0, detail: 'app on tcp 10.244.1.5:15006 is not transparent' },
  { name: 'a UDP packet does not find a TCP listener', spec: '-p udp -j TPROXY --on-port 15006', pkt: { ...inbound, proto: 'udp' }, listeners: [sock({})], verdict: 'drop', mark: 0, detail: 'no socket listens on udp' },
  { name: '--on-port 0 keeps the packet\'s port', spec: '-p tcp -j TPROXY --on-port 0 --tproxy-mark 0x1', pkt: inbound, listeners: [sock({ port: 9080, label: 'app-t' })], verdict: 'accept', mark: 1, detail: 'app-t on tcp 10.244.1.5:9080' },
  {
    name: 'without --on-ip the first address of the incoming interface is looked up',
    spec: '-p tcp -j TPROXY --on-port 15006', pkt: inbound,
    listeners: [sock({ address: addr('10.244.1.5'), label: 'pod-ip listener' })], verdict: 'accept', mark: 0, detail: 'pod-ip listener',
  },
  {
    name: '--on-ip is looked up instead of the interface address',
    spec: '-p tcp -j TPROXY --on-port 15006 --on-ip 127.0.0.1', pkt: inbound,
    listeners: [sock({ address: addr('10.244.1.5'), label: 'pod-ip listener' })], verdict: 'drop', mark: 0, detail: 'no socket listens on tcp 127.0.0.1:15006 (--on-ip)',
  },
  {
    name: 'an interface without an address falls back to the packet destination',
    spec: '-p tcp -j TPROXY --on-port 15006', pkt: { ...inbound, dst: '10.9.9.9', in: 'eth9' },
    listeners: [sock({ address: addr('10.9.9.9'), label: 'dst listener' })], verdict: 'accept', mark: 0, detail: 'dst listener on tcp 10.9.9.9:15006',
  },
  { name: 'the mark mask is honoured', spec: '-p tcp -j TPROXY --on-port 15006 --tproxy-mark 0x1/0x1', pkt: { ...inbound, mark: 0xf0 }, listeners: [sock({})], verdict: 'accept', mark: 0xf1, detail: 'mark 0xf0 -> 0xf1' },
  { name: 'the default mark 0/0 leaves the mark alone', spec: '-p tcp -j TPROXY --on-port 15006', pkt: { ...inbound, mark: 0xf0 }, listeners: [sock({})], verdict: 'accept', mark: 0xf0, detail: 'mark 0xf0 -> 0xf0' },
  { name: 'a refused packet keeps its mark', spec: ISTIO, pkt: { ...inbound, mark: 0xf0 }, listeners: [], verdict: 'drop', mark: 0xf0, detail: 'drops the packet' },
  {
    name: 'IPv6 with a transparent IPv6 listener',
    spec: '-p tcp -j TPROXY --on-port 15006 --tproxy-mark 0x539/0xffffffff', pkt: { src: 'fd00:10:244:2::7', dst: 'fd00:10:244:1::5', in: 'eth0' },
    listeners: [sock({ family: 'ipv6' })], verdict: 'accept', mark: 0x539, detail: 'on tcp [fd00:10:244:1::5]:15006',
  },
  {
    name: 'IPv6 does not find an IPv4-only listener',
    spec: '-p tcp -j TPROXY --on-port 15006', pkt: { src: 'fd00:10:244:2::7', dst: 'fd00:10:244:1::5', in: 'eth0' },
    listeners: [sock({ family: 'ipv4' })], verdict: 'drop', mark: 0, detail: 'no socket listens',
  },
];

describe('TPROXY', () => {
  it.each(cases)('$name', (c) => {
    const pkt = makePacket(c.pkt);
    const dst = pkt.dst;
    const out = run(c.spec, pkt, { table: 'mangle', hook: 'PREROUTING', host: fakeHost(c.listeners) });
    expect(out.verdict).toBe(c.verdict);
    expect(pkt.mark).toBe(c.mark);
    expect(detailOf(out)).toContain(c.detail);
    if (out.verdict === 'accept') {
      expect(out.socket).toBe(c.listeners[0]);
      expect(out.nat).toBeUndefined();
    }
    // The packet header is not rewritten.
    expect(pkt.dst).toBe(dst);
  });

  describe('the established socket of the packet is looked up first (a reply meets its client)', () => {
    const client = sock({ address: addr('10.244.1.5'), port: 40000, transparent: false, label: "the client's socket" });
    const withClient = (c: LocalSocket) => ({ ...fakeHost([sock({})]), establishedSocket: () => c });
    it('a non-transparent established socket: drop, even with a transparent listener on --on-port', () => {
      const pkt = makePacket({ ...inbound, ctstate: 'ESTABLISHED' });
      const out = run(ISTIO, pkt, { table: 'mangle', hook: 'PREROUTING', host: withClient(client) });
      expect(out.verdict).toBe('drop');
      expect(pkt.mark).toBe(0);
      expect(detailOf(out)).toContain("belongs to the client's socket, which is not transparent");
    });
    it('a transparent established socket: assigned, mark set', () => {
      const t = { ...client, transparent: true };
      const pkt = makePacket({ ...inbound, ctstate: 'ESTABLISHED' });
      const out = run(ISTIO, pkt, { table: 'mangle', hook: 'PREROUTING', host: withClient(t) });
      expect(out.verdict).toBe('accept');
      expect(out.verdict === 'accept' && out.socket).toBe(t);
      expect(pkt.mark).toBe(0x539);
    });
  });

  it.each(['-j TPROXY --on-port 1', '! -p tcp -j TPROXY --on-port 1', '-p sctp -j TPROXY --on-port 1'])('%s is refused (needs -p tcp or -p udp)', (spec) => {
    expect(() => targetOf(spec, 'mangle')).toThrow(/only be used with -p tcp or -p udp/);
  });
});
