import { describe, expect, it } from 'vitest';
import { iprangeMatch } from '../../../src/core/matches/iprange.js';
import { ruleOf } from '../../helpers/packet.js';
import { matchTable } from './table.js';

matchTable(
  iprangeMatch,
  [
    { name: 'destination inside', rule: '-m iprange --dst-range 10.244.2.1-10.244.2.10', pkt: { dst: '10.244.2.7' }, want: 'yes', why: 'dst 10.244.2.7 in 10.244.2.1-10.244.2.10' },
    { name: 'destination outside', rule: '-m iprange --dst-range 10.244.2.1-10.244.2.5', pkt: { dst: '10.244.2.7' }, want: 'no', why: 'not in' },
    { name: 'negated, outside', rule: '-m iprange ! --dst-range 10.244.2.1-10.244.2.5', pkt: { dst: '10.244.2.7' }, want: 'yes', why: '(negated)' },
    { name: 'negated, inside', rule: '-m iprange ! --src-range 10.244.1.0-10.244.1.255', pkt: { src: '10.244.1.5' }, want: 'no' },
    { name: 'inclusive ends', rule: '-m iprange --src-range 10.244.1.5-10.244.1.9', pkt: { src: '10.244.1.5' }, want: 'yes' },
    { name: 'single address', rule: '-m iprange --src-range 10.244.1.5', pkt: { src: '10.244.1.5' }, want: 'yes' },
    { name: 'reversed range never matches', rule: '-m iprange --dst-range 10.244.2.9-10.244.2.1', pkt: { dst: '10.244.2.7' }, want: 'no' },
    { name: 'both ranges must hold', rule: '-m iprange --src-range 10.0.0.0-10.0.0.1 --dst-range 10.244.2.0-10.244.2.255', want: 'no' },
    { name: 'IPv6', rule: '-m iprange --dst-range fd00:10:244:2::1-fd00:10:244:2::ff', family: 'ipv6', want: 'yes' },
  ],
  { kinds: ['yes', 'no'] },
);

describe('iprange parsing', () => {
  it('saves a single address as a-a', () => {
    expect(ruleOf('-m iprange --src-range 1.1.1.1').text).toBe('-m iprange --src-range 1.1.1.1-1.1.1.1');
  });
  it('rejects the other family', () => {
    expect(() => ruleOf('-m iprange --src-range fd00::1-fd00::2')).toThrow(/not an IPv4 address/);
  });
});
