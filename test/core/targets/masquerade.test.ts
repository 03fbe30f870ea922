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
  { name: 'a forwarded source becomes eth0\'s address', pkt: { src: '10.1.0.7', out: 'eth0', sport: 40000 }, spec: '-j MASQUERADE', addr: '10.244.1.5', port: null, detail: 'masquerade to 10.244.1.5:40000' },
  { name: 'a source that already is eth0\'s address is unchanged', pkt: { src: '10.244.1.5', out: 'eth0' }, spec: '-j MASQUERADE', addr: '10.244.1.5', port: null, detail: 'unchanged' },
  { name: '--to-ports outside the source port', pkt: { src: '10.1.0.7', out: 'eth0', sport: 40000 }, spec: '-p tcp -j MASQUERADE --to-ports 1024-2048', addr: '10.244.1.5', port: 1024, detail: 'reduced to its first port' },
  { name: 'IPv6 uses eth0\'s IPv6 address', pkt: { src: 'fd00:1::7', dst: 'fd00::9', out: 'eth0' }, spec: '-j MASQUERADE', addr: 'fd00:10:244:1::5', port: null, detail: 'masquerade to [fd00:10:244:1::5]:40000' },
];

describe('MASQUERADE', () => {
  it.each(cases)('$name', (c) => {
    const out = run(c.spec, makePacket(c.pkt), { table: 'nat', hook: 'POSTROUTING' });
    expect(out.verdict).toBe('accept');
    if (out.verdict !== 'accept') return;
    expect(out.nat?.manip).toBe('src');
    expect(out.nat?.addr.text).toBe(c.addr);
    expect(out.nat?.port).toBe(c.port);
    expect(out.detail).toContain(c.detail);
  });

  it.each([
    ['ipv4', { src: '10.1.0.7', out: 'eth9' }, 'eth9 has no IPv4 address'],
    ['ipv6', { src: 'fd00:1::7', dst: 'fd00::9', out: 'eth9' }, 'eth9 has no IPv6 address'],
  ] as const)('%s: an outgoing interface without an address drops', (_f, init, why) => {
    const out = run('-j MASQUERADE', makePacket(init), { table: 'nat', hook: 'POSTROUTING' });
    expect(out.verdict).toBe('drop');
    expect(detailOf(out)).toContain(why);
  });

  it('without an outgoing interface the answer is unknown', () => {
    expect(run('-j MASQUERADE', makePacket({ out: null }), { table: 'nat', hook: 'POSTROUTING' }).verdict).toBe('unknown');
  });

  it('leaves a source of 0.0.0.0 alone (accept, no binding)', () => {
    const out = run('-j MASQUERADE', makePacket({ src: '0.0.0.0', out: 'eth0' }), { table: 'nat', hook: 'POSTROUTING' });
    expect(out).toEqual({ verdict: 'accept', detail: 'masquerade: source 0.0.0.0 is left alone' });
  });
});
