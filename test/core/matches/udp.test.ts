import { describe, expect, it } from 'vitest';
import { udpMatch } from '../../../src/core/matches/udp.js';
import { makePacket, ruleOf, ctx } from '../../helpers/packet.js';
import { matchTable, optionsOf } from './table.js';

matchTable(
  udpMatch,
  [
    { name: 'DNS query', rule: '-p udp --dport 53', pkt: { proto: 'udp', dport: 53 }, want: 'yes', why: 'dport 53 = 53' },
    { name: 'other port', rule: '-p udp --dport 53', pkt: { proto: 'udp', dport: 123 }, want: 'no', why: 'dport 123 ≠ 53' },
    { name: 'negated, other port', rule: '-p udp ! --dport 53', pkt: { proto: 'udp', dport: 123 }, want: 'yes', why: '(negated)' },
    { name: 'negated, same port', rule: '-p udp ! --dport 53', pkt: { proto: 'udp', dport: 53 }, want: 'no' },
    { name: 'source range', rule: '-p udp --sport 1024: --dport 53', pkt: { proto: 'udp', sport: 5353, dport: 53 }, want: 'yes' },
    { name: 'source below range', rule: '-p udp --sport 1024: --dport 53', pkt: { proto: 'udp', sport: 53, dport: 53 }, want: 'no' },
    { name: 'tcp packet', rule: '-p udp ! --sport 1', pkt: { proto: 'tcp' }, want: 'no', why: 'not udp' },
    { name: 'IPv6 DNS', rule: '-p udp --dport 53', family: 'ipv6', pkt: { proto: 'udp', dport: 53 }, want: 'yes' },
  ],
  { kinds: ['yes', 'no'] },
);

describe('udp parsing and evaluation details', () => {
  it('is loaded implicitly by -p udp and saved as -m udp', () => {
    expect(ruleOf('-p udp --dport 53 -j RETURN').text).toBe('-p udp -m udp --dport 53 -j RETURN');
  });
  it('needs -p udp', () => {
    expect(() => ruleOf('-p tcp -m udp --dport 53')).toThrow(/requires "-p udp"/);
  });
  it('a negated full range is saved without the option yet never matches', () => {
    const o = optionsOf(udpMatch, '-p udp ! --sport :');
    expect(udpMatch.save(o)).toBe('');
    expect(udpMatch.evaluate(o, makePacket({ proto: 'udp' }), ctx())).toBe('no');
  });
  it('non-first fragments never match', () => {
    const o = optionsOf(udpMatch, '-p udp ! --dport 53');
    const pkt = { ...makePacket({ proto: 'udp', dport: 99 }), fragment: true };
    expect(udpMatch.evaluate(o, pkt, ctx())).toBe('no');
  });
});
