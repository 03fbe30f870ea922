import { describe, expect, it } from 'vitest';
import { addrtypeMatch } from '../../../src/core/matches/addrtype.js';
import type { AddrType, HostView } from '../../../src/core/netfilter/packet.js';
import { fakeHost, ruleOf } from '../../helpers/packet.js';
import { matchTable } from './table.js';

/** Like fakeHost, but when the lookup is limited to an interface only eth0 holds the pod IP. */
const perIface: HostView = {
  ...fakeHost(),
  addressType(a, iface): AddrType {
    const t = fakeHost().addressType(a, null);
    if (iface !== null && iface !== 'eth0' && a.text === '10.244.1.5') return 'UNICAST';
    return t;
  },
};

matchTable(addrtypeMatch, [
  { name: 'to the pod IP is LOCAL', rule: '-m addrtype --dst-type LOCAL', pkt: { dst: '10.244.1.5' }, want: 'yes', why: 'dst 10.244.1.5 is LOCAL, matches LOCAL' },
  { name: 'to another pod is not LOCAL', rule: '-m addrtype --dst-type LOCAL', pkt: { dst: '10.244.2.7' }, want: 'no', why: 'is UNICAST, does not match LOCAL' },
  { name: 'negated, another pod', rule: '-m addrtype ! --dst-type LOCAL', pkt: { dst: '10.244.2.7' }, want: 'yes', why: '(negated)' },
  { name: 'negated, loopback', rule: '-m addrtype ! --dst-type LOCAL', pkt: { dst: '127.0.0.1' }, want: 'no' },
  { name: 'one of a list', rule: '-m addrtype --dst-type BROADCAST,MULTICAST', pkt: { dst: '224.0.0.251' }, want: 'yes' },
  { name: 'source and destination both tested', rule: '-m addrtype --src-type LOCAL --dst-type LOCAL', pkt: { src: '10.244.1.5', dst: '10.244.2.7' }, want: 'no' },
  { name: 'source LOCAL', rule: '-m addrtype --src-type LOCAL ! --dst-type LOCAL', pkt: { src: '10.244.1.5', dst: '10.244.2.7' }, want: 'yes' },
  // --limit-iface-in/out hand the packet's interface to the lookup.
  { name: 'limited to the incoming eth0', rule: '-m addrtype --dst-type LOCAL --limit-iface-in', hook: 'PREROUTING', pkt: { dst: '10.244.1.5', in: 'eth0' }, host: perIface, want: 'yes', why: 'on eth0' },
  { name: 'limited to the incoming lo', rule: '-m addrtype --dst-type LOCAL --limit-iface-in', hook: 'PREROUTING', pkt: { dst: '10.244.1.5', in: 'lo' }, host: perIface, want: 'no', why: 'on lo' },
  { name: 'limited to the outgoing interface', rule: '-m addrtype --src-type LOCAL --limit-iface-out', hook: 'POSTROUTING', pkt: { src: '10.244.1.5', out: 'eth0' }, host: perIface, want: 'yes' },
  // Refused at load in a built-in chain; a user chain reached from there loads (nf_tables), and we cannot say what it does.
  { name: '--limit-iface-in in OUTPUT', rule: '-m addrtype --dst-type LOCAL --limit-iface-in', hook: 'OUTPUT', want: 'unknown', why: 'no input interface in OUTPUT' },
  { name: 'negated, --limit-iface-out in PREROUTING', rule: '-m addrtype ! --dst-type LOCAL --limit-iface-out', hook: 'PREROUTING', want: 'unknown' },
  // IPv6: every listed class is a requirement (addrtype_mt6).
  { name: 'IPv6 local address', rule: '-m addrtype --dst-type LOCAL', family: 'ipv6', pkt: { dst: '::1' }, want: 'yes' },
  { name: 'IPv4 UNICAST,LOCAL takes either', rule: '-m addrtype --dst-type UNICAST,LOCAL', pkt: { dst: '10.244.2.7' }, want: 'yes' },
  { name: 'IPv6 UNICAST,LOCAL needs both', rule: '-m addrtype --dst-type UNICAST,LOCAL', family: 'ipv6', pkt: { dst: 'fd00:10:244:2::7' }, want: 'no' },
  { name: 'IPv6 UNICAST,LOCAL on a local unicast address', rule: '-m addrtype --dst-type UNICAST,LOCAL', family: 'ipv6', pkt: { dst: 'fd00:10:244:1::5' }, want: 'yes' },
  { name: 'IPv6 multicast', rule: '-m addrtype --dst-type MULTICAST', family: 'ipv6', pkt: { dst: 'ff02::1' }, want: 'yes' },
  { name: 'IPv6 unicast is not multicast', rule: '-m addrtype ! --dst-type MULTICAST', family: 'ipv6', pkt: { dst: 'fd00:10:244:2::7' }, want: 'yes' },
]);

describe('addrtype parsing', () => {
  it('saves types in rtnetlink order', () => {
    expect(ruleOf('-m addrtype --dst-type multicast,local').text).toBe('-m addrtype --dst-type LOCAL,MULTICAST');
  });
  it('refuses types IPv6 cannot match', () => {
    expect(() => ruleOf('-m addrtype --dst-type BROADCAST', 'filter', 'ipv6')).toThrow(/IPv6 does not support BROADCAST/);
  });
  it('needs a type option', () => {
    expect(() => ruleOf('-m addrtype --limit-iface-in')).toThrow(/--src-type or --dst-type/);
  });
});
