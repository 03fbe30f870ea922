import { describe, expect, it } from 'vitest';
import { conntrackMatch, formatStateMask, parseStateList, stateBits } from '../../../src/core/matches/conntrack.js';
import type { Packet } from '../../../src/core/netfilter/packet.js';
import { addr, makePacket, ruleOf, type PacketInit } from '../../helpers/packet.js';
import { matchTable } from './table.js';

/** A packet as a table after raw sees it: conntrack has attached its entry. */
const packetAfterConntrack = (init: PacketInit = {}) => makePacket({ attached: true, ...init });

/** An outbound connection REDIRECTed by nat OUTPUT to Envoy on 127.0.0.1:15001. */
function redirected(): Packet {
  const p = packetAfterConntrack({ dst: '10.96.0.20', dport: 80 });
  p.dst = addr('127.0.0.1');
  p.dport = 15001;
  p.conn.dnatDone = true;
  p.conn.dnatApplied = true;
  return p;
}

/** The same connection after SNAT in POSTROUTING. */
function masqueraded(): Packet {
  const p = packetAfterConntrack({ src: '10.244.1.5', sport: 40000 });
  p.src = addr('192.168.0.1');
  p.sport = 61000;
  p.conn.snatDone = true;
  p.conn.snatApplied = true;
  return p;
}

function replyDirection(): Packet {
  const p = packetAfterConntrack({ ctstate: 'ESTABLISHED' });
  p.conn.direction = 'REPLY';
  return p;
}

matchTable(conntrackMatch, [
  { name: 'first packet is NEW', rule: '-m conntrack --ctstate NEW', want: 'yes', why: 'ctstate NEW matches NEW' },
  { name: 'first packet is not ESTABLISHED', rule: '-p tcp -m conntrack --ctstate RELATED,ESTABLISHED', want: 'no', why: 'does not match' },
  { name: 'established packet', rule: '-p tcp -m conntrack --ctstate RELATED,ESTABLISHED', pkt: { ctstate: 'ESTABLISHED' }, want: 'yes' },
  { name: 'negated, NEW is not INVALID', rule: '-m conntrack ! --ctstate INVALID', want: 'yes' },
  { name: 'negated, INVALID packet', rule: '-m conntrack ! --ctstate INVALID', pkt: { ctstate: 'INVALID' }, want: 'no' },
  { name: 'untracked state', rule: '-m conntrack --ctstate UNTRACKED', pkt: { ctstate: 'UNTRACKED' }, want: 'yes' },
  { name: 'DNAT state after REDIRECT', rule: '-m conntrack --ctstate DNAT', pkt: redirected, want: 'yes', why: 'NEW,DNAT' },
  { name: 'no DNAT state before NAT', rule: '-m conntrack --ctstate DNAT', want: 'no' },
  { name: 'SNAT state after SNAT', rule: '-m conntrack --ctstate SNAT', pkt: masqueraded, want: 'yes' },
  { name: 'original destination survives REDIRECT', rule: '-m conntrack --ctorigdst 10.96.0.0/12', pkt: redirected, want: 'yes', why: 'ctorigdst 10.96.0.20 in 10.96.0.0/12' },
  { name: 'negated original destination', rule: '-m conntrack ! --ctorigdst 10.96.0.0/12', pkt: redirected, want: 'no', why: '(negated)' },
  { name: 'original source', rule: '-m conntrack --ctorigsrc 10.244.1.5', want: 'yes' },
  { name: 'reply source is the REDIRECT target', rule: '-m conntrack --ctreplsrc 127.0.0.1', pkt: redirected, want: 'yes' },
  { name: 'reply source without NAT is the original destination', rule: '-m conntrack --ctreplsrc 10.244.2.7', want: 'yes' },
  { name: 'reply destination after SNAT', rule: '-m conntrack --ctrepldst 192.168.0.1', pkt: masqueraded, want: 'yes' },
  { name: 'reply destination port after SNAT', rule: '-m conntrack --ctrepldstport 61000', pkt: masqueraded, want: 'yes' },
  { name: 'reply source port after REDIRECT', rule: '-m conntrack ! --ctreplsrcport 15001', pkt: redirected, want: 'no' },
  { name: 'original destination port', rule: '-m conntrack --ctorigdstport 80', pkt: redirected, want: 'yes', why: 'ctorigdstport 80 = 80' },
  { name: 'original destination port range, negated', rule: '-m conntrack ! --ctorigdstport 1:1023', want: 'yes' },
  { name: 'protocol', rule: '-m conntrack --ctproto tcp', want: 'yes', why: 'ctproto 6 = 6' },
  { name: 'protocol, negated', rule: '-m conntrack ! --ctproto udp', want: 'yes' },
  { name: 'protocol mismatch', rule: '-m conntrack --ctproto udp', want: 'no' },
  { name: 'direction', rule: '-m conntrack --ctdir ORIGINAL', want: 'yes' },
  { name: 'direction mismatch', rule: '-m conntrack --ctdir REPLY', want: 'no' },
  // Without an entry only the state test counts (conntrack_mt returns match_flags & STATE).
  { name: 'untracked: tuple tests never match', rule: '-m conntrack ! --ctorigsrc 1.2.3.4', pkt: { ctstate: 'UNTRACKED' }, want: 'no', why: 'no conntrack entry' },
  { name: 'invalid: a passed state test wins over the rest', rule: '-m conntrack --ctstate INVALID --ctorigsrc 1.2.3.4', pkt: { ctstate: 'INVALID' }, want: 'yes' },
  // ctstatus: NONE is exact, NEW connections have no reply-related bits, the rest is unknown.
  { name: 'ctstatus NONE never matches', rule: '-m conntrack --ctstatus NONE', want: 'no', why: 'never matches' },
  { name: '! --ctstatus NONE always matches', rule: '-m conntrack ! --ctstatus NONE', pkt: { ctstate: 'ESTABLISHED' }, want: 'yes' },
  { name: 'a NEW connection is not ASSURED', rule: '-m conntrack --ctstatus ASSURED,SEEN_REPLY', want: 'no' },
  { name: 'a NEW connection is ! ASSURED', rule: '-m conntrack ! --ctstatus ASSURED', want: 'yes' },
  { name: 'established status bits are not modelled', rule: '-m conntrack --ctstatus ASSURED', pkt: { ctstate: 'ESTABLISHED' }, want: 'unknown', why: 'not modelled' },
  { name: 'CONFIRMED is not modelled', rule: '-m conntrack ! --ctstatus CONFIRMED', want: 'unknown' },
  { name: 'expiry is not modelled', rule: '-m conntrack --ctexpire 10:20', want: 'unknown', why: 'timeouts are not modelled' },
  { name: 'negated expiry is not modelled either', rule: '-m conntrack ! --ctexpire 10', want: 'unknown' },
  { name: 'a failing state decides over an unknown expiry', rule: '-m conntrack --ctstate ESTABLISHED --ctexpire 10', want: 'no' },
  { name: 'reply tuple of a reply packet is not modelled', rule: '-m conntrack --ctreplsrc 10.0.0.0/8', pkt: replyDirection, want: 'unknown', why: 'reply-direction' },
  { name: 'ports of a port-less protocol', rule: '-m conntrack --ctorigsrcport 7', pkt: { proto: 'icmp' }, want: 'unknown', why: 'no ports' },
  { name: 'IPv6 original destination', rule: '-m conntrack --ctorigdst fd00:10:244::/48', family: 'ipv6', want: 'yes' },
]);

describe('conntrack states', () => {
  it('accepts case-insensitive prefixes and prints in kernel order', () => {
    const mask = parseStateList('conntrack', 'ctstate', 'est,related,New');
    expect(formatStateMask(mask)).toBe('NEW,RELATED,ESTABLISHED');
  });
  it('adds SNAT/DNAT to the state of a NATed connection', () => {
    expect(formatStateMask(stateBits(redirected().conn))).toBe('NEW,DNAT');
    expect(formatStateMask(stateBits(packetAfterConntrack({ ctstate: 'UNTRACKED' }).conn))).toBe('UNTRACKED');
  });
  it('saves addresses unmasked as written, /32 left out', () => {
    expect(ruleOf('-m conntrack --ctorigdst 10.1.2.3/8 --ctorigsrc 1.1.1.1/32').text).toBe('-m conntrack --ctorigsrc 1.1.1.1 --ctorigdst 10.1.2.3/8');
  });
  it('names the bad state in the error', () => {
    expect(() => ruleOf('-m conntrack --ctstate NEW,BOGUS')).toThrow(/BOGUS/);
  });
});
