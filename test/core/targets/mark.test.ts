import { describe, expect, it } from 'vitest';
import { makePacket } from '../../helpers/packet.js';
import { detailOf, run, targetOf } from './helpers.js';

// mark = (mark & ~mask) ^ value, on unsigned 32-bit numbers.
const cases: Array<[spec: string, before: number, after: number]> = [
  ['--set-mark 0x539', 0xffff0000, 0x539],
  ['--set-mark 1337', 0, 1337],
  ['--set-mark 0x1/0x3', 0xff, 0xfd],
  // --set-mark v/m clears m|v: the 0x4 bit is cleared first, then set.
  ['--set-mark 0x4/0x3', 0xff, 0xfc],
  // --set-xmark v/m clears only m, then XORs: the 0x4 bit flips off.
  ['--set-xmark 0x4/0x3', 0xff, 0xf8],
  ['--and-mark 0xf0', 0xff, 0xf0],
  ['--and-mark 0', 0xffffffff, 0],
  ['--or-mark 0x100', 0xff, 0x1ff],
  ['--xor-mark 0xff', 0x0f, 0xf0],
  // 32-bit edges: results stay unsigned, never negative.
  ['--or-mark 0x80000000', 1, 0x80000001],
  ['--set-mark 0xffffffff', 0, 0xffffffff],
  ['--xor-mark 0x80000000', 0x80000000, 0],
  ['--xor-mark 0xffffffff', 0x0000ffff, 0xffff0000],
  ['--set-xmark 0x80000000/0x80000000', 0x7fffffff, 0xffffffff],
  ['--and-mark 0xffffffff', 0x80000001, 0x80000001],
];

describe('MARK', () => {
  it.each(cases)('-j MARK %s: %i -> %i', (opts, before, after) => {
    const pkt = makePacket({ mark: before, ctmark: 0x1234 });
    const out = run(`-j MARK ${opts}`, pkt, { table: 'mangle', hook: 'OUTPUT' });
    expect(out.verdict).toBe('continue');
    expect(pkt.mark).toBe(after);
    expect(pkt.mark).toBeGreaterThanOrEqual(0);
    // MARK sets the packet mark only, never the conntrack mark.
    expect(pkt.conn.mark).toBe(0x1234);
    expect(detailOf(out)).toContain(`-> 0x${after.toString(16)}`);
  });

  it.each([
    ['--set-mark 1337', 'set 0x539'],
    ['--and-mark 0xff', 'and 0xff'],
    ['--or-mark 0x10', 'or 0x10'],
    ['--xor-mark 0x10', 'xor 0x10'],
    ['--set-xmark 0x1/0x3', 'xset 0x1/0x3'],
  ])('%s is described as "%s"', (opts, words) => {
    expect(detailOf(run(`-j MARK ${opts}`, makePacket(), { table: 'mangle', hook: 'PREROUTING' }))).toContain(`mark ${words}`);
  });

  it('works in any table (revision 2 has no table restriction)', () => {
    for (const table of ['raw', 'mangle', 'nat', 'filter', 'security'] as const) {
      expect(targetOf('-j MARK --set-mark 1', table).module.tables).toBeUndefined();
    }
  });
});
