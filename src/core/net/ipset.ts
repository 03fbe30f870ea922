/**
 * ipset sets as `-m set` needs them: read from `ipset save` (`create NAME TYPE …` /
 * `add NAME ELEMENT …`) or `ipset list` (`Name:` / `Type:` / `Header:` / `Members:`
 * blocks) output, and the kernel's membership test (ip_set_test: one direction flag
 * per dimension, the most specific net entry decides, `nomatch` entries exclude).
 *
 * Modelled types: hash:ip, hash:net, hash:ip,port, hash:net,port, hash:ip,port,ip,
 * hash:ip,port,net, hash:net,net, hash:net,port,net, bitmap:ip, bitmap:port, list:set.
 * Any other type is kept by name and its membership is unknown.
 */
import { InputError } from '../errors.js';
import type { Family } from '../types.js';
import { cidrContains, parseAddress, parseCidr, type Address, type Cidr } from './address.js';

export type Dimension = 'ip' | 'net' | 'port';

export interface PortValue {
  /** Protocol name (tcp, udp, sctp, udplite, icmp, icmpv6) or null for bitmap:port (any). */
  proto: string | null;
  from: number;
  to: number;
}

export type DimValue = Cidr | PortValue;

export interface SetElement {
  values: DimValue[];
  /** `nomatch`: an exception inside a wider net entry. */
  nomatch: boolean;
}

export interface IpSet {
  name: string;
  /** As printed, e.g. `hash:ip,port`. */
  type: string;
  family: Family;
  /** Null for a type that is not modelled (membership unknown); empty for list:set. */
  dims: Dimension[] | null;
  elements: SetElement[];
  /** list:set: the member sets' names, in order. */
  members: string[];
  /** Input line of the `create` / `Name:` line. */
  line: number;
  /** hash:ip `netmask N`: elements and lookups are /N networks. */
  netmask?: number;
}

export type IpSets = ReadonlyMap<string, IpSet>;

const TYPES: Record<string, Dimension[]> = {
  'hash:ip': ['ip'],
  'hash:net': ['net'],
  'hash:ip,port': ['ip', 'port'],
  'hash:net,port': ['net', 'port'],
  'hash:ip,port,ip': ['ip', 'port', 'ip'],
  'hash:ip,port,net': ['ip', 'port', 'net'],
  'hash:net,net': ['net', 'net'],
  'hash:net,port,net': ['net', 'port', 'net'],
  'bitmap:ip': ['net'],
  'bitmap:port': ['port'],
};

/** Element options that say nothing about membership (ipset(8) "Options"). */
const ELEMENT_OPTIONS_WITH_VALUE = new Set(['timeout', 'packets', 'bytes', 'comment', 'skbmark', 'skbprio', 'skbqueue']);
const PORT_PROTOS = new Set(['tcp', 'udp', 'sctp', 'udplite', 'icmp', 'icmpv6']);

function newSet(name: string, type: string, header: string[], line: number, file: string): IpSet {
  let family: Family = 'ipv4';
  const f = header.indexOf('family');
  if (f >= 0) {
    const v = header[f + 1];
    if (v === 'inet6') family = 'ipv6';
    else if (v !== 'inet') throw new InputError(`ipset ${name}: unknown family "${v ?? ''}" (expected inet or inet6)`, file, line);
  }
  const dims = type === 'list:set' ? [] : (TYPES[type] ?? null);
  return { name, type, family, dims, elements: [], members: [], line };
}

/** A quoted comment may hold blanks: split on blanks outside double quotes. */
function words(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

function parsePort(text: string, dimProto: boolean): PortValue | null {
  let proto: string | null = dimProto ? 'tcp' : null;
  let rest = text;
  const colon = text.indexOf(':');
  if (colon >= 0) {
    proto = text.slice(0, colon).toLowerCase();
    if (proto === 'ipv6-icmp') proto = 'icmpv6';
    if (!PORT_PROTOS.has(proto)) return null;
    rest = text.slice(colon + 1);
    if (!dimProto) proto = null;
  }
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(rest);
  if (!m) return null;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > 65535 || to > 65535 || to < from) return null;
  return { proto, from, to };
}

function parseNet(text: string, family: Family): Cidr | null {
  const c = parseCidr(text);
  if (!c || c.family !== family) return null;
  return c;
}

function parseElement(set: IpSet, text: string, line: number, file: string): void {
  const w = words(text);
  if (w.length === 0) throw new InputError(`ipset ${set.name}: empty element`, file, line);
  let nomatch = false;
  for (let i = 1; i < w.length; i++) {
    const opt = w[i]!;
    if (opt === 'nomatch') nomatch = true;
    else if (ELEMENT_OPTIONS_WITH_VALUE.has(opt)) i++;
    else if (opt === 'before' || opt === 'after') i++;
    else throw new InputError(`ipset ${set.name}: unknown element option "${opt}"`, file, line);
  }
  const elem = w[0]!;
  if (set.type === 'list:set') {
    set.members.push(elem);
    return;
  }
  if (set.dims === null) return;
  const parts = elem.split(',');
  if (parts.length !== set.dims.length) {
    throw new InputError(`ipset ${set.name}: element "${elem}" does not fit type ${set.type} (${set.dims.length} part${set.dims.length === 1 ? '' : 's'})`, file, line);
  }
  // An address range (`10.0.0.1-10.0.0.9`, as ipset takes on add) is the nets that cover it.
  for (let k = 0; k < parts.length; k++) {
    if (set.dims[k] === 'port') continue;
    const nets = parseRange(parts[k]!, set.family);
    if (nets === null) continue;
    for (const n of nets) {
      const copy = [...parts];
      copy[k] = `${n.base.text}/${n.prefix}`;
      parseElement(set, [copy.join(','), ...w.slice(1)].join(' '), line, file);
    }
    return;
  }
  const values: DimValue[] = [];
  for (let k = 0; k < parts.length; k++) {
    const dim = set.dims[k]!;
    const p = parts[k]!;
    const v = dim === 'port' ? parsePort(p, set.type !== 'bitmap:port') : parseNet(p, set.family);
    if (v === null) {
      const want = dim === 'port' ? 'a port or proto:port' : `an ${set.family === 'ipv4' ? 'IPv4' : 'IPv6'} address or net`;
      throw new InputError(`ipset ${set.name}: "${p}" in element "${elem}" is not ${want}`, file, line);
    }
    values.push(v);
  }
  set.elements.push({ values, nomatch });
}

/** `a.b.c.d-e.f.g.h` as the nets that cover it (IPv4 only, as ipset takes ranges); null when not a range. */
function parseRange(text: string, family: Family): Cidr[] | null {
  const dash = text.indexOf('-');
  if (dash < 0 || family !== 'ipv4') return null;
  const a = parseAddress(text.slice(0, dash));
  const b = parseAddress(text.slice(dash + 1));
  if (!a || !b || a.family !== 'ipv4' || b.family !== 'ipv4') return null;
  let from = a.value as number;
  const to = b.value as number;
  // ipset refuses ranges wider than 2^16 addresses in one add as well.
  if (to < from || to - from > 65536) return null;
  const out: Cidr[] = [];
  while (from <= to) {
    let size = 0;
    while (size < 32 && from % 2 ** (size + 1) === 0 && from + 2 ** (size + 1) - 1 <= to) size++;
    out.push(parseCidr(`${addrText(from)}/${32 - size}`)!);
    from += 2 ** size;
  }
  return out;
}

function addrText(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** hash:ip with `netmask N` stores networks: a plain address element is that /N network. */
function applyNetmask(set: IpSet, header: string[], line: number, file: string): void {
  const i = header.indexOf('netmask');
  if (i < 0) return;
  const n = Number(header[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > (set.family === 'ipv4' ? 32 : 128)) {
    throw new InputError(`ipset ${set.name}: bad netmask "${header[i + 1] ?? ''}"`, file, line);
  }
  set.netmask = n;
}

/** Parse `ipset save` or `ipset list` output. Errors name the file and line. */
export function parseIpsets(text: string, file: string): Map<string, IpSet> {
  const sets = new Map<string, IpSet>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let listed: IpSet | null = null;
  let inMembers = false;
  let pending: { name: string; line: number; type?: string; header?: string[] } | null = null;
  const add = (s: IpSet, line: number) => {
    if (sets.has(s.name)) throw new InputError(`ipset ${s.name} is defined twice (first at line ${sets.get(s.name)!.line})`, file, line);
    sets.set(s.name, s);
  };
  const finishPending = () => {
    if (!pending) return;
    if (!pending.type) throw new InputError(`ipset ${pending.name}: no "Type:" line`, file, pending.line);
    listed = newSet(pending.name, pending.type, pending.header ?? [], pending.line, file);
    applyNetmask(listed, pending.header ?? [], pending.line, file);
    add(listed, pending.line);
    pending = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const t = lines[i]!.trim();
    if (t === '' || t.startsWith('#')) {
      if (t === '') inMembers = false;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^create\s+(\S+)\s+(\S+)(.*)$/.exec(t))) {
      finishPending();
      inMembers = false;
      const s = newSet(m[1]!, m[2]!, words(m[3]!), line, file);
      applyNetmask(s, words(m[3]!), line, file);
      add(s, line);
      continue;
    }
    if ((m = /^add\s+(\S+)\s+(.+)$/.exec(t))) {
      finishPending();
      inMembers = false;
      const s = sets.get(m[1]!);
      if (!s) throw new InputError(`"add ${m[1]}" before "create ${m[1]}"`, file, line);
      parseElement(s, m[2]!, line, file);
      continue;
    }
    if ((m = /^Name:\s*(\S+)\s*$/.exec(t))) {
      finishPending();
      inMembers = false;
      pending = { name: m[1]!, line };
      continue;
    }
    if (pending && (m = /^Type:\s*(\S+)\s*$/.exec(t))) {
      pending.type = m[1]!;
      continue;
    }
    if (pending && (m = /^Header:\s*(.*)$/.exec(t))) {
      pending.header = words(m[1]!);
      continue;
    }
    if (/^(?:Revision|Size in memory|References|Number of entries|Initval):/.test(t)) continue;
    if (t === 'Members:') {
      finishPending();
      if (!listed) throw new InputError('"Members:" without a "Name:" block', file, line);
      inMembers = true;
      continue;
    }
    if (inMembers && listed) {
      parseElement(listed, t, line, file);
      continue;
    }
    throw new InputError(`not ipset output: expected "create NAME TYPE …", "add NAME ELEMENT" or an "ipset list" block, got ${JSON.stringify(t.length > 60 ? `${t.slice(0, 57)}...` : t)}`, file, line);
  }
  finishPending();
  if (sets.size === 0) throw new InputError('no ipset sets found: expected `ipset save` or `ipset list` output', file, 1);
  return sets;
}

// ---------------------------------------------------------------------------
// Membership
// ---------------------------------------------------------------------------

export type Direction = 'src' | 'dst';

export interface SetPacket {
  family: Family;
  proto: string;
  src: Address;
  dst: Address;
  sport: number | null;
  dport: number | null;
}

/** 'match', 'nomatch' (a nomatch entry was the most specific hit), 'miss', or 'unknown' with a reason. */
export type SetTest = { r: 'match' | 'nomatch' | 'miss' } | { r: 'unknown'; why: string };

function netOf(set: IpSet, v: Cidr): Cidr {
  const nm = set.netmask;
  return nm !== undefined && v.prefix > nm ? parseCidr(`${v.base.text}/${nm}`)! : v;
}

function portHit(v: PortValue, pkt: SetPacket, port: number): boolean {
  if (v.proto !== null && v.proto !== (pkt.proto === 'ipv6-icmp' ? 'icmpv6' : pkt.proto)) return false;
  return port >= v.from && port <= v.to;
}

/** ip_set_test for one set, the packet and the rule's direction flags. */
export function testSet(set: IpSet, sets: IpSets, pkt: SetPacket, dirs: Direction[], depth = 0): SetTest {
  if (set.type === 'list:set') {
    if (depth > 0) return { r: 'unknown', why: `ipset ${set.name}: a list:set inside a list:set is not modelled` };
    let unknown: string | null = null;
    for (const name of set.members) {
      const member = sets.get(name);
      if (!member) return { r: 'unknown', why: `ipset ${name} (member of ${set.name}) is not known` };
      const t = testSet(member, sets, pkt, dirs, depth + 1);
      if (t.r === 'match') return unknown ? { r: 'unknown', why: unknown } : t;
      if (t.r === 'unknown') unknown ??= t.why;
    }
    return unknown ? { r: 'unknown', why: unknown } : { r: 'miss' };
  }
  if (set.dims === null) return { r: 'unknown', why: `ipset ${set.name} has type ${set.type}, which is not modelled` };
  // The kernel: fewer flags than dimensions, or another family, never matches.
  if (dirs.length < set.dims.length || set.family !== pkt.family) return { r: 'miss' };
  if (set.dims.includes('port')) {
    const ported = ['tcp', 'udp', 'sctp', 'udplite'].includes(pkt.proto);
    if (!ported) return { r: 'unknown', why: `ipset ${set.name}: port elements against a ${pkt.proto} packet are not modelled` };
  }
  let best: SetElement | null = null;
  let bestSpecific = -1;
  for (const e of set.elements) {
    let hit = true;
    let specific = 0;
    for (let k = 0; k < set.dims.length && hit; k++) {
      const v = e.values[k]!;
      const dir = dirs[k]!;
      if (set.dims[k] === 'port') {
        const port = dir === 'src' ? pkt.sport : pkt.dport;
        hit = port !== null && portHit(v as PortValue, pkt, port);
      } else {
        const net = netOf(set, v as Cidr);
        hit = cidrContains(net, dir === 'src' ? pkt.src : pkt.dst);
        specific += net.prefix;
      }
    }
    if (hit && specific > bestSpecific) {
      best = e;
      bestSpecific = specific;
    }
  }
  if (!best) return { r: 'miss' };
  return { r: best.nomatch ? 'nomatch' : 'match' };
}
