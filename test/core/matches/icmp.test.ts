import { describe, expect, it } from 'vitest';
import { icmpMatch } from '../../../src/core/matches/icmp.js';
import { parseIcmpType, ICMP_NAMES } from '../../../src/core/matches/icmp-types.js';
import { ruleOf } from '../../helpers/packet.js';
import { matchTable, optionsOf } from './table.js';

const ping = { proto: 'icmp', icmpType: 8, icmpCode: 0 };
const portUnreachable = { proto: 'icmp', icmpType: 3, icmpCode: 3 };

matchTable(icmpMatch, [
  { name: 'echo request', rule: '-p icmp --icmp-type echo-request', pkt: ping, want: 'yes', why: 'icmp 8/0 is echo-request' },
  { name: 'echo request is not a reply', rule: '-p icmp --icmp-type echo-reply', pkt: ping, want: 'no', why: 'is not echo-reply' },
  { name: 'negated, other type', rule: '-p icmp ! --icmp-type echo-reply', pkt: ping, want: 'yes', why: '(negated)' },
  { name: 'negated, same type', rule: '-p icmp ! --icmp-type 8', pkt: ping, want: 'no' },
  { name: 'type with code', rule: '-p icmp --icmp-type port-unreachable', pkt: portUnreachable, want: 'yes' },
  { name: 'type with another code', rule: '-p icmp --icmp-type 3/1', pkt: portUnreachable, want: 'no' },
  { name: 'whole type covers every code', rule: '-p icmp --icmp-type destination-unreachable', pkt: portUnreachable, want: 'yes' },
  { name: 'any', rule: '-p icmp --icmp-type any', pkt: portUnreachable, want: 'yes', why: 'any' },
  { name: 'negated any never matches', rule: '-p icmp ! --icmp-type any', pkt: ping, want: 'no' },
  { name: 'type 255 is the kernel wildcard whatever the code', rule: '-p icmp --icmp-type 255/255', pkt: ping, want: 'yes' },
  { name: 'the packet type is not known', rule: '-p icmp --icmp-type 8', pkt: { proto: 'icmp' }, want: 'unknown', why: 'not known' },
  { name: 'negated, the packet type is not known', rule: '-p icmp ! --icmp-type 8', pkt: { proto: 'icmp' }, want: 'unknown' },
  { name: 'not an ICMP packet', rule: '-p icmp ! --icmp-type 8', pkt: { proto: 'tcp' }, want: 'no', why: 'not icmp' },
]);

describe('icmp types', () => {
  it('resolves names, unique prefixes and numbers', () => {
    expect(parseIcmpType('icmp', 'icmp-type', 'echo-request', ICMP_NAMES)).toEqual({ type: 8, codeMin: 0, codeMax: 255 });
    expect(parseIcmpType('icmp', 'icmp-type', 'host-unr', ICMP_NAMES)).toEqual({ type: 3, codeMin: 1, codeMax: 1 });
    expect(parseIcmpType('icmp', 'icmp-type', '3/0:5', ICMP_NAMES)).toEqual({ type: 3, codeMin: 0, codeMax: 5 });
  });
  it('refuses an ambiguous prefix, naming both candidates', () => {
    expect(() => ruleOf('-p icmp --icmp-type echo-re')).toThrow(/echo-reply.*echo-request/);
  });
  it('saves numbers the way iptables-save does', () => {
    expect(ruleOf('-p icmp --icmp-type echo-request').text).toBe('-p icmp -m icmp --icmp-type 8');
    expect(icmpMatch.save(optionsOf(icmpMatch, '-p icmp --icmp-type host-unreachable'))).toBe('--icmp-type 3/1');
  });
  it('exists only in iptables and needs -p icmp', () => {
    // In ip6tables an explicit -m icmp is not this module (kept verbatim as unmodelled) and the implicit load fails.
    expect(ruleOf('-p icmp -m icmp --icmp-type 8', 'filter', 'ipv6').matches[0]).toEqual({ unknown: { name: 'icmp', tokens: ['--icmp-type', '8'] } });
    expect(() => ruleOf('-p icmp --icmp-type 8', 'filter', 'ipv6')).toThrow(/only in iptables/);
    expect(() => ruleOf('-p udp -m icmp --icmp-type 8')).toThrow(/requires "-p icmp"/);
  });
});
