import { describe, expect, it } from 'vitest';
import { icmp6Match } from '../../../src/core/matches/icmp6.js';
import { ruleOf } from '../../helpers/packet.js';
import { matchTable } from './table.js';

const v6 = { family: 'ipv6' as const };
const echo = { proto: 'ipv6-icmp', icmpType: 128, icmpCode: 0 };
const ns = { proto: 'ipv6-icmp', icmpType: 135, icmpCode: 0 };

matchTable(icmp6Match, [
  { ...v6, name: 'echo request', rule: '-p ipv6-icmp --icmpv6-type echo-request', pkt: echo, want: 'yes', why: 'icmpv6 128/0 is echo-request' },
  { ...v6, name: 'echo request is not neighbour solicitation', rule: '-p icmpv6 --icmpv6-type neighbour-solicitation', pkt: echo, want: 'no' },
  { ...v6, name: 'negated, other type', rule: '-p ipv6-icmp ! --icmpv6-type 128', pkt: ns, want: 'yes', why: '(negated)' },
  { ...v6, name: 'negated, same type', rule: '-p ipv6-icmp ! --icmpv6-type neighbor-solicitation', pkt: ns, want: 'no' },
  { ...v6, name: 'code range of a name', rule: '-p ipv6-icmp --icmpv6-type port-unreachable', pkt: { proto: 'ipv6-icmp', icmpType: 1, icmpCode: 4 }, want: 'yes' },
  { ...v6, name: 'other code', rule: '-p ipv6-icmp --icmpv6-type 1/3', pkt: { proto: 'ipv6-icmp', icmpType: 1, icmpCode: 4 }, want: 'no' },
  { ...v6, name: 'type 255 is no wildcard in ICMPv6', rule: '-p ipv6-icmp --icmpv6-type 255', pkt: echo, want: 'no' },
  { ...v6, name: 'the packet type is not known', rule: '-p ipv6-icmp --icmpv6-type 128', pkt: { proto: 'ipv6-icmp' }, want: 'unknown', why: 'not known' },
  { ...v6, name: 'negated, the packet type is not known', rule: '-p ipv6-icmp ! --icmpv6-type 128', pkt: { proto: 'ipv6-icmp' }, want: 'unknown' },
  { ...v6, name: 'not an ICMPv6 packet', rule: '-p ipv6-icmp ! --icmpv6-type 128', pkt: { proto: 'udp' }, want: 'no', why: 'not ipv6-icmp' },
]);

describe('icmp6 parsing', () => {
  it('is loaded implicitly by -p icmpv6 and saved as -p ipv6-icmp -m icmp6 with numbers', () => {
    expect(ruleOf('-p icmpv6 --icmpv6-type echo-request -j ACCEPT', 'filter', 'ipv6').text).toBe('-p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT');
  });
  it('knows no "any"', () => {
    expect(() => ruleOf('-p ipv6-icmp --icmpv6-type any', 'filter', 'ipv6')).toThrow(/invalid --icmpv6-type/);
  });
  it('exists only in ip6tables', () => {
    expect(() => ruleOf('-p ipv6-icmp --icmpv6-type 128')).toThrow(/ip6tables/);
  });
});
