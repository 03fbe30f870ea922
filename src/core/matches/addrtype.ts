/**
 * `-m addrtype [!] --src-type T[,T…] [!] --dst-type T[,T…] [--limit-iface-in|--limit-iface-out]`
 * (revision 1). Types are the RTN_* route classes of an address, asked of the host's
 * routing tables (optionally only on the packet's in or out interface).
 *
 * IPv4 (addrtype_mt_v1): a list matches when the address's single class is in it.
 * IPv6 (addrtype_mt6): every listed class is a requirement — MULTICAST, UNICAST and UNSPEC
 * are checked against the address itself, and if LOCAL, ANYCAST or UNREACHABLE are listed
 * the route lookup must yield one of them. The kernel refuses BROADCAST, BLACKHOLE,
 * PROHIBIT, THROW, NAT and XRESOLVE for IPv6.
 */
import { RuleSyntaxError } from '../errors.js';
import type { Address } from '../net/address.js';
import type { AddrType, HostView, Packet } from '../netfilter/packet.js';
import type { HookName } from '../types.js';
import { defineMatch, type EvalCtx } from './define.js';
import { onlyOnce, valueOf, type Neg } from './util.js';

/** rtnetlink order: bit i is RTN_i. */
const RTN: AddrType[] = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];
const bit = (t: AddrType) => 1 << RTN.indexOf(t);

const V6_UNSUPPORTED: AddrType[] = ['BROADCAST', 'BLACKHOLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];
const V6_LOOKUP = bit('LOCAL') | bit('ANYCAST') | bit('UNREACHABLE');

export interface AddrtypeOptions {
  src?: Neg<number>;
  dst?: Neg<number>;
  limit?: 'in' | 'out';
}

/** parse_types: comma list, case-insensitive, each item may be a prefix (first hit in RTN order). */
function parseTypes(text: string): number {
  let mask = 0;
  for (const item of text.split(',')) {
    const upper = item.toUpperCase();
    const t = upper === '' ? undefined : RTN.find((n) => n.startsWith(upper));
    if (!t) throw new RuleSyntaxError(`addrtype: bad type "${item}" (expected ${RTN.join(', ')})`);
    mask |= bit(t);
  }
  return mask;
}

function formatTypes(mask: number): string {
  return RTN.filter((t) => (mask & bit(t)) !== 0).join(',');
}

const IN_HOOKS: HookName[] = ['PREROUTING', 'INPUT'];
const OUT_HOOKS: HookName[] = ['OUTPUT', 'POSTROUTING'];
/** The hooks with an input (output) interface, where --limit-iface-in (-out) is accepted. */
const LIMIT_IN_HOOKS: HookName[] = ['PREROUTING', 'INPUT', 'FORWARD'];
const LIMIT_OUT_HOOKS: HookName[] = ['FORWARD', 'OUTPUT', 'POSTROUTING'];

/**
 * Why the rule cannot be decided in this hook, or null. In a built-in chain the load refuses
 * it (checkentry); nf_tables does not check a user chain's hooks this way, so it loads there,
 * and the interface it names does not exist in the hook.
 */
function refusedIn(o: AddrtypeOptions, hook: HookName): string | null {
  if (o.limit === 'in' && OUT_HOOKS.includes(hook)) return `--limit-iface-in has no input interface in ${hook}`;
  if (o.limit === 'out' && IN_HOOKS.includes(hook)) return `--limit-iface-out has no output interface in ${hook}`;
  return null;
}

/** The device the lookup is limited to: xt_in() or xt_out(), else none (any interface). */
function limitIface(o: AddrtypeOptions, pkt: Packet): string | null {
  return o.limit === 'in' ? pkt.inIface : o.limit === 'out' ? pkt.outIface : null;
}

/** ipv6_addr_type's coarse classes: ANY (::), MULTICAST (ff00::/8), MAPPED (::ffff:0:0/96, not unicast), else UNICAST. */
function v6Class(a: Address): 'any' | 'multicast' | 'mapped' | 'unicast' {
  const v = a.value as bigint;
  if (v === 0n) return 'any';
  if (v >> 120n === 0xffn) return 'multicast';
  if (v >> 32n === 0xffffn) return 'mapped';
  return 'unicast';
}

function typeMatches(host: HostView, family: 'ipv4' | 'ipv6', a: Address, iface: string | null, mask: number): boolean {
  if (family === 'ipv4') return (mask & bit(host.addressType(a, iface))) !== 0;
  const cls = v6Class(a);
  if ((mask & bit('MULTICAST')) !== 0 && cls !== 'multicast') return false;
  if ((mask & bit('UNICAST')) !== 0 && cls !== 'unicast') return false;
  if ((mask & bit('UNSPEC')) !== 0 && cls !== 'any') return false;
  if ((mask & V6_LOOKUP) !== 0) {
    const t = host.addressType(a, iface);
    return (mask & V6_LOOKUP & bit(t)) !== 0;
  }
  return true;
}

function testOne(name: string, t: Neg<number>, a: Address, pkt: Packet, ctx: EvalCtx, iface: string | null, why: string[] | null): boolean {
  const hit = typeMatches(ctx.host, pkt.family, a, iface, t.value);
  if (why) {
    const on = iface ? ` on ${iface}` : '';
    why.push(`${name} ${a.text} is ${ctx.host.addressType(a, iface)}${on}, ${hit ? 'matches' : 'does not match'} ${formatTypes(t.value)}${t.invert ? ' (negated)' : ''}`);
  }
  return hit !== t.invert;
}

function run(o: AddrtypeOptions, pkt: Packet, ctx: EvalCtx, why: string[] | null): 'yes' | 'no' | 'unknown' {
  const refused = refusedIn(o, ctx.hook);
  if (refused) {
    why?.push(refused);
    return 'unknown';
  }
  const iface = limitIface(o, pkt);
  if (o.src && !testOne('src', o.src, pkt.src, pkt, ctx, iface, why)) return 'no';
  if (o.dst && !testOne('dst', o.dst, pkt.dst, pkt, ctx, iface, why)) return 'no';
  return 'yes';
}

export const addrtypeMatch = defineMatch<AddrtypeOptions>({
  name: 'addrtype',
  options: [
    { name: 'src-type', arg: true, invertible: true },
    { name: 'dst-type', arg: true, invertible: true },
    { name: 'limit-iface-in', arg: false },
    { name: 'limit-iface-out', arg: false },
  ],
  // addrtype_mt_checkentry_v1: the interface a limit names must exist in the hook.
  hooks: (o) => (o.limit === 'in' ? LIMIT_IN_HOOKS : o.limit === 'out' ? LIMIT_OUT_HOOKS : undefined),
  build(options, ctx) {
    onlyOnce('addrtype', options);
    const o: AddrtypeOptions = {};
    for (const opt of options) {
      switch (opt.name) {
        case 'src-type':
          o.src = { value: parseTypes(valueOf('addrtype', opt)), invert: opt.invert };
          break;
        case 'dst-type':
          o.dst = { value: parseTypes(valueOf('addrtype', opt)), invert: opt.invert };
          break;
        case 'limit-iface-in':
        case 'limit-iface-out': {
          const want = opt.name === 'limit-iface-in' ? 'in' : 'out';
          if (o.limit && o.limit !== want) throw new RuleSyntaxError('addrtype: --limit-iface-in and --limit-iface-out cannot be combined');
          o.limit = want;
          break;
        }
      }
    }
    if (!o.src && !o.dst) throw new RuleSyntaxError('addrtype: you must specify --src-type or --dst-type');
    if (ctx.family === 'ipv6') {
      const used = (o.src?.value ?? 0) | (o.dst?.value ?? 0);
      const bad = V6_UNSUPPORTED.filter((t) => (used & bit(t)) !== 0);
      if (bad.length > 0) throw new RuleSyntaxError(`addrtype: IPv6 does not support ${bad.join(', ')} matching`);
    }
    return o;
  },
  save(o) {
    const parts: string[] = [];
    if (o.src) parts.push(`${o.src.invert ? '! ' : ''}--src-type ${formatTypes(o.src.value)}`);
    if (o.dst) parts.push(`${o.dst.invert ? '! ' : ''}--dst-type ${formatTypes(o.dst.value)}`);
    if (o.limit === 'in') parts.push('--limit-iface-in');
    if (o.limit === 'out') parts.push('--limit-iface-out');
    return parts.join(' ');
  },
  evaluate(o, pkt, ctx) {
    return run(o, pkt, ctx, null);
  },
  explain(o, pkt, ctx) {
    const why: string[] = [];
    run(o, pkt, ctx, why);
    return why.join('; ');
  },
});
