import { describe, expect, it } from 'vitest';
import { makePacket, type PacketInit } from '../../helpers/packet.js';
import { run, targetOf } from './helpers.js';

interface Case {
  name: string;
  pkt: PacketInit;
  spec: string;
  addr: string;
  port: number | null;
  detail: string;
}

const cases: Case[] = [
  { name: 'one address keeps the source port', pkt: { src: '10.244.1.5', sport: 40000 }, spec: '-j SNAT --to-source 192.0.2.1', addr: '192.0.2.1', port: null, detail: 'snat to 192.0.2.1:40000' },
  {
    name: 'a source already inside the range is left unchanged',
    pkt: { src: '10.244.1.5' }, spec: '-j SNAT --to-source 10.244.1.0-10.244.1.255', addr: '10.244.1.5', port: null,
    detail: 'source already within the range: unchanged',
  },
  {
    name: '--random gives up keeping it: first address shown',
    pkt: { src: '10.244.1.5' }, spec: '-j SNAT --to-source 10.244.1.0-10.244.1.255 --random', addr: '10.244.1.0', port: null,
    detail: 'reduced to its first address',
  },
  {
    name: 'a source port outside the range gets the first port, with a note that the kernel picks at random',
    pkt: { src: '10.244.1.5', sport: 40000 }, spec: '-p tcp -j SNAT --to-source 192.0.2.1:1000-2000', addr: '192.0.2.1', port: 1000,
    detail: 'port range 1000-2000 reduced to its first port',
  },
  {
    name: 'a source port inside the range is kept',
    pkt: { src: '10.244.1.5', sport: 1500 }, spec: '-p tcp -j SNAT --to-source 192.0.2.1:1000-2000', addr: '192.0.2.1', port: null,
    detail: 'snat to 192.0.2.1:1500',
  },
  {
    name: 'IPv6', pkt: { src: 'fd00:10:244:1::5', dst: 'fd00::9', sport: 40000 },
    spec: '-p tcp -j SNAT --to-source [2001:db8::1]:5000', addr: '2001:db8::1', port: 5000, detail: 'snat to [2001:db8::1]:5000',
  },
];

describe('SNAT', () => {
  it.each(cases)('$name', (c) => {
    const out = run(c.spec, makePacket(c.pkt), { table: 'nat', hook: 'POSTROUTING' });
    expect(out.verdict).toBe('accept');
    if (out.verdict !== 'accept') return;
    expect(out.nat?.manip).toBe('src');
    expect(out.nat?.addr.text).toBe(c.addr);
    expect(out.nat?.port).toBe(c.port);
    expect(out.detail).toContain(c.detail);
  });

  it('refuses the shifted port map that only DNAT has', () => {
    expect(() => targetOf('-p tcp -j SNAT --to-source 1.1.1.1:1000-2000/1500', 'nat')).toThrow(/only supported by DNAT/);
  });
});
