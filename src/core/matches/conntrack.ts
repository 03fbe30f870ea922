/**
 * `-m conntrack` (revision 3): state, protocol, original/reply tuple addresses and
 * ports, status, expiry and direction of the packet's conntrack entry.
 * Save order and format follow libxt_conntrack.c conntrack_dump; evaluation follows
 * xt_conntrack.c conntrack_mt. What the model cannot see (ctexpire, most ctstatus
 * bits, ports of port-less protocols) evaluates to 'unknown' with a reason.
 */
import { RuleSyntaxError } from '../errors.js';
import { cidrContains, parseAddress, parseCidr, type Address, type Cidr } from '../net/address.js';
import type { Connection, Packet } from '../netfilter/packet.js';
import { protocolNumber } from '../ruleset/protocols.js';
import { triAnd, type Tri } from '../types.js';
import { defineMatch, type BuildCtx, type ParsedOption } from './define.js';
import { formatPortRange, parsePortRange, type PortRange } from './ports.js';
import { onlyOnce, parseUInt, UINT32_MAX, valueOf, type Neg } from './util.js';

/* ---- states, shared with -m state ---- */

/** State bits (our own numbering; only their order in the tables below matters for text). */
export const CT = {
  INVALID: 1,
  NEW: 2,
  RELATED: 4,
  ESTABLISHED: 8,
  UNTRACKED: 16,
  SNAT: 32,
  DNAT: 64,
} as const;
export type CtStateName = keyof typeof CT;

/** The order parse_state tries names in (a prefix picks the first hit, e.g. "E" = ESTABLISHED). */
const PARSE_ORDER: CtStateName[] = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED', 'SNAT', 'DNAT'];
/** The order print_state writes them in. */
const PRINT_ORDER: CtStateName[] = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'];

/**
 * Parse a comma list of states as libxt_conntrack does: case-insensitive, each item
 * may be a prefix of a name (strncasecmp with the item's length), no empty items.
 */
export function parseStateList(module: string, option: string, text: string, allowed: CtStateName[] = PARSE_ORDER): number {
  let mask = 0;
  for (const item of text.split(',')) {
    const upper = item.toUpperCase();
    const name = upper === '' ? undefined : PARSE_ORDER.find((n) => allowed.includes(n) && n.startsWith(upper));
    if (!name) throw new RuleSyntaxError(`${module}: bad ${option} "${item}" (expected ${allowed.join(', ')} separated by commas, no spaces)`);
    mask |= CT[name];
  }
  return mask;
}

export function formatStateMask(mask: number): string {
  return PRINT_ORDER.filter((n) => (mask & CT[n]) !== 0).join(',');
}

/**
 * Does the packet carry a conntrack entry? nf_ct_get is NULL for invalid and untracked
 * packets, and before conntrack's hook (-200) has attached one: in raw, a first packet has none.
 */
export function hasCt(c: Connection): boolean {
  return c.attached && !c.untracked && c.state !== 'UNTRACKED' && c.state !== 'INVALID';
}

/** The state bits conntrack_mt tests: the ctinfo state, plus SNAT/DNAT when that NAT changed the entry. */
export function stateBits(c: Connection): number {
  if (c.untracked || c.state === 'UNTRACKED') return CT.UNTRACKED;
  // No entry attached yet (raw, before conntrack): the kernel reports INVALID (measured on 6.18).
  if (c.state === 'INVALID' || !c.attached) return CT.INVALID;
  let bits: number = CT[c.state];
  if (c.snatApplied) bits |= CT.SNAT;
  if (c.dnatApplied) bits |= CT.DNAT;
  return bits;
}

export function stateNames(c: Connection): string {
  return formatStateMask(stateBits(c));
}

/* ---- the module ---- */

/** An address as written (saved unmasked, like xtables' HOSTMASK) plus the CIDR used to match. */
interface CtAddr {
  text: string;
  cidr: Cidr;
}

const STATUS = { EXPECTED: 1, SEEN_REPLY: 2, ASSURED: 4, CONFIRMED: 8 } as const;
type StatusName = keyof typeof STATUS | 'NONE';
const STATUS_PARSE: StatusName[] = ['NONE', 'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED'];
const STATUS_PRINT: Array<keyof typeof STATUS> = ['EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED'];

export interface ConntrackOptions {
  state?: Neg<number>;
  proto?: Neg<number>;
  origsrc?: Neg<CtAddr>;
  origdst?: Neg<CtAddr>;
  replsrc?: Neg<CtAddr>;
  repldst?: Neg<CtAddr>;
  origsrcport?: Neg<PortRange>;
  origdstport?: Neg<PortRange>;
  replsrcport?: Neg<PortRange>;
  repldstport?: Neg<PortRange>;
  status?: Neg<number>;
  expire?: Neg<{ min: number; max: number }>;
  dir?: 'ORIGINAL' | 'REPLY';
}

function parseCtAddr(opt: ParsedOption, ctx: BuildCtx): CtAddr {
  const text = valueOf('conntrack', opt);
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  const max = ctx.family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = parseUInt(text.slice(slash + 1), max);
    if (p === null) throw new RuleSyntaxError(`conntrack: bad prefix length in --${opt.name} "${text}" (expected 0-${max})`);
    prefix = p;
  }
  if (!addr) throw new RuleSyntaxError(`conntrack: bad address in --${opt.name} "${text}" (host names are not resolved)`);
  if (addr.family !== ctx.family) throw new RuleSyntaxError(`conntrack: --${opt.name} ${text} is not an ${ctx.family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
  const cidr = parseCidr(`${addr.text}/${prefix}`)!;
  return { text: prefix === max ? addr.text : `${addr.text}/${prefix}`, cidr };
}

function parseStatus(text: string): number {
  let mask = 0;
  for (const item of text.split(',')) {
    const upper = item.toUpperCase();
    const name = upper === '' ? undefined : STATUS_PARSE.find((n) => n.startsWith(upper));
    if (!name) throw new RuleSyntaxError(`conntrack: bad ctstatus "${item}" (expected NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED)`);
    if (name !== 'NONE') mask |= STATUS[name];
  }
  return mask;
}

function formatStatus(mask: number): string {
  return mask === 0 ? 'NONE' : STATUS_PRINT.filter((n) => (mask & STATUS[n]) !== 0).join(',');
}

function parseExpire(text: string): { min: number; max: number } {
  const colon = text.indexOf(':');
  const min = parseUInt(colon < 0 ? text : text.slice(0, colon), UINT32_MAX);
  const max = colon < 0 ? min : parseUInt(text.slice(colon + 1), UINT32_MAX);
  if (min === null || max === null) throw new RuleSyntaxError(`conntrack: bad --ctexpire "${text}" (expected seconds or min:max, 0-4294967295)`);
  return { min, max };
}

function parseCtProto(text: string): number {
  const lower = text.toLowerCase();
  const n = /^\d+$/.test(lower) ? parseUInt(lower, 255) : protocolNumber(lower);
  if (n === null || n === undefined) throw new RuleSyntaxError(`conntrack: unknown protocol "${text}" in --ctproto`);
  if (n === 0) throw new RuleSyntaxError('conntrack: --ctproto 0 (all) would never match a protocol');
  return n;
}

const ADDR_OPTS = ['origsrc', 'origdst', 'replsrc', 'repldst'] as const;
const PORT_OPTS = ['origsrcport', 'origdstport', 'replsrcport', 'repldstport'] as const;

/** The reply tuple as the kernel holds it now: the original reversed, with NAT already applied. */
function replySrc(pkt: Packet): Address {
  return pkt.conn.dnatApplied ? pkt.dst : pkt.conn.original.dst;
}
function replyDst(pkt: Packet): Address {
  return pkt.conn.snatApplied ? pkt.src : pkt.conn.original.src;
}
function replySport(pkt: Packet): number | null {
  return pkt.conn.dnatApplied ? pkt.dport : pkt.conn.original.dport;
}
function replyDport(pkt: Packet): number | null {
  return pkt.conn.snatApplied ? pkt.sport : pkt.conn.original.sport;
}

function tupleAddr(which: (typeof ADDR_OPTS)[number], pkt: Packet): Address {
  switch (which) {
    case 'origsrc':
      return pkt.conn.original.src;
    case 'origdst':
      return pkt.conn.original.dst;
    case 'replsrc':
      return replySrc(pkt);
    case 'repldst':
      return replyDst(pkt);
  }
}

function tuplePort(which: (typeof PORT_OPTS)[number], pkt: Packet): number | null {
  switch (which) {
    case 'origsrcport':
      return pkt.conn.original.sport;
    case 'origdstport':
      return pkt.conn.original.dport;
    case 'replsrcport':
      return replySport(pkt);
    case 'repldstport':
      return replyDport(pkt);
  }
}

const b = (hit: boolean, invert: boolean): Tri => (hit !== invert ? 'yes' : 'no');

/** Per-option verdicts with reasons; evaluate() folds only the verdicts. */
function check(o: ConntrackOptions, pkt: Packet, why: string[] | null): Tri {
  const c = pkt.conn;
  let r: Tri = 'yes';
  if (o.state) {
    const bits = stateBits(c);
    const v = b((o.state.value & bits) !== 0, o.state.invert);
    why?.push(`ctstate ${formatStateMask(bits)} ${v === 'yes' ? 'matches' : 'does not match'} ${o.state.invert ? '! ' : ''}${formatStateMask(o.state.value)}`);
    if (v === 'no') return 'no';
  }
  if (!hasCt(c)) {
    // conntrack_mt: without an entry only a (passed) state test can make the match true.
    const v: Tri = o.state ? 'yes' : 'no';
    if (why && (!o.state || Object.keys(o).length > 1)) {
      why.push(`no conntrack entry (${stateNames(c)}): ${v === 'yes' ? 'only the state test applies' : 'tuple tests never match'}`);
    }
    return v;
  }
  if (o.dir) {
    const v = b(c.direction === o.dir, false);
    why?.push(`direction ${c.direction} ${v === 'yes' ? '=' : '≠'} ${o.dir}`);
    if (v === 'no') return 'no';
  }
  for (const k of ADDR_OPTS) {
    const t = o[k];
    if (!t) continue;
    if (k.startsWith('repl') && c.direction === 'REPLY') {
      why?.push(`ct${k}: reply tuple of a reply-direction packet is not modelled`);
      r = triAnd(r, 'unknown');
      continue;
    }
    const a = tupleAddr(k, pkt);
    const v = b(cidrContains(t.value.cidr, a), t.invert);
    why?.push(`ct${k} ${a.text} ${cidrContains(t.value.cidr, a) ? 'in' : 'not in'} ${t.value.text}${t.invert ? ' (negated)' : ''}`);
    if (v === 'no') return 'no';
  }
  if (o.proto) {
    const actual = protocolNumber(pkt.proto);
    if (actual === null) {
      why?.push(`ctproto: protocol ${pkt.proto} has no number`);
      r = triAnd(r, 'unknown');
    } else {
      const v = b(actual === o.proto.value, o.proto.invert);
      why?.push(`ctproto ${actual} ${actual === o.proto.value ? '=' : '≠'} ${o.proto.value}${o.proto.invert ? ' (negated)' : ''}`);
      if (v === 'no') return 'no';
    }
  }
  for (const k of PORT_OPTS) {
    const t = o[k];
    if (!t) continue;
    if (k.startsWith('repl') && c.direction === 'REPLY') {
      why?.push(`ct${k}: reply tuple of a reply-direction packet is not modelled`);
      r = triAnd(r, 'unknown');
      continue;
    }
    const port = tuplePort(k, pkt);
    if (port === null) {
      why?.push(`ct${k}: ${pkt.proto} has no ports (the tuple's id fields are not modelled)`);
      r = triAnd(r, 'unknown');
      continue;
    }
    const hit = port >= t.value.from && port <= t.value.to;
    const rel = t.value.from === t.value.to ? (hit ? '=' : '≠') : hit ? 'in' : 'not in';
    why?.push(`ct${k} ${port} ${rel} ${formatPortRange(t.value)}${t.invert ? ' (negated)' : ''}`);
    if (b(hit, t.invert) === 'no') return 'no';
  }
  if (o.status) {
    if (o.status.value === 0) {
      // !!(0 & status) is always 0: positive NONE never matches, "! --ctstatus NONE" always does.
      why?.push(`ctstatus NONE never matches a status mask${o.status.invert ? ' (negated: true)' : ''}`);
      if (!o.status.invert) return 'no';
    } else if (c.state === 'NEW' && (o.status.value & STATUS.CONFIRMED) === 0) {
      // A NEW packet has seen no reply, so it is neither SEEN_REPLY nor ASSURED, and not EXPECTED (that is RELATED).
      why?.push(`ctstatus: a NEW connection has none of ${formatStatus(o.status.value)}${o.status.invert ? ' (negated)' : ''}`);
      if (!o.status.invert) return 'no';
    } else {
      why?.push(`ctstatus ${formatStatus(o.status.value)}: conntrack status bits are not modelled`);
      r = triAnd(r, 'unknown');
    }
  }
  if (o.expire) {
    why?.push('ctexpire: conntrack timeouts are not modelled');
    r = triAnd(r, 'unknown');
  }
  return r;
}

export const conntrackMatch = defineMatch<ConntrackOptions>({
  name: 'conntrack',
  tracksConnections: true,
  options: [
    { name: 'ctstate', arg: true, invertible: true },
    { name: 'ctproto', arg: true, invertible: true },
    { name: 'ctorigsrc', arg: true, invertible: true },
    { name: 'ctorigdst', arg: true, invertible: true },
    { name: 'ctreplsrc', arg: true, invertible: true },
    { name: 'ctrepldst', arg: true, invertible: true },
    { name: 'ctorigsrcport', arg: true, invertible: true },
    { name: 'ctorigdstport', arg: true, invertible: true },
    { name: 'ctreplsrcport', arg: true, invertible: true },
    { name: 'ctrepldstport', arg: true, invertible: true },
    { name: 'ctstatus', arg: true, invertible: true },
    { name: 'ctexpire', arg: true, invertible: true },
    { name: 'ctdir', arg: true, invertible: false },
  ],
  build(options, ctx) {
    onlyOnce('conntrack', options);
    if (options.length === 0) throw new RuleSyntaxError('conntrack: at least one option is required');
    const o: ConntrackOptions = {};
    for (const opt of options) {
      const text = valueOf('conntrack', opt);
      const inv = opt.invert;
      switch (opt.name) {
        case 'ctstate':
          o.state = { value: parseStateList('conntrack', 'ctstate', text), invert: inv };
          break;
        case 'ctproto':
          o.proto = { value: parseCtProto(text), invert: inv };
          break;
        case 'ctorigsrc':
        case 'ctorigdst':
        case 'ctreplsrc':
        case 'ctrepldst':
          o[opt.name.slice(2) as (typeof ADDR_OPTS)[number]] = { value: parseCtAddr(opt, ctx), invert: inv };
          break;
        case 'ctorigsrcport':
        case 'ctorigdstport':
        case 'ctreplsrcport':
        case 'ctrepldstport':
          o[opt.name.slice(2) as (typeof PORT_OPTS)[number]] = { value: parsePortRange(text), invert: inv };
          break;
        case 'ctstatus':
          o.status = { value: parseStatus(text), invert: inv };
          break;
        case 'ctexpire':
          o.expire = { value: parseExpire(text), invert: inv };
          break;
        case 'ctdir': {
          const d = text.toUpperCase();
          if (d !== 'ORIGINAL' && d !== 'REPLY') throw new RuleSyntaxError(`conntrack: bad --ctdir "${text}" (expected ORIGINAL or REPLY)`);
          o.dir = d;
          break;
        }
      }
    }
    return o;
  },
  save(o) {
    const parts: string[] = [];
    const n = (x: { invert: boolean }) => (x.invert ? '! ' : '');
    if (o.state) parts.push(`${n(o.state)}--ctstate ${formatStateMask(o.state.value)}`);
    if (o.proto) parts.push(`${n(o.proto)}--ctproto ${o.proto.value}`);
    for (const k of ADDR_OPTS) {
      const t = o[k];
      if (t) parts.push(`${n(t)}--ct${k} ${t.value.text}`);
    }
    for (const k of PORT_OPTS) {
      const t = o[k];
      if (t) parts.push(`${n(t)}--ct${k} ${formatPortRange(t.value)}`);
    }
    if (o.status) parts.push(`${n(o.status)}--ctstatus ${formatStatus(o.status.value)}`);
    if (o.expire) {
      const e = o.expire.value;
      parts.push(`${n(o.expire)}--ctexpire ${e.min === e.max ? e.min : `${e.min}:${e.max}`}`);
    }
    if (o.dir) parts.push(`--ctdir ${o.dir}`);
    return parts.join(' ');
  },
  evaluate(o, pkt) {
    return check(o, pkt, null);
  },
  explain(o, pkt) {
    const why: string[] = [];
    check(o, pkt, why);
    return why.join('; ');
  },
});
