import { describe, expect, it } from 'vitest';
import { makePacket } from '../../helpers/packet.js';
import { run, targetOf } from './helpers.js';

describe('TRACE', () => {
  it.each(['PREROUTING', 'OUTPUT'] as const)('continues in raw %s without changing the packet', (hook) => {
    const pkt = makePacket();
    const before = structuredClone(pkt);
    const out = run('-j TRACE', pkt, { table: 'raw', hook });
    expect(out.verdict).toBe('continue');
    expect(out).toHaveProperty('detail', expect.stringContaining('trace'));
    expect(pkt).toEqual(before);
  });

  it('is taken in every table, as iptables-nft takes it (meta nftrace)', () => {
    for (const table of ['raw', 'filter', 'mangle', 'nat', 'security'] as const) expect(targetOf('-j TRACE', table).module.name).toBe('TRACE');
  });
});
