import { describe, expect, it } from 'vitest';
import { formatMarkMask, markMatch, parseMarkMask } from '../../../src/core/matches/mark.js';
import { ruleOf } from '../../helpers/packet.js';
import { matchTable } from './table.js';

matchTable(
  markMatch,
  [
    { name: 'TPROXY mark set', rule: '-m mark --mark 1337', pkt: { mark: 1337 }, want: 'yes', why: 'mark 0x539 = 0x539' },
    { name: 'no mark', rule: '-m mark --mark 1337', pkt: { mark: 0 }, want: 'no', why: 'mark 0x0 ≠ 0x539' },
    { name: 'negated, other mark', rule: '-m mark ! --mark 1338', pkt: { mark: 1337 }, want: 'yes', why: '(negated)' },
    { name: 'negated, same mark', rule: '-m mark ! --mark 1338', pkt: { mark: 1338 }, want: 'no' },
    { name: 'masked bits match', rule: '-m mark --mark 0x1/0x1', pkt: { mark: 0x539 }, want: 'yes', why: '& 0x1' },
    { name: 'masked bits differ', rule: '-m mark --mark 0x2/0x2', pkt: { mark: 0x539 }, want: 'no' },
    { name: 'value outside the mask never matches', rule: '-m mark --mark 0x3/0x1', pkt: { mark: 3 }, want: 'no' },
    { name: 'top bit set', rule: '-m mark --mark 0xffffffff', pkt: { mark: 0xffffffff }, want: 'yes' },
  ],
  { kinds: ['yes', 'no'] },
);

describe('mark values', () => {
  it('parses decimal, hex and octal, mask defaulting to all ones', () => {
    expect(parseMarkMask('mark', '1337')).toEqual({ value: 1337, mask: 0xffffffff });
    expect(parseMarkMask('mark', '0x539/0xffff')).toEqual({ value: 1337, mask: 0xffff });
    expect(parseMarkMask('mark', '010')).toEqual({ value: 8, mask: 0xffffffff });
  });
  it('prints hex, the mask only when partial', () => {
    expect(formatMarkMask({ value: 1337, mask: 0xffffffff })).toBe('0x539');
    expect(formatMarkMask({ value: 1337, mask: 0xffff })).toBe('0x539/0xffff');
  });
  it('rejects values beyond 32 bits', () => {
    expect(() => ruleOf('-m mark --mark 4294967296')).toThrow(/bad mark/);
  });
});
