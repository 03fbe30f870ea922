/**
 * CIDR handling as istio-iptables does it: ranges are split per family
 * (`separateV4V6`), a loopback address in the include list is remembered
 * (HasLoopBackIP), and each range is printed the way Go prints it: masked to
 * the network by net.IPNet before the netip switch, as written by netip.Prefix
 * after it.
 */
import ipaddr from 'ipaddr.js';
import type { Family } from '../../core/types.js';

export interface ParsedCidr {
  family: Family;
  /** Address as written, in canonical spelling, with the prefix length. */
  asWritten: string;
  /** Network address (host bits cleared) with the prefix length. */
  masked: string;
  loopback: boolean;
}

export interface SplitRanges {
  wildcard: boolean;
  v4: ParsedCidr[];
  v6: ParsedCidr[];
  hasLoopback: boolean;
}

/**
 * ipaddr.js reads `::a.b.c.d` as the IPv4-mapped `::ffff:a.b.c.d`; Go (and the
 * kernel) read it as `::` followed by 32 bits. Spell the dotted quad as two hex
 * groups first so the address keeps its value.
 */
function embeddedV4ToHex(text: string): string {
  const m = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return text;
  const b = [m[2], m[3], m[4], m[5]].map(Number);
  if (b.some((x) => x > 255)) return text;
  return `${m[1]}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
}

function fmt(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  return addr.kind() === 'ipv6' ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
}

/** Parse `addr/len`; null when it is not a CIDR Go's ParsePrefix would accept. */
export function parseIstioCidr(text: string): ParsedCidr | null {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return null;
  const addrText = m[1]!;
  const bits = Number(m[2]);
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(addrText)) {
    if (bits > 32) return null;
    addr = ipaddr.IPv4.parse(addrText);
  } else if (ipaddr.IPv6.isValid(embeddedV4ToHex(addrText)) && !addrText.includes('%')) {
    if (bits > 128) return null;
    addr = ipaddr.IPv6.parse(embeddedV4ToHex(addrText));
  } else {
    return null;
  }
  const family: Family = addr.kind() === 'ipv6' ? 'ipv6' : 'ipv4';
  const bytes = addr.toByteArray();
  const masked = bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  const net = ipaddr.fromByteArray(masked);
  const loopback = family === 'ipv4' ? bytes[0] === 127 : fmt(addr) === '::1';
  return { family, asWritten: `${fmt(addr)}/${bits}`, masked: `${fmt(net)}/${bits}`, loopback };
}

export function isValidIstioCidr(text: string): boolean {
  return parseIstioCidr(text) !== null;
}

export function splitRanges(list: string[] | '*'): SplitRanges {
  if (list === '*') return { wildcard: true, v4: [], v6: [], hasLoopback: false };
  const out: SplitRanges = { wildcard: false, v4: [], v6: [], hasLoopback: false };
  for (const text of list) {
    const c = parseIstioCidr(text);
    if (!c) continue; // validated earlier; istio-iptables itself skips bad entries ("bug compatibility").
    (c.family === 'ipv4' ? out.v4 : out.v6).push(c);
    if (c.loopback) out.hasLoopback = true;
  }
  return out;
}

/** Family of a nameserver literal (Go: net.ParseIP(s).To4() != nil). Null when it is not an address. */
export function addressFamily(text: string): Family | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return 'ipv4';
  const hex = embeddedV4ToHex(text);
  if (ipaddr.IPv6.isValid(hex) && !text.includes('/') && !text.includes('%')) {
    // Go: net.ParseIP(s).To4() != nil only for IPv4-mapped addresses (::ffff:a.b.c.d).
    return ipaddr.IPv6.parse(hex).isIPv4MappedAddress() ? 'ipv4' : 'ipv6';
  }
  return null;
}
