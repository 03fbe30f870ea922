/**
 * IP addresses and CIDRs. Parsing and printing lean on ipaddr.js (it knows
 * every IPv6 spelling); matching uses plain integers so the hot path stays cheap.
 */
import ipaddr from 'ipaddr.js';
import type { Family } from '../types.js';

export interface Address {
  readonly family: Family;
  /** IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit bigint. */
  readonly value: number | bigint;
  /** Canonical text: dotted quad, or RFC 5952 compressed IPv6. */
  readonly text: string;
}

export interface Cidr {
  readonly family: Family;
  readonly base: Address;
  readonly prefix: number;
}

/**
 * The value of a strict dotted quad (four decimal parts 0-255 without leading zeros, the
 * only IPv4 form ipaddr.js's isValidFourPartDecimal accepts), or -1 when `text` is not one.
 * Scans the characters once; anything unusual is left to ipaddr.js.
 */
function dottedQuad(text: string): number {
  const n = text.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else if (c === 46 && digits > 0 && parts < 3) {
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0 || parts !== 3) return -1;
  return value * 256 + part;
}

/**
 * The eight 16-bit groups of a plain IPv6 literal: hex groups of one to four digits,
 * eight of them, or at most seven around one `::`. Anything else (an embedded IPv4
 * part, a zone, odd colons) gives null and is left to ipaddr.js.
 */
function plainIpv6(text: string): number[] | null {
  const n = text.length;
  if (n < 2 || n > 39) return null;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 58) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return null;
  }
  const gap = text.indexOf('::');
  if (gap >= 0 && text.indexOf('::', gap + 1) >= 0) return null;
  const head = gap < 0 ? text : text.slice(0, gap);
  const tail = gap < 0 ? '' : text.slice(gap + 2);
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  if (gap < 0 ? left.length !== 8 : left.length + right.length > 7) return null;
  const parts: number[] = [];
  const group = (g: string): boolean => {
    if (g.length < 1 || g.length > 4) return false;
    parts.push(parseInt(g, 16));
    return true;
  };
  for (const g of left) if (!group(g)) return null;
  for (let k = left.length + right.length; k < 8; k++) parts.push(0);
  for (const g of right) if (!group(g)) return null;
  return parts;
}

const ZERO_RUN = /((^|:)(0(:|$)){2,})/g;

/**
 * RFC 5952 text of eight groups, exactly as ipaddr.js's toRFC5952String writes it:
 * lower-case hex without leading zeros, the longest run of two or more zero groups
 * (the first of equal runs) written as `::`.
 */
function ipv6Text(parts: readonly number[]): string {
  let s = parts[0]!.toString(16);
  for (let i = 1; i < 8; i++) s += `:${parts[i]!.toString(16)}`;
  let bestIndex = 0;
  let bestLength = -1;
  let bestGroups = -1;
  ZERO_RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ZERO_RUN.exec(s))) {
    let groups = 0;
    for (let i = 0; i < m[0].length; i++) if (m[0].charCodeAt(i) === 48) groups++;
    if (groups > bestGroups) {
      bestGroups = groups;
      bestIndex = m.index;
      bestLength = m[0].length;
    }
  }
  if (bestLength < 0) return s;
  return `${s.substring(0, bestIndex)}::${s.substring(bestIndex + bestLength)}`;
}

function ipv6Value(parts: readonly number[]): bigint {
  let value = 0n;
  for (const part of parts) value = (value << 16n) | BigInt(part);
  return value;
}

/**
 * The value of `a.b.c.d` or `a.b.c.d/32` in the strict dotted-quad form, or -1 for any other
 * text (which parseCidr then reads): a host address, without building an Address.
 */
export function ipv4HostValue(text: string): number {
  const n = text.length;
  const quad = n > 3 && text.charCodeAt(n - 3) === 47 && text.charCodeAt(n - 2) === 51 && text.charCodeAt(n - 1) === 50 ? text.slice(0, n - 3) : text;
  return quad.indexOf('/') >= 0 ? -1 : dottedQuad(quad);
}

/** Parse an address; returns null when the text is not a valid IPv4 or IPv6 literal. */
export function parseAddress(text: string): Address | null {
  const quad = dottedQuad(text);
  if (quad >= 0) return { family: 'ipv4', value: quad, text };
  const v6 = plainIpv6(text);
  if (v6 !== null) return { family: 'ipv6', value: ipv6Value(v6), text: ipv6Text(v6) };
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const bytes = ipaddr.IPv4.parse(text).toByteArray();
    const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    return { family: 'ipv4', value, text: bytes.join('.') };
  }
  if (ipaddr.IPv6.isValid(text) && !text.includes('/')) {
    const addr = ipaddr.IPv6.parse(text.replace(/%.*$/, ''));
    let value = 0n;
    for (const part of addr.parts) value = (value << 16n) | BigInt(part);
    return { family: 'ipv6', value, text: addr.toString() };
  }
  return null;
}

export function addressFromValue(family: Family, value: number | bigint): Address {
  if (family === 'ipv4') {
    const v = Number(value) >>> 0;
    const text = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    return { family, value: v, text };
  }
  const parts: number[] = new Array(8);
  let v = BigInt(value);
  for (let i = 7; i >= 0; i--) {
    parts[i] = Number(v & 0xffffn);
    v >>= 16n;
  }
  return { family, value: BigInt(value), text: ipv6Text(parts) };
}

function maskBits(family: Family, prefix: number): number | bigint {
  if (family === 'ipv4') return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
}

const SHORT_DECIMAL = /^\d{1,3}$/;

/**
 * Parse `addr`, `addr/len` or `addr/dotted-mask` as iptables accepts them.
 * Returns null when the text is invalid.
 */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const base = parseAddress(addrText);
  if (!base) return null;
  const max = base.family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const maskText = text.slice(slash + 1);
    if (SHORT_DECIMAL.test(maskText)) {
      prefix = Number(maskText);
      if (prefix > max) return null;
    } else if (base.family === 'ipv4' && ipaddr.IPv4.isValidFourPartDecimal(maskText)) {
      const p = ipaddr.IPv4.parse(maskText).prefixLengthFromSubnetMask();
      if (p === null) return null;
      prefix = p;
    } else {
      return null;
    }
  }
  // iptables stores the network address: 10.1.2.3/8 is saved as 10.0.0.0/8.
  if (base.family === 'ipv4') {
    const masked = ((base.value as number) & (maskBits('ipv4', prefix) as number)) >>> 0;
    return { family: 'ipv4', base: masked === base.value ? base : addressFromValue('ipv4', masked), prefix };
  }
  if (prefix === 128) return { family: 'ipv6', base, prefix };
  const masked = (base.value as bigint) & (maskBits('ipv6', prefix) as bigint);
  return { family: 'ipv6', base: masked === base.value ? base : addressFromValue('ipv6', masked), prefix };
}

export function cidrContains(cidr: Cidr, addr: Address): boolean {
  if (cidr.family !== addr.family) return false;
  if (cidr.family === 'ipv4') {
    const m = maskBits('ipv4', cidr.prefix) as number;
    return (((addr.value as number) & m) >>> 0) === (cidr.base.value as number);
  }
  const m = maskBits('ipv6', cidr.prefix) as bigint;
  return ((addr.value as bigint) & m) === (cidr.base.value as bigint);
}

export function formatCidr(cidr: Cidr): string {
  return `${cidr.base.text}/${cidr.prefix}`;
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.family === b.family && a.value === b.value;
}

export function isLoopback(addr: Address): boolean {
  if (addr.family === 'ipv4') return (addr.value as number) >>> 24 === 127;
  return addr.value === 1n;
}
