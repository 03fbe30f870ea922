import { describe, expect, it } from 'vitest';
import { multiportMatch } from '../../../src/core/matches/multiport.js';
import { ctx, makePacket, ruleOf } from '../../helpers/packet.js';
import { matchTable, optionsOf } from './table.js';

matchTable(
  multiportMatch,
  [
    { name: 'listed dport', rule: '-p tcp -m multiport --dports 80,9080', pkt: { dport: 9080 }, want: 'yes', why: 'dport 9080 in {80,9080}' },
    { name: 'unlisted dport', rule: '-p tcp -m multiport --dports 80,443', pkt: { dport: 9080 }, want: 'no', why: 'not in' },
    { name: "Istio's DNS exclusion, other port", rule: '-p tcp -m multiport ! --dports 53,15008', pkt: { dport: 9080 }, want: 'yes' },
    { name: "Istio's DNS exclusion, port 53", rule: '-p tcp -m multiport ! --dports 53,15008', pkt: { dport: 53 }, want: 'no', why: '(negated)' },
    { name: 'dport inside a range', rule: '-p udp -m multiport --dports 53,15000:15100', pkt: { proto: 'udp', dport: 15006 }, want: 'yes' },
    { name: 'dport past a range', rule: '-p udp -m multiport --dports 53,15000:15100', pkt: { proto: 'udp', dport: 15101 }, want: 'no' },
    { name: 'sports ignores the dport', rule: '-p tcp -m multiport --sports 9080', pkt: { sport: 40000, dport: 9080 }, want: 'no' },
    { name: '--ports takes either side (source)', rule: '-p tcp -m multiport --ports 40000', pkt: { sport: 40000, dport: 9080 }, want: 'yes' },
    { name: '--ports takes either side (destination)', rule: '-p tcp -m multiport --ports 9080', pkt: { sport: 40000, dport: 9080 }, want: 'yes' },
    { name: 'negated --ports with neither side listed', rule: '-p tcp -m multiport ! --ports 1,2', pkt: { sport: 40000, dport: 9080 }, want: 'yes' },
    { name: 'a packet without ports', rule: '-p tcp -m multiport ! --dports 53', pkt: { sport: null, dport: null }, want: 'no', why: 'no ports' },
  ],
  { kinds: ['yes', 'no'] },
);

describe('multiport parsing', () => {
  it('keeps ranges and order, saved as written in numbers', () => {
    const o = optionsOf(multiportMatch, '-p tcp -m multiport --dports https,1:1023,53');
    expect(o.ranges).toEqual([
      { from: 443, to: 443, pair: false },
      { from: 1, to: 1023, pair: true },
      { from: 53, to: 53, pair: false },
    ]);
    expect(multiportMatch.save(o)).toBe('--dports 443,1:1023,53');
  });
  it('counts a range as two of the 15 slots', () => {
    expect(() => ruleOf('-p tcp -m multiport --dports 1:2,3:4,5:6,7:8,9:10,11:12,13:14,15')).not.toThrow();
    expect(() => ruleOf('-p tcp -m multiport --dports 1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16')).toThrow(/too many ports/);
  });
  it('needs a port protocol, not negated', () => {
    expect(() => ruleOf('-m multiport --dports 80')).toThrow(/multiport needs/);
    expect(() => ruleOf('-p icmp -m multiport --dports 80')).toThrow(/only works with/);
    expect(() => ruleOf('! -p tcp -m multiport --dports 80')).toThrow(/only works with/);
  });
  it('non-first fragments never match even when negated', () => {
    const o = optionsOf(multiportMatch, '-p tcp -m multiport ! --dports 53');
    expect(multiportMatch.evaluate(o, { ...makePacket(), fragment: true }, ctx())).toBe('no');
  });
});
