/**
 * What DNAT, SNAT, REDIRECT and MASQUERADE share, after iptables' libxt_NAT.c
 * (parse and save of `[addr[-addr]][:port[-port[/base]]]`) and the kernel's
 * nf_nat_core.c get_unique_tuple() (which address and port a new connection gets).
 */
import { RuleSyntaxError } from '../errors.js';
import type { BuildCtx } from '../matches/define.js';
import { parseAddress, type Address } from '../net/address.js';
import type { Packet } from '../netfilter/packet.js';
import type { Family } from '../types.js';
import { onlyOnce, parseUInt, valueOf } from '../matches/util.js';
import { defineTarget, type NatChange, type TargetModule, type TargetOutcome } from './define.js';
import { hostPort, parsePortValue } from './options.js';

export interface PortRange {
  min: number;
  max: number;
  /** DNAT's shifted port map `min-max/base` (NF_NAT_RANGE_PROTO_OFFSET), else null. */
  base: number | null;
}

export interface NatRange {
  /** NF_NAT_RANGE_MAP_IPS: the address range, or null to keep the address. */
  addrs: { min: Address; max: Address } | null;
  /** NF_NAT_RANGE_PROTO_SPECIFIED: the port range, or null to keep the port. */
  ports: PortRange | null;
}

export interface NatFlags {
  random: boolean;
  randomFully: boolean;
  persistent: boolean;
}

/** Protocols libxt_NAT accepts a port with (it checks the number only, not `!`). */
const PORT_PROTOS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'icmp']);

function needPortProto(ctx: BuildCtx): void {
  if (!ctx.proto || !PORT_PROTOS.has(ctx.proto.value)) throw new RuleSyntaxError('a port needs -p tcp, udp, sctp or dccp');
}

/** `port[-port[/base]]` as libxt_NAT parse_ports() reads it; `/base` only where allowOffset (DNAT). */
export function parsePorts(text: string, ctx: BuildCtx, allowOffset: boolean): PortRange {
  needPortProto(ctx);
  const bad = (why: string) => new RuleSyntaxError(`invalid port specification "${text}": ${why}`);
  if (text.includes(':')) throw bad('use a dash for a port range');
  const dash = text.indexOf('-');
  // A single port may be a service name; the ends of a range may not.
  if (dash < 0) {
    const port = parsePortValue(text, 'port');
    return { min: port, max: port, base: null };
  }
  const min = parseUInt(text.slice(0, dash), 65535);
  if (min === null) throw bad(`"${text.slice(0, dash)}" is not a port 0-65535`);
  const rest = text.slice(dash + 1);
  const slash = rest.indexOf('/');
  const maxText = slash < 0 ? rest : rest.slice(0, slash);
  const max = parseUInt(maxText, 65535);
  if (max === null) throw bad(`"${maxText}" is not a port 0-65535`);
  if (max < min) throw bad('the range ends below its start');
  if (slash < 0) return { min, max, base: null };
  if (!allowOffset) throw bad('a shifted port map (/base) is only supported by DNAT');
  const base = parseUInt(rest.slice(slash + 1), 65535);
  if (base === null || base < 1) throw bad(`"${rest.slice(slash + 1)}" is not a port 1-65535`);
  return { min, max, base };
}

function parseFamilyAddress(text: string, family: Family): Address {
  const a = parseAddress(text);
  if (!a || a.family !== family) {
    throw new RuleSyntaxError(`bad IP address "${text}": expected an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address (host names are not resolved)`);
  }
  return a;
}

/** `--to-destination` / `--to-source`: `[ipaddr[-ipaddr]][:port[-port]]`, IPv6 as `[addr]:port`. */
export function parseNatRange(text: string, ctx: BuildCtx, allowOffset: boolean): NatRange {
  let addrText: string;
  let portText: string | null;
  if (!text.includes('[')) {
    // One colon is a port; more than one is an IPv6 address without a port.
    const colon = text.indexOf(':');
    const single = colon >= 0 && text.indexOf(':', colon + 1) < 0;
    addrText = single ? text.slice(0, colon) : text;
    portText = single ? text.slice(colon + 1) : null;
  } else {
    const close = text.indexOf(']');
    if (ctx.family === 'ipv4' || !text.startsWith('[') || close < 0) throw new RuleSyntaxError(`invalid address format "${text}"`);
    const after = text.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw new RuleSyntaxError(`invalid address format "${text}"`);
    addrText = text.slice(1, close);
    portText = after === '' ? null : after.slice(1);
  }
  const ports = portText === null ? null : parsePorts(portText, ctx, allowOffset);
  if (addrText === '' && ports) return { addrs: null, ports };
  const dash = addrText.indexOf('-');
  const min = parseFamilyAddress(dash < 0 ? addrText : addrText.slice(0, dash), ctx.family);
  const max = dash < 0 ? min : parseFamilyAddress(addrText.slice(dash + 1), ctx.family);
  return { addrs: { min, max }, ports };
}

export function formatPorts(p: PortRange): string {
  return `${p.min}${p.max !== p.min ? `-${p.max}` : ''}${p.base !== null ? `/${p.base}` : ''}`;
}

/** sprint_range(): brackets around IPv6 addresses only when a port follows. */
export function formatNatRange(r: NatRange): string {
  const brackets = r.addrs?.min.family === 'ipv6' && r.ports !== null;
  let s = '';
  if (r.addrs) {
    const { min, max } = r.addrs;
    s += `${brackets ? '[' : ''}${min.text}${max.value !== min.value ? `-${max.text}` : ''}${brackets ? ']' : ''}`;
  }
  if (r.ports) s += `:${formatPorts(r.ports)}`;
  return s;
}

/** Flags in the order __NAT_print() writes them. */
export function formatFlags(f: NatFlags): string[] {
  const out: string[] = [];
  if (f.random) out.push('--random');
  if (f.randomFully) out.push('--random-fully');
  if (f.persistent) out.push('--persistent');
  return out;
}

export function readFlags(names: string[]): NatFlags {
  return { random: names.includes('random'), randomFully: names.includes('random-fully'), persistent: names.includes('persistent') };
}

function cmp(a: Address, b: Address): number {
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/**
 * The binding get_unique_tuple() gives the first packet of a connection, assuming
 * no other connection already uses the result (we see one flow at a time). Where
 * the kernel picks by hash or at random we show the first candidate and say so.
 */
export function resolveNat(manip: 'dst' | 'src', range: NatRange, flags: NatFlags, pkt: Packet): { change: NatChange; notes: string[] } {
  const random = flags.random || flags.randomFully;
  const curAddr = manip === 'dst' ? pkt.dst : pkt.src;
  const curPort = manip === 'dst' ? pkt.dport : pkt.sport;
  const notes: string[] = [];
  const portIn = (p: PortRange) => curPort !== null && curPort >= p.min && curPort <= p.max;

  // 1) Source NAT keeps a tuple that already lies inside the range.
  if (manip === 'src' && !random) {
    const addrOk = !range.addrs || (cmp(curAddr, range.addrs.min) >= 0 && cmp(curAddr, range.addrs.max) <= 0);
    const portOk = !range.ports || curPort === null || portIn(range.ports);
    if (addrOk && portOk) {
      notes.push('source already within the range: unchanged');
      return { change: { manip, addr: curAddr, port: null }, notes };
    }
  }

  // 2) The address.
  let addr = curAddr;
  if (range.addrs) {
    addr = range.addrs.min;
    if (range.addrs.max.value !== range.addrs.min.value) {
      notes.push(`address range ${range.addrs.min.text}-${range.addrs.max.text} reduced to its first address (the kernel picks one by hash)`);
    }
  }

  // 3) The port.
  let port: number | null = null;
  const p = range.ports;
  if (!p) {
    if (manip === 'src' && random && curPort !== null) notes.push('the kernel randomises the source port; shown unchanged');
  } else if (curPort !== null) {
    if (p.base !== null) {
      // Shifted port map: the offset from base, modulo the range size (u16 arithmetic).
      port = p.min + (((curPort - p.base) & 0xffff) % (p.max - p.min + 1));
    } else if (!random && portIn(p)) {
      port = null;
      if (p.max !== p.min) notes.push(`port ${curPort} already within ${formatPorts(p)}: kept`);
    } else {
      port = p.min;
      if (p.max !== p.min && (random || manip === 'src')) {
        notes.push(`port range ${formatPorts(p)} reduced to its first port (the kernel picks a free port at random)`);
      } else if (p.max !== p.min) {
        notes.push(`first free port of ${formatPorts(p)}`);
      }
    }
  }
  return { change: { manip, addr, port }, notes };
}

/** An accept outcome carrying the binding, with a detail such as `redirect to 127.0.0.1:15001`. */
export function natAccept(verb: string, change: NatChange, pkt: Packet, notes: string[]): TargetOutcome {
  const shownPort = change.port ?? (change.manip === 'dst' ? pkt.dport : pkt.sport);
  const where = hostPort(change.addr.text, shownPort, change.addr.family === 'ipv6');
  const detail = `${verb} to ${where}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  return { verdict: 'accept', nat: change, detail };
}

export interface MappingOptions {
  range: NatRange;
  flags: NatFlags;
}

/**
 * DNAT and SNAT: one mandatory address option (`--to-destination` / `--to-source`)
 * plus flags. Several ranges in one rule were dropped from the kernel (rangesize
 * must be 1), so a second `--to-…` is an error.
 */
export function defineMappingTarget(spec: {
  name: 'DNAT' | 'SNAT';
  option: 'to-destination' | 'to-source';
  manip: 'dst' | 'src';
  hooks: TargetModule<MappingOptions>['hooks'];
  flags: Array<'random' | 'random-fully' | 'persistent'>;
  allowOffset: boolean;
}): TargetModule<MappingOptions> {
  const verb = spec.name.toLowerCase();
  return defineTarget<MappingOptions>({
    name: spec.name,
    options: [{ name: spec.option, arg: true }, ...spec.flags.map((name) => ({ name, arg: false }))],
    tables: ['nat'],
    hooks: spec.hooks,
    tracksConnections: true,
    rewritesAddresses: true,
    build(options, ctx) {
      const given = options.filter((o) => o.name === spec.option);
      if (given.length === 0) throw new RuleSyntaxError(`${spec.name} needs --${spec.option}`);
      if (given.length > 1) throw new RuleSyntaxError(`${spec.name}: only one --${spec.option} is allowed (multiple ranges are not supported by the kernel)`);
      onlyOnce(spec.name, options);
      return { range: parseNatRange(valueOf(spec.name, given[0]!), ctx, spec.allowOffset), flags: readFlags(options.map((o) => o.name)) };
    },
    save(o) {
      return [`--${spec.option} ${formatNatRange(o.range)}`, ...formatFlags(o.flags)].join(' ');
    },
    apply(o, pkt) {
      const { change, notes } = resolveNat(spec.manip, o.range, o.flags, pkt);
      return natAccept(verb, change, pkt, notes);
    },
  });
}
