/**
 * A small model of Linux routing: interfaces with addresses, the local table
 * the kernel derives from them, policy rules (fwmark -> table) and route tables.
 * Enough to decide `-o` in OUTPUT, local delivery vs forwarding, and TPROXY's
 * `fwmark 1337 lookup 133` + `local default dev lo table 133`.
 */
import { parseCidr, type Address, type Cidr } from '../net/address.js';
import { inCidr } from './hot-cidr.js';
import type { AddrType } from './packet.js';
import type { Family } from '../types.js';

export interface InterfaceAddress {
  addr: Address;
  prefix: number;
}

export interface Interface {
  name: string;
  /** In configuration order: the first of a family is the primary address. */
  addrs: InterfaceAddress[];
}

export interface Route {
  dst: Cidr;
  type: 'unicast' | 'local' | 'blackhole' | 'unreachable' | 'prohibit';
  dev: string | null;
  via: Address | null;
}

export interface PolicyRule {
  priority: number;
  fwmark: { value: number; mask: number } | null;
  table: string;
}

export interface RoutingModel {
  interfaces: Interface[];
  /** Extra policy rules; `local` (0), `main` (32766) and `default` (32767) are implicit. */
  rules: PolicyRule[];
  /** Route tables by name or number text; `main` holds the usual routes. */
  tables: Record<string, Route[]>;
}

export interface RouteResult {
  type: Route['type'] | 'none';
  /** Outgoing device: `lo` for local routes. */
  dev: string | null;
  via: Address | null;
  table: string;
  /** The source address the kernel would pick for a new local socket. */
  prefSrc: Address | null;
}

const LOOPBACK4 = parseCidr('127.0.0.0/8')!;

/** A RoutingModel prepared for lookups: what lookupRoute would otherwise rebuild on every call. */
interface CompiledRouting {
  /** Addresses of the interfaces, by family (loopback 127/8 is tested apart). */
  localValues: Record<Family, Set<number | bigint>>;
  /** Policy rules in `ip rule` order, the implicit main last, each with its table's routes of each family. */
  steps: PolicyStep[];
  /** Primary (first) address of each interface per family; the first interface of a name wins. */
  primary: Map<string, Record<Family, Address | null>>;
  /** Answers already given, by mark, then by address value (a number for IPv4, a bigint for IPv6: families never mix). */
  answers: Map<number, Map<number | bigint, Readonly<RouteResult>>>;
}

/** Answers kept per mark, and marks kept; a map that is full is cleared. */
const ANSWERS_MAX = 4096;
const MARKS_MAX = 64;

interface PolicyStep {
  fwmark: PolicyRule['fwmark'];
  table: string;
  routes: Record<Family, Route[]>;
}

// A RoutingModel is built once per host (src/pod/host.ts) and never changed afterwards,
// so its compiled form can be kept for as long as the model lives.
const COMPILED = new WeakMap<RoutingModel, CompiledRouting>();

function compiled(model: RoutingModel): CompiledRouting {
  let c = COMPILED.get(model);
  if (c === undefined) {
    c = compile(model);
    COMPILED.set(model, c);
  }
  return c;
}

function compile(model: RoutingModel): CompiledRouting {
  const localValues: CompiledRouting['localValues'] = { ipv4: new Set(), ipv6: new Set() };
  const primary: CompiledRouting['primary'] = new Map();
  for (const i of model.interfaces) {
    for (const a of i.addrs) localValues[a.addr.family].add(a.addr.value);
    if (!primary.has(i.name)) primary.set(i.name, { ipv4: firstOfFamily(i, 'ipv4'), ipv6: firstOfFamily(i, 'ipv6') });
  }
  // Array.prototype.sort is stable: rules of equal priority keep their configured order.
  const rules: PolicyRule[] = [...model.rules].sort((a, b) => a.priority - b.priority);
  rules.push({ priority: 32766, fwmark: null, table: 'main' });
  const steps = rules.map((rule): PolicyStep => {
    const routes = model.tables[rule.table] ?? [];
    return {
      fwmark: rule.fwmark,
      table: rule.table,
      routes: { ipv4: routes.filter((r) => r.dst.family === 'ipv4'), ipv6: routes.filter((r) => r.dst.family === 'ipv6') },
    };
  });
  return { localValues, steps, primary, answers: new Map() };
}

function firstOfFamily(i: Interface, family: Family): Address | null {
  return i.addrs.find((a) => a.addr.family === family)?.addr ?? null;
}

function isLocalAddress(model: RoutingModel, addr: Address): boolean {
  return isLocalIn(compiled(model), addr);
}

function isLocalIn(c: CompiledRouting, addr: Address): boolean {
  if (addr.family === 'ipv4' && inCidr(LOOPBACK4, addr)) return true;
  return c.localValues[addr.family].has(addr.value);
}

function longestMatch(routes: Route[], addr: Address): Route | null {
  let best: Route | null = null;
  for (const r of routes) {
    if (inCidr(r.dst, addr) && (!best || r.dst.prefix > best.dst.prefix)) best = r;
  }
  return best;
}

export function primaryAddress(model: RoutingModel, iface: string, family: Family): Address | null {
  return compiled(model).primary.get(iface)?.[family] ?? null;
}

/**
 * Policy routing lookup as `ip rule` orders it: local, then extra rules, then main.
 * The answer depends only on the model, the address and the mark, so it is kept and shared: callers only read it.
 */
export function lookupRoute(model: RoutingModel, addr: Address, mark: number): Readonly<RouteResult> {
  const c = compiled(model);
  let byAddress = c.answers.get(mark);
  if (byAddress === undefined) {
    if (c.answers.size >= MARKS_MAX) c.answers.clear();
    c.answers.set(mark, (byAddress = new Map()));
  }
  let answer = byAddress.get(addr.value);
  if (answer === undefined) {
    if (byAddress.size >= ANSWERS_MAX) byAddress.clear();
    answer = routeFor(c, addr, mark);
    byAddress.set(addr.value, answer);
  }
  return answer;
}

function routeFor(c: CompiledRouting, addr: Address, mark: number): RouteResult {
  if (isLocalIn(c, addr)) {
    return { type: 'local', dev: 'lo', via: null, table: 'local', prefSrc: addr };
  }
  for (const rule of c.steps) {
    if (rule.fwmark && ((mark & rule.fwmark.mask) >>> 0) !== rule.fwmark.value) continue;
    const route = longestMatch(rule.routes[addr.family], addr);
    if (!route) continue;
    if (route.type === 'local') return { type: 'local', dev: 'lo', via: null, table: rule.table, prefSrc: null };
    const dev = route.dev;
    return {
      type: route.type,
      dev,
      via: route.via,
      table: rule.table,
      prefSrc: dev ? c.primary.get(dev)?.[addr.family] ?? null : null,
    };
  }
  return { type: 'none', dev: null, via: null, table: 'main', prefSrc: null };
}

export function addressType(model: RoutingModel, addr: Address, iface: string | null): AddrType {
  if (addr.family === 'ipv4') {
    const v = addr.value as number;
    if (v === 0) return 'UNSPEC';
    if (v >>> 28 === 14) return 'MULTICAST';
    if (v === 0xffffffff) return 'BROADCAST';
  } else {
    if (addr.value === 0n) return 'UNSPEC';
    if ((addr.value as bigint) >> 120n === 0xffn) return 'MULTICAST';
  }
  const candidates = iface ? model.interfaces.filter((i) => i.name === iface) : model.interfaces;
  if (iface === 'lo' && addr.family === 'ipv4' && inCidr(LOOPBACK4, addr)) return 'LOCAL';
  if (!iface && isLocalAddress(model, addr)) return 'LOCAL';
  for (const i of candidates) {
    for (const a of i.addrs) {
      if (a.addr.family !== addr.family) continue;
      if (a.addr.value === addr.value) return 'LOCAL';
      if (addr.family === 'ipv4' && a.prefix < 31) {
        const hostBits = 32 - a.prefix;
        const bcast = (((a.addr.value as number) >>> hostBits) << hostBits | ((1 << hostBits) - 1)) >>> 0;
        if ((addr.value as number) === bcast) return 'BROADCAST';
      }
    }
  }
  const route = lookupRoute(model, addr, 0);
  if (route.type === 'none' || route.type === 'unreachable') return 'UNREACHABLE';
  if (route.type === 'blackhole') return 'BLACKHOLE';
  if (route.type === 'prohibit') return 'PROHIBIT';
  return 'UNICAST';
}

/**
 * The output route for a packet that already has its source address. IPv4 refuses
 * a loopback (127/8) source on a non-loopback device (__mkroute_output with
 * route_localnet=0 answers -EINVAL), so such a packet has no route at all.
 */
export function outputRoute(model: RoutingModel, src: Address, dst: Address, mark: number): Readonly<RouteResult> | 'loopback-source' {
  const r = lookupRoute(model, dst, mark);
  if (src.family === 'ipv4' && (src.value as number) >>> 24 === 127 && r.type !== 'local' && r.dev !== null && r.dev !== 'lo') return 'loopback-source';
  return r;
}

/**
 * The input routing decision for a received packet (after PREROUTING, so after any DNAT).
 * IPv4: a 127/8 destination arriving on a non-loopback device is a martian destination
 * (ip_route_input_slow with route_localnet=0 drops it). IPv6: ::1 is reachable only over lo
 * (the loopback address is never accepted from another device).
 */
export function inputRoute(model: RoutingModel, dst: Address, mark: number, inIface: string | null): Readonly<RouteResult> | 'martian-destination' {
  if (inIface !== null && inIface !== 'lo' && isLoopbackAddress(dst)) return 'martian-destination';
  return lookupRoute(model, dst, mark);
}

function isLoopbackAddress(a: Address): boolean {
  return a.family === 'ipv4' ? (a.value as number) >>> 24 === 127 : a.value === 1n;
}
