import { describe, expect, it } from 'vitest';
import { makePacket, type PacketInit } from '../../helpers/packet.js';
import type { HookName } from '../../../src/core/types.js';
import { detailOf, run, targetOf } from './helpers.js';

interface Case {
  name: string;
  hook: HookName;
  pkt: PacketInit;
  spec: string;
  addr: string;
  port: number | null;
  detail: string;
}

const cases: Case[] = [
  {
    name: 'OUTPUT goes to 127.0.0.1 (Istio outbound capture)',
    hook: 'OUTPUT', pkt: { dst: '10.96.0.10', dport: 80, out: 'eth0' },
    spec: '-p tcp -j REDIRECT --to-ports 15001', addr: '127.0.0.1', port: 15001, detail: 'redirect to 127.0.0.1:15001',
  },
  {
    name: 'OUTPUT to the pod IP also goes to loopback (self call via ISTIO_IN_REDIRECT)',
    hook: 'OUTPUT', pkt: { dst: '10.244.1.5', dport: 9080, out: 'lo' },
    spec: '-p tcp -j REDIRECT --to-ports 15006', addr: '127.0.0.1', port: 15006, detail: 'redirect to 127.0.0.1:15006',
  },
  {
    name: 'PREROUTING goes to the first address of the incoming interface',
    hook: 'PREROUTING', pkt: { src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, in: 'eth0' },
    spec: '-p tcp -j REDIRECT --to-ports 15006', addr: '10.244.1.5', port: 15006, detail: 'redirect to 10.244.1.5:15006',
  },
  {
    name: 'PREROUTING on lo uses lo\'s address',
    hook: 'PREROUTING', pkt: { src: '127.0.0.6', dst: '10.244.1.5', in: 'lo' },
    spec: '-p tcp -j REDIRECT --to-ports 15006', addr: '127.0.0.1', port: 15006, detail: 'redirect to 127.0.0.1:15006',
  },
  {
    name: 'IPv6 OUTPUT goes to ::1',
    hook: 'OUTPUT', pkt: { src: 'fd00:10:244:1::5', dst: 'fd00:10:244:2::7', dport: 9080, out: 'eth0' },
    spec: '-p tcp -j REDIRECT --to-ports 15001', addr: '::1', port: 15001, detail: 'redirect to [::1]:15001',
  },
  {
    name: 'IPv6 PREROUTING goes to eth0\'s IPv6 address',
    hook: 'PREROUTING', pkt: { src: 'fd00:10:244:2::7', dst: 'fd00:10:244:1::5', dport: 9080, in: 'eth0' },
    spec: '-p tcp -j REDIRECT --to-ports 15006', addr: 'fd00:10:244:1::5', port: 15006, detail: 'redirect to [fd00:10:244:1::5]:15006',
  },
  {
    name: 'without --to-ports the port is kept',
    hook: 'OUTPUT', pkt: { dst: '10.96.0.10', dport: 8080 },
    spec: '-p tcp -j REDIRECT', addr: '127.0.0.1', port: null, detail: 'redirect to 127.0.0.1:8080',
  },
  {
    name: 'a port range gives its first port when the port lies outside it',
    hook: 'OUTPUT', pkt: { dport: 9080 },
    spec: '-p tcp -j REDIRECT --to-ports 15001-15010', addr: '127.0.0.1', port: 15001, detail: 'first free port of 15001-15010',
  },
  {
    name: 'a port already inside the range is kept (get_unique_tuple)',
    hook: 'OUTPUT', pkt: { dport: 15005 },
    spec: '-p tcp -j REDIRECT --to-ports 15001-15010', addr: '127.0.0.1', port: null, detail: 'port 15005 already within 15001-15010: kept',
  },
  {
    name: '--random skips the keep-if-in-range rule; the first port is shown and the detail says so',
    hook: 'OUTPUT', pkt: { dport: 15005 },
    spec: '-p tcp -j REDIRECT --to-ports 15001-15010 --random', addr: '127.0.0.1', port: 15001, detail: 'reduced to its first port',
  },
  {
    name: 'UDP (DNS capture) works the same',
    hook: 'OUTPUT', pkt: { proto: 'udp', dst: '10.96.0.10', dport: 53 },
    spec: '-p udp -j REDIRECT --to-ports 15053', addr: '127.0.0.1', port: 15053, detail: 'redirect to 127.0.0.1:15053',
  },
];

describe('REDIRECT', () => {
  it.each(cases)('$name', (c) => {
    const pkt = makePacket(c.pkt);
    const dstBefore = pkt.dst;
    const out = run(c.spec, pkt, { table: 'nat', hook: c.hook });
    expect(out.verdict).toBe('accept');
    if (out.verdict !== 'accept') return;
    expect(out.nat?.manip).toBe('dst');
    expect(out.nat?.addr.text).toBe(c.addr);
    expect(out.nat?.port).toBe(c.port);
    expect(out.detail).toContain(c.detail);
    // NAT is returned, never applied by the target itself.
    expect(pkt.dst).toBe(dstBefore);
  });

  it.each([
    ['ipv4', { dst: '10.244.1.5', in: 'eth9' }, 'eth9 has no IPv4 address'],
    ['ipv6', { src: 'fd00::1', dst: 'fd00:10:244:1::5', in: 'eth9' }, 'eth9 has no IPv6 address'],
  ] as const)('%s: PREROUTING on an interface without an address drops', (_family, init, why) => {
    const out = run('-p tcp -j REDIRECT --to-ports 15006', makePacket(init), { table: 'nat', hook: 'PREROUTING' });
    expect(out.verdict).toBe('drop');
    expect(detailOf(out)).toContain(why);
  });

  it('outside OUTPUT without an incoming interface the answer is unknown, not a guess', () => {
    const out = run('-p tcp -j REDIRECT --to-ports 15006', makePacket({ in: null }), { table: 'nat', hook: 'PREROUTING' });
    expect(out.verdict).toBe('unknown');
  });

  it.each([
    ['-j REDIRECT --to-ports 15001', /needs -p tcp, udp, sctp or dccp/],
    ['-p tcp -j REDIRECT --to-ports 1000:2000', /use a dash/],
    ['-p tcp -j REDIRECT --to-ports 2000-1000', /ends below its start/],
  ])('rejects %s', (spec, msg) => {
    expect(() => targetOf(spec, 'nat')).toThrow(msg);
  });
});
