/** Protocol names and numbers as /etc/protocols and iptables-save print them. */
import type { Family } from '../types.js';

const BY_NAME: Record<string, number> = {
  all: 0,
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  icmpv6: 58,
  sctp: 132,
  udplite: 136,
  dccp: 33,
  mh: 135,
};

const SAVE_NAME: Record<number, string> = {
  1: 'icmp',
  2: 'igmp',
  6: 'tcp',
  17: 'udp',
  33: 'dccp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'ipv6-icmp',
  132: 'sctp',
  135: 'mh',
  136: 'udplite',
};

/** Canonical lower-case name for a `-p` value, or null if it is not a protocol. */
export function canonicalProtocol(text: string, _family: Family): string | null {
  const lower = text.toLowerCase();
  if (/^\d+$/.test(lower)) {
    const n = Number(lower);
    if (n > 255) return null;
    if (n === 0) return 'all';
    return SAVE_NAME[n] ?? String(n);
  }
  const n = BY_NAME[lower];
  if (n === undefined) return null;
  if (n === 0) return 'all';
  return SAVE_NAME[n] ?? lower;
}

export function protocolNumber(name: string): number | null {
  if (/^\d+$/.test(name)) return Number(name);
  return BY_NAME[name] ?? null;
}

/** Does a packet protocol satisfy a rule's `-p`? ('all' matches everything.) */
export function protocolMatches(ruleProto: string, pktProto: string): boolean {
  if (ruleProto === 'all') return true;
  return protocolNumber(ruleProto) === protocolNumber(pktProto);
}
