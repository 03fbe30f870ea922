import { describe, expect, it } from 'vitest';
import { makePacket, type PacketInit } from '../../helpers/packet.js';
import { detailOf, run, targetOf } from './helpers.js';

interface Case {
  name: string;
  pkt: PacketInit;
  spec: string;
  addr: string;
  port: number | null;
  detail: string;
}

const cases: Case[] = [
  { name: 'one address keeps the port', pkt: { dst: '10.96.0.20', dport: 443 }, spec: '-j DNAT --to-destination 10.244.3.9', addr: '10.244.3.9', port: null, detail: 'dnat to 10.244.3.9:443' },
  { name: 'address and port', pkt: { dst: '10.96.0.20', dport: 80 }, spec: '-p tcp -j DNAT --to-destination 10.244.3.9:8080', addr: '10.244.3.9', port: 8080, detail: 'dnat to 10.244.3.9:8080' },
  { name: 'port only keeps the address', pkt: { dst: '10.96.0.20', dport: 80 }, spec: '-p tcp -j DNAT --to-destination :8080', addr: '10.96.0.20', port: 8080, detail: 'dnat to 10.96.0.20:8080' },
  {
    name: 'an address range is reduced to its first address, and the detail says so',
    pkt: { dport: 80 }, spec: '-j DNAT --to-destination 10.0.0.1-10.0.0.9', addr: '10.0.0.1', port: null,
    detail: 'address range 10.0.0.1-10.0.0.9 reduced to its first address',
  },
  { name: 'a port outside the port range gets its first port', pkt: { dport: 80 }, spec: '-p tcp -j DNAT --to-destination 10.0.0.1:8000-8999', addr: '10.0.0.1', port: 8000, detail: 'first free port of 8000-8999' },
  { name: 'a port inside the port range is kept', pkt: { dport: 8080 }, spec: '-p tcp -j DNAT --to-destination 10.0.0.1:8000-8999', addr: '10.0.0.1', port: null, detail: 'port 8080 already within 8000-8999: kept' },
  // Shifted port map: min + ((port - base) mod 2^16) mod size.
  { name: 'a shifted port map moves by the offset from base', pkt: { dport: 1600 }, spec: '-p tcp -j DNAT --to-destination 1.1.1.1:1000-1999/1500', addr: '1.1.1.1', port: 1100, detail: 'dnat to 1.1.1.1:1100' },
  { name: 'a shifted port map below base wraps in 16 bits', pkt: { dport: 1400 }, spec: '-p tcp -j DNAT --to-destination 1.1.1.1:1000-1999/1500', addr: '1.1.1.1', port: 1436, detail: 'dnat to 1.1.1.1:1436' },
  {
    name: 'IPv6 address and port', pkt: { src: 'fd00::1', dst: 'fd00::2', dport: 80 },
    spec: '-p tcp -j DNAT --to-destination [dead::beef]:8080', addr: 'dead::beef', port: 8080, detail: 'dnat to [dead::beef]:8080',
  },
  {
    name: 'IPv6 range with --persistent is still reduced to its first address',
    pkt: { src: 'fd00::1', dst: 'fd00::2', dport: 80 },
    spec: '-j DNAT --to-destination dead::beef-dead::fee7 --persistent', addr: 'dead::beef', port: null, detail: 'reduced to its first address',
  },
];

describe('DNAT', () => {
  it.each(cases)('$name', (c) => {
    const pkt = makePacket(c.pkt);
    const family = pkt.family;
    const out = run(c.spec, pkt, { table: 'nat', hook: 'PREROUTING' });
    expect(out.verdict).toBe('accept');
    if (out.verdict !== 'accept') return;
    expect(out.nat).toMatchObject({ manip: 'dst', port: c.port });
    expect(out.nat?.addr.text).toBe(c.addr);
    expect(out.nat?.addr.family).toBe(family);
    expect(out.detail).toContain(c.detail);
  });

  it('does not touch the packet (the engine applies the binding)', () => {
    const pkt = makePacket({ dst: '10.96.0.20', dport: 80 });
    const before = structuredClone(pkt);
    run('-p tcp -j DNAT --to-destination 10.244.3.9:8080', pkt, { table: 'nat', hook: 'OUTPUT' });
    expect(pkt).toEqual(before);
  });

  it('a single-address range is not called reduced', () => {
    const out = run('-j DNAT --to-destination 10.0.0.1-10.0.0.1', makePacket(), { table: 'nat', hook: 'PREROUTING' });
    expect(detailOf(out)).toBe('dnat to 10.0.0.1:9080');
  });

  it.each([
    ['-j DNAT --to-destination 1.1.1.1 --to-destination 2.2.2.2', /only one --to-destination/],
    ['-j DNAT', /needs --to-destination/],
    ['-j DNAT --to-destination 1.1.1.1:80', /needs -p tcp/],
  ])('rejects %s', (spec, msg) => {
    expect(() => targetOf(spec, 'nat')).toThrow(msg);
  });
});
