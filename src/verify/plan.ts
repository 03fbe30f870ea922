/**
 * What the kernel harness is asked to run (KernelPlan) and what it hands back (KernelResult).
 *
 * A plan is generic: two network namespaces, "pod" and "peer", joined by a veth pair
 * (eth0 on both sides). The pod gets the rules; the peer plays every remote host (any address
 * outside the pod's own is local to it). The plan lists the listening processes, and one or
 * more initial connections. Nothing here knows about Istio; a stand-in Envoy is simply a
 * listener whose `then` opens the next connection.
 */
import ipaddr from 'ipaddr.js';
import type { Step } from '../core/trace.js';
import type { Family } from '../core/types.js';
import { PROBE_PREFIX } from './nftrace.js';
import type { Proto } from './standin-protocol.js';

export type NsRole = 'pod' | 'peer';

/** The pod's eth0. Every field has a default: 10.244.1.5/24 via 10.244.1.1, fd00:10:244:1::5/64 via fd00:10:244:1::1. */
export interface PodNetwork {
  /** IPv4 address, optionally with "/prefix". */
  ipv4?: string;
  /** IPv6 address, optionally with "/prefix"; null for an IPv4-only pod. */
  ipv6?: string | null;
  prefix4?: number;
  prefix6?: number;
  /** Default gateway (an address of the peer); default: the first address of the prefix. */
  gateway4?: string;
  gateway6?: string;
}

/** One connection to open: a TCP handshake, or a single UDP datagram. */
export interface ConnectSpec {
  proto: Proto;
  /** Bind this local address first (e.g. 127.0.0.6 or ::6); default: the kernel chooses. */
  src?: string;
  /** Bind this source port (a flow that names one, e.g. `--src 127.0.0.1:15053`); default: ephemeral. */
  sport?: number;
  dst: string;
  dport: number;
  /**
   * IP_TRANSPARENT (IPV6_TRANSPARENT) on the connecting socket, so that `src` may be an address
   * that is not local to the namespace: Envoy's TPROXY `original_src` upstream, which keeps the
   * client's address. Node cannot set it; the socket is made by a Perl one-off (transparent.ts).
   */
  transparent?: boolean;
  /** SO_MARK on the connecting socket (e.g. 1337 on the original_src upstream); Perl as well. */
  mark?: number;
}

export interface ListenerSpec {
  ns: NsRole;
  family: Family;
  proto: Proto;
  port: number;
  /** Bind address; default the wildcard of the family (IPv6 listeners are IPv6-only). */
  address?: string;
  uid: number;
  gid: number;
  /**
   * IP_TRANSPARENT (IPV6_TRANSPARENT), which a TPROXY target needs on the receiving socket.
   * TCP only. Node cannot set it, so the socket is made by a Perl one-off (transparent.ts).
   */
  transparent?: boolean;
  /**
   * On every accepted connection (or received datagram), open this connection as uid/gid, from
   * the same namespace. This is how a stand-in Envoy re-originates. The destination is stated
   * here because Node cannot read SO_ORIGINAL_DST; the plan knows where the flow is going.
   */
  then?: {
    connect: ConnectSpec;
    uid: number;
    gid: number;
    /**
     * Open it for the first `times` accepted connections only (default: every one). A flow
     * that loops through this listener is replayed as far as the simulation followed it.
     */
    times?: number;
  };
  /** Free text for reports, e.g. "Envoy inbound". */
  name?: string;
}

export interface StartSpec extends ConnectSpec {
  ns: NsRole;
  uid: number;
  gid: number;
}

export interface KernelPlan {
  /** iptables-restore input per family; may hold *raw, *mangle, *nat, *filter, *security. */
  rules: { ipv4?: string; ipv6?: string };
  pod?: PodNetwork;
  /** For TPROXY: `ip rule add fwmark F lookup T` and `local default dev lo table T`, both families. */
  policyRouting?: Array<{ fwmark: number; table: number }>;
  listeners: ListenerSpec[];
  /** The initial connection(s). Several run one after another; each settles before the next. */
  start: StartSpec | StartSpec[];
  /** Whole run, setup and cleanup included; default 30 s. */
  timeoutMs?: number;
  /** How long a TCP connect may wait for an answer (a dropped SYN gets none); default 1500 ms. */
  connectTimeoutMs?: number;
}

export interface HopPacket {
  proto: Proto;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** Interface the first packet came in on (prerouting), or null for a locally generated packet. */
  in: string | null;
  /** Interface the sender's routing chose (before any NAT re-route), or null for an inbound packet. */
  out: string | null;
}

/** Who opened a connection: plan.start[index], or plan.listeners[index] re-originating. */
export type Opener = { kind: 'start'; index: number } | { kind: 'listener'; index: number };

export interface KernelHop {
  /** 1-based, in the order the kernel saw the connections. */
  index: number;
  family: Family;
  /** The first packet as it left the sender, before any NAT. */
  packet: HopPacket;
  /**
   * Every iptables rule that matched and every built-in chain policy that applied, in order,
   * across all hooks the first packet crossed (a packet looped back over lo included).
   * Kernel truth, not a model: REDIRECT/DNAT/TPROXY report verdict 'accept'; REJECT reports
   * 'drop' (target 'REJECT'); falling off the end of a user chain leaves no step at all.
   */
  steps: Step[];
  /**
   * The listener that accepted it (index into plan.listeners), matched by the client's address
   * and port, with the accepted socket's local address and port: after REDIRECT that is the
   * listener's port; after TPROXY it is still the original destination. A UDP listener bound to
   * a wildcard reports the wildcard (Node cannot read a datagram's destination address).
   */
  delivered?: { ns: NsRole; listener: number; address: string; port: number };
  openedBy?: Opener;
  /** nft trace ids of the packet's traversals (the id changes when it loops back over lo). */
  traceIds: string[];
}

export interface KernelConnection {
  openedBy: Opener;
  ns: NsRole;
  spec: ConnectSpec;
  uid: number;
  gid: number;
  ok: boolean;
  local?: { address: string; port: number };
  error?: string;
}

export interface KernelResult {
  hops: KernelHop[];
  /** The `nft monitor trace` lines between the start and end probes. */
  raw: string[];
  connections: KernelConnection[];
  /** Things that look wrong but did not stop the run (counter mismatches, unmatched events…). */
  warnings: string[];
  /**
   * What the start-of-run cleanup removed of runs killed earlier: about this machine, not this
   * flow (any run, including one running beside it, may be the one that finds them).
   */
  cleanup: string[];
  namespaces: { pod: string; peer: string };
  durationMs: number;
}

export interface Progress {
  phase: 'namespaces' | 'rules' | 'monitor' | 'listeners' | 'start' | 'settled' | 'cleanup';
  namespaces: { pod: string; peer: string };
  /** Pids of every process the run has started so far. */
  pids: number[];
}

export interface RunOptions {
  /** Path of the compiled stand-in script; default: found next to this module (see standin-path.ts). */
  standinScript?: string;
  onProgress?: (p: Progress) => void;
}

// ---------------------------------------------------------------------------------------------
// Validation and defaults

export class PlanError extends Error {
  constructor(message: string) {
    super(`invalid kernel plan: ${message}`);
    this.name = 'PlanError';
  }
}

export interface ResolvedPod {
  ipv4: string;
  prefix4: number;
  gateway4: string;
  net4: string;
  ipv6: string | null;
  prefix6: number;
  gateway6: string | null;
  net6: string | null;
}

export interface ResolvedPlan extends Omit<KernelPlan, 'pod' | 'start'> {
  pod: ResolvedPod;
  start: StartSpec[];
  timeoutMs: number;
  connectTimeoutMs: number;
}

/** Probe traffic uses this IPv4 range inside the pod; a plan may not. */
export const PROBE_NET = `${PROBE_PREFIX}.0.0/16`;

export function familyOf(address: string): Family | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return 'ipv4';
  if (ipaddr.IPv6.isValid(address) && !address.includes('%')) return 'ipv6';
  return null;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (what nft and Node print). */
export function canonical(address: string): string {
  return ipaddr.parse(address).toString();
}

function splitCidr(text: string, defPrefix: number, max: number, what: string): [string, number] {
  const [addr, prefixText] = text.split('/');
  const prefix = prefixText === undefined ? defPrefix : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 1 || prefix > max) throw new PlanError(`${what}: bad prefix in "${text}"`);
  return [addr ?? '', prefix];
}

function networkAddress(address: string, prefix: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const cidr = `${address}/${prefix}`;
  return familyOf(address) === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
}

/** The network address plus one: 10.244.1.0/24 -> 10.244.1.1. */
function firstHost(address: string, prefix: number): string {
  const bytes = networkAddress(address, prefix).toByteArray();
  const last = bytes.length - 1;
  bytes[last] = ((bytes[last] ?? 0) + 1) & 255;
  return ipaddr.fromByteArray(bytes).toString();
}

function networkOf(address: string, prefix: number): string {
  return `${networkAddress(address, prefix).toString()}/${prefix}`;
}

function checkAddress(address: string, family: Family | null, what: string): void {
  const f = familyOf(address);
  if (!f) throw new PlanError(`${what}: "${address}" is not an IP address`);
  if (family && f !== family) throw new PlanError(`${what}: "${address}" is not ${family}`);
  if (f === 'ipv4' && ipaddr.parse(address).match(ipaddr.parseCIDR(PROBE_NET))) {
    throw new PlanError(`${what}: ${address} is in ${PROBE_NET}, which the harness reserves for its probes`);
  }
}

function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PlanError(`${what}: bad port ${port}`);
}

function checkId(id: number, what: string): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xfffffffe) throw new PlanError(`${what}: bad id ${id}`);
}

function checkConnect(c: ConnectSpec, what: string): Family {
  if (c.proto !== 'tcp' && c.proto !== 'udp') throw new PlanError(`${what}: proto must be tcp or udp`);
  checkAddress(c.dst, null, `${what}.dst`);
  const family = familyOf(c.dst) as Family;
  if (c.src !== undefined) checkAddress(c.src, family, `${what}.src`);
  checkPort(c.dport, `${what}.dport`);
  if (c.sport !== undefined) checkPort(c.sport, `${what}.sport`);
  if (c.transparent !== undefined && typeof c.transparent !== 'boolean') throw new PlanError(`${what}.transparent must be true or false`);
  if (c.transparent && c.src === undefined) throw new PlanError(`${what}.transparent: give the (non-local) src address to bind`);
  if (c.mark !== undefined && (!Number.isInteger(c.mark) || c.mark < 0 || c.mark > 0xffffffff)) throw new PlanError(`${what}.mark: bad mark ${c.mark}`);
  return family;
}

export function resolvePlan(plan: KernelPlan): ResolvedPlan {
  const pod = plan.pod ?? {};
  const [ipv4, prefix4] = splitCidr(pod.ipv4 ?? '10.244.1.5', pod.prefix4 ?? 24, 32, 'pod.ipv4');
  checkAddress(ipv4, 'ipv4', 'pod.ipv4');
  const gateway4 = pod.gateway4 ?? firstHost(ipv4, prefix4);
  checkAddress(gateway4, 'ipv4', 'pod.gateway4');
  let ipv6: string | null = null;
  let prefix6 = pod.prefix6 ?? 64;
  let gateway6: string | null = null;
  if (pod.ipv6 !== null) {
    const [a, p] = splitCidr(pod.ipv6 ?? 'fd00:10:244:1::5', prefix6, 128, 'pod.ipv6');
    checkAddress(a, 'ipv6', 'pod.ipv6');
    ipv6 = canonical(a);
    prefix6 = p;
    gateway6 = canonical(pod.gateway6 ?? firstHost(a, p));
    checkAddress(gateway6, 'ipv6', 'pod.gateway6');
  }
  const resolvedPod: ResolvedPod = {
    ipv4: canonical(ipv4),
    prefix4,
    gateway4: canonical(gateway4),
    net4: networkOf(ipv4, prefix4),
    ipv6,
    prefix6,
    gateway6,
    net6: ipv6 ? networkOf(ipv6, prefix6) : null,
  };

  if (!plan.rules || (plan.rules.ipv4 === undefined && plan.rules.ipv6 === undefined)) {
    throw new PlanError('rules: give rules.ipv4 and/or rules.ipv6');
  }
  const needV6 = (f: Family, what: string): void => {
    if (f === 'ipv6' && !ipv6) throw new PlanError(`${what}: IPv6 used but the pod has no IPv6 address`);
  };
  (plan.listeners ?? []).forEach((l, i) => {
    const what = `listeners[${i}]`;
    if (l.ns !== 'pod' && l.ns !== 'peer') throw new PlanError(`${what}.ns must be pod or peer`);
    if (l.family !== 'ipv4' && l.family !== 'ipv6') throw new PlanError(`${what}.family must be ipv4 or ipv6`);
    if (l.proto !== 'tcp' && l.proto !== 'udp') throw new PlanError(`${what}.proto must be tcp or udp`);
    needV6(l.family, what);
    checkPort(l.port, `${what}.port`);
    if (l.address !== undefined) checkAddress(l.address, l.family, `${what}.address`);
    checkId(l.uid, `${what}.uid`);
    checkId(l.gid, `${what}.gid`);
    if (l.transparent && l.proto !== 'tcp') {
      throw new PlanError(`${what}.transparent: only TCP listeners can be transparent (Node cannot adopt a UDP socket)`);
    }
    if (l.then) {
      needV6(checkConnect(l.then.connect, `${what}.then.connect`), `${what}.then.connect`);
      checkId(l.then.uid, `${what}.then.uid`);
      checkId(l.then.gid, `${what}.then.gid`);
      if (l.then.times !== undefined && (!Number.isInteger(l.then.times) || l.then.times < 1)) throw new PlanError(`${what}.then.times: bad count ${l.then.times}`);
    }
  });
  const dup = new Set<string>();
  for (const l of plan.listeners ?? []) {
    const key = `${l.ns} ${l.family} ${l.proto} ${l.address ?? '*'} ${l.port}`;
    if (dup.has(key)) throw new PlanError(`two listeners on ${key}`);
    dup.add(key);
  }
  const start = Array.isArray(plan.start) ? plan.start : [plan.start];
  if (start.length === 0) throw new PlanError('start: at least one connection');
  start.forEach((s, i) => {
    const what = `start[${i}]`;
    if (s.ns !== 'pod' && s.ns !== 'peer') throw new PlanError(`${what}.ns must be pod or peer`);
    needV6(checkConnect(s, what), what);
    checkId(s.uid, `${what}.uid`);
    checkId(s.gid, `${what}.gid`);
  });
  for (const p of plan.policyRouting ?? []) {
    if (!Number.isInteger(p.fwmark) || p.fwmark < 0 || p.fwmark > 0xffffffff) throw new PlanError(`policyRouting: bad fwmark ${p.fwmark}`);
    if (!Number.isInteger(p.table) || p.table < 1 || p.table > 0xfffffffe || p.table === 253 || p.table === 254 || p.table === 255) {
      throw new PlanError(`policyRouting: bad table ${p.table} (use a custom table number)`);
    }
  }
  const timeoutMs = plan.timeoutMs ?? 30_000;
  const connectTimeoutMs = plan.connectTimeoutMs ?? 1500;
  if (!(timeoutMs > 0) || !(connectTimeoutMs > 0)) throw new PlanError('timeouts must be positive');
  return { ...plan, listeners: plan.listeners ?? [], pod: resolvedPod, start, timeoutMs, connectTimeoutMs };
}
