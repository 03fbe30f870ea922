import { describe, expect, it } from 'vitest';
import { makePacket } from '../../helpers/packet.js';
import { detailOf, run } from './helpers.js';

// Each case: options, skb mark and ct mark before, and both after (xt_connmark.c arithmetic).
const cases: Array<[opts: string, mark: number, ctmark: number, markAfter: number, ctAfter: number]> = [
  ['--set-mark 0x539', 0x1, 0x0, 0x1, 0x539],
  ['--set-mark 0x4/0x3', 0, 0xff, 0, 0xfc],
  ['--set-xmark 0x4/0x3', 0, 0xff, 0, 0xf8],
  ['--and-mark 0xf0', 0, 0xff, 0, 0xf0],
  ['--or-mark 0x80000000', 0, 0x1, 0, 0x80000001],
  ['--xor-mark 0xffffffff', 0, 0xffff, 0, 0xffff0000],
  // save: ct = (ct & ~ctmask) ^ (mark & nfmask)
  ['--save-mark', 0x539, 0x0, 0x539, 0x539],
  ['--save-mark', 0x539, 0xffff0000, 0x539, 0x539],
  ['--save-mark --nfmask 0xff --ctmask 0xff', 0x1234, 0xab00, 0x1234, 0xab34],
  ['--save-mark --mask 0xffff', 0xdead0539, 0xbeef0000, 0xdead0539, 0xbeef0539],
  // restore: mark = (mark & ~nfmask) ^ (ct & ctmask)
  ['--restore-mark', 0x0, 0x539, 0x539, 0x539],
  ['--restore-mark --nfmask 0xff00 --ctmask 0xff00', 0xffff, 0x12345678, 0x56ff, 0x12345678],
  // The masks apply separately: nfmask clears bits of the mark, ctmask selects bits of the ct mark.
  ['--restore-mark --nfmask 0xffffffff --ctmask 0xff', 0xffffffff, 0x539, 0x39, 0x539],
  // Revision 2 shifts (u32, so bits shifted out are lost).
  ['--save-mark --left-shift-mark 8', 0x12, 0, 0x12, 0x1200],
  ['--restore-mark --right-shift-mark 16', 0, 0x05390000, 0x539, 0x05390000],
  ['--set-xmark 0x80000001/0xffffffff --left-shift-mark 1', 0, 0, 0, 0x2],
  ['--save-mark --right-shift-mark 31', 0x80000000, 0, 0x80000000, 0x1],
];

describe('CONNMARK', () => {
  it.each(cases)('-j CONNMARK %s (mark %i, ctmark %i)', (opts, mark, ctmark, markAfter, ctAfter) => {
    const pkt = makePacket({ mark, ctmark });
    const out = run(`-j CONNMARK ${opts}`, pkt, { table: 'mangle', hook: 'PREROUTING' });
    expect(out.verdict).toBe('continue');
    expect(pkt.mark).toBe(markAfter);
    expect(pkt.conn.mark).toBe(ctAfter);
  });

  it('reports what changed', () => {
    const pkt = makePacket({ mark: 0x539 });
    expect(detailOf(run('-j CONNMARK --save-mark', pkt, { table: 'mangle', hook: 'PREROUTING' }))).toBe('save-mark: ctmark 0x0 -> 0x539 from mark 0x539');
  });

  it('does nothing to an untracked packet (no conntrack entry)', () => {
    const pkt = makePacket({ mark: 0x539 });
    pkt.conn.untracked = true;
    const out = run('-j CONNMARK --save-mark', pkt, { table: 'mangle', hook: 'PREROUTING' });
    expect(out.verdict).toBe('continue');
    expect(pkt.conn.mark).toBe(0);
    expect(detailOf(out)).toContain('untracked');
  });

  it('does nothing in raw before conntrack has seen the packet, but works on a looped-back one', () => {
    const fresh = makePacket({ ctmark: 0x539 });
    const out = run('-j CONNMARK --restore-mark', fresh, { table: 'raw', hook: 'PREROUTING' });
    expect(fresh.mark).toBe(0);
    expect(detailOf(out)).toContain('no conntrack entry yet');

    const looped = makePacket({ ctmark: 0x539, in: 'lo' });
    looped.conn.attached = true;
    run('-j CONNMARK --restore-mark', looped, { table: 'raw', hook: 'PREROUTING' });
    expect(looped.mark).toBe(0x539);
  });
});
