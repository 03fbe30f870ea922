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

  it('exists in the raw table only', () => {
    expect(targetOf('-j TRACE', 'raw').module.tables).toEqual(['raw']);
    for (const table of ['filter', 'mangle', 'nat'] as const) expect(() => targetOf('-j TRACE', table)).toThrow(/only valid in the raw table/);
  });
});
