/**
 * Turn a simulated Trace into a KernelPlan: the same rules, the same pod,
 * listeners with the identities the pod model gives them, and stand-in Envoys
 * that open exactly the next connections the simulation predicts. Pure.
 */
import { saveRuleset } from '../sources/iptables/save.js';
import type { Ruleset } from '../core/ruleset/model.js';
import type { Hop, Trace } from '../core/trace.js';
import type { PodConfig } from '../istio/config.js';
import { EPHEMERAL_PORT_BASE } from '../istio/flow.js';
import { buildPodHost } from '../istio/pod-host.js';
import { findSocket } from '../core/netfilter/host-model.js';
import { parseAddress } from '../core/net/address.js';
import type { ConnectSpec, KernelPlan, ListenerSpec, StartSpec } from './plan.js';
import type { Proto } from './standin-protocol.js';

export type PlanResult = { ok: true; plan: KernelPlan } | { ok: false; reason: string };

const APP_ID = { uid: 1000, gid: 1000 };
const SOCKET_MATCH = / -m socket\b/;
const TPROXY_PORT = /-j TPROXY --on-port (\d+)/g;

function isLocalToPod(addr: string, pod: PodConfig): boolean {
  return addr.startsWith('127.') || addr === '::1' || addr === '::6' || addr === pod.ipv4.text || addr === pod.ipv6?.text;
}

/** Who listens on the socket a hop was delivered to, as the pod model says. */
function listenerIdentity(role: string | undefined, pod: PodConfig): { uid: number; gid: number } {
  if (!role || role === 'app') return APP_ID;
  return { uid: pod.proxyUid, gid: pod.proxyGid };
}

/**
 * Owner names the pod model was given ids for (--user/--group) are written as those ids: the
 * kernel keeps only ids, and iptables-restore would look the names up on this machine, which
 * need not have them (Istio's goldens name groups such as "java").
 */
function ownerNamesAsIds(text: string | null, pod: PodConfig): string | null {
  if (!text) return text;
  return text.replace(/(--(uid|gid)-owner )([^\s\d][^\s]*)/g, (all, flag: string, kind: string, name: string) => {
    const id = (kind === 'uid' ? pod.owners.users : pod.owners.groups).get(name);
    return id === undefined ? all : `${flag}${id}`;
  });
}

export function planFromTrace(trace: Trace, ruleset: Ruleset, pod: PodConfig): PlanResult {
  const hops = trace.hops;
  const first = hops[0];
  if (!first) return { ok: false, reason: 'the trace has no hops' };
  const proto = first.packet.proto as Proto;
  if (proto !== 'tcp' && proto !== 'udp') return { ok: false, reason: `protocol ${proto} cannot be replayed` };
  const listeners: ListenerSpec[] = [];
  const byKey = new Map<string, number>();
  /** How many onward connections each listener opens in the trace (more than one: the flow loops through it). */
  const onward = new Map<number, number>();

  let reentered = false;
  /**
   * `last`: the hop the simulation stopped at (hop limit). Its listener would open the next
   * hop, beyond the limit; the replay stops there too, so its onward connection does not count.
   * A listener met again may open the same onward connection again, or none (the flow ends
   * there, e.g. Envoy reached on its own port); the count of onward connections bounds it.
   */
  const addListener = (spec: ListenerSpec, last = false): string | null => {
    const key = `${spec.ns}|${spec.family}|${spec.proto}|${spec.address ?? '*'}|${spec.port}`;
    let index = byKey.get(key);
    if (index !== undefined) {
      reentered = true;
      const a = JSON.stringify(listeners[index]!.then ?? null);
      if (!last && spec.then && a !== JSON.stringify(spec.then)) return `listener ${spec.port} would have to open two different connections (the flow loops through it)`;
    } else {
      index = listeners.length;
      byKey.set(key, index);
      listeners.push(spec);
    }
    if (spec.then && !last) onward.set(index, (onward.get(index) ?? 0) + 1);
    return null;
  };

  /**
   * The connection a pod-side process opens for a hop. A mark on the packet is the socket's
   * SO_MARK; a source address the pod does not own (Envoy's TPROXY original_src upstream, from
   * the client's address) needs IP_TRANSPARENT to bind.
   */
  const connectOf = (h: Hop): ConnectSpec => {
    const c: ConnectSpec = { proto, src: h.packet.src, dst: h.packet.dst, dport: h.packet.dport! };
    if (h.packet.mark) c.mark = h.packet.mark;
    if (h.packet.in === null && !isLocalToPod(h.packet.src, pod)) c.transparent = true;
    return c;
  };

  for (let i = 0; i < hops.length; i++) {
    const hop = hops[i]!;
    const next: Hop | undefined = hops[i + 1];
    const o = hop.outcome;
    if (hop.packet.in !== null && hop.packet.in !== 'eth0') return { ok: false, reason: `hop ${hop.index} arrives on ${hop.packet.in}; the harness pod has only eth0 and lo` };
    if (o.type === 'forwarded') return { ok: false, reason: 'the flow is forwarded, and the harness has no third host to forward to' };
    if (o.type === 'budget') return { ok: false, reason: 'the simulated trace stopped at its budget (--max-steps, --max-trace-size), so there is no complete flow to compare' };
    // dropped with a listener: the SYN reached it, only its SYN-ACK did not get back.
    if (o.type === 'delivered' || (o.type === 'hop-limit' && (o.listenerPort ?? o.port) != null) || (o.type === 'dropped' && o.listener !== undefined)) {
      const spec: ListenerSpec = {
        ns: 'pod',
        family: hop.family,
        proto,
        port: o.listenerPort ?? o.port ?? 0,
        ...listenerIdentity(o.role, pod),
        name: o.listener ?? 'listener',
      };
      // Envoy admin and the DNS proxy bind localhost; everything else the wildcard.
      if (o.role === 'envoy-admin' || o.role === 'agent-dns') spec.address = o.address!;
      // Transparent as the pod model makes it: Envoy inbound in TPROXY mode, and the one listener
      // when outbound and inbound share a port (src/pod/listeners.ts).
      const shared = o.role === 'envoy-outbound' && pod.ports.outbound === pod.ports.inbound;
      if (pod.mode === 'TPROXY' && (o.role === 'envoy-inbound' || shared)) spec.transparent = true;
      if (next) spec.then = { connect: connectOf(next), uid: next.packet.uid ?? 0, gid: next.packet.gid ?? 0 };
      const clash = addListener(spec, o.type === 'hop-limit');
      if (clash) return { ok: false, reason: clash };
    } else if (o.type === 'egress' || (o.type === 'dropped' && o.iface !== undefined)) {
      // dropped with a device: the SYN left and reached the remote; only its SYN-ACK did not get back.
      const clash = addListener({ ns: 'peer', family: hop.family, proto, port: o.port ?? hop.packet.dport!, uid: 0, gid: 0, name: 'remote' });
      if (clash) return { ok: false, reason: clash };
    }
    if (o.type === 'hop-limit' && (o.listenerPort ?? o.port) == null) return { ok: false, reason: 'the simulated flow loops until the hop limit' };
  }
  // `-m socket` asks whether a local socket owns the packet: the engine answers from the pod
  // model's listeners, so the pod namespace gets the listener each hop's address would reach
  // there, even when the simulated flow never arrives (e.g. dropped by that very rule).
  const v4 = ownerNamesAsIds(saveRuleset(ruleset, 'ipv4'), pod);
  const v6 = ownerNamesAsIds(saveRuleset(ruleset, 'ipv6'), pod);
  // TPROXY looks a listener up on its --on-port in the same way, so those are started too.
  const tproxyPorts = [...`${v4 ?? ''}\n${v6 ?? ''}`.matchAll(TPROXY_PORT)].map((m) => Number(m[1]));
  if (SOCKET_MATCH.test(v4 ?? '') || SOCKET_MATCH.test(v6 ?? '') || tproxyPorts.length > 0) {
    const host = buildPodHost(pod);
    const lookups = hops.flatMap((hop) => [hop.packet.dport, ...tproxyPorts.map((p) => (p === 0 ? hop.packet.dport : p))].map((port) => ({ hop, port })));
    for (const { hop, port } of lookups) {
      const dst = parseAddress(hop.packet.dst);
      if (port === null || dst === null || !isLocalToPod(hop.packet.dst, pod)) continue;
      const s = findSocket(host, hop.family, proto, dst, port);
      if (s === null || byKey.has(`pod|${hop.family}|${proto}|${s.address?.text ?? '*'}|${s.port}`)) continue;
      const spec: ListenerSpec = { ns: 'pod', family: hop.family, proto, port: s.port, ...listenerIdentity(s.role, pod), name: s.label };
      if (s.address !== null) spec.address = s.address.text;
      if (s.transparent && proto === 'tcp') spec.transparent = true;
      byKey.set(`pod|${hop.family}|${proto}|${s.address?.text ?? '*'}|${s.port}`, listeners.length);
      listeners.push(spec);
    }
  }
  // A flow that loops through a listener (the same onward connection each time, until the hop
  // limit or not): each stand-in opens exactly as many onward connections as the trace shows.
  const looping = reentered || hops.some((h) => h.outcome.type === 'hop-limit');
  if (looping) {
    listeners.forEach((l, index) => {
      if (l.then) l.then.times = onward.get(index) ?? 1;
    });
  }

  const start: StartSpec = {
    ns: first.packet.in ? 'peer' : 'pod',
    ...(first.packet.in ? { proto, src: first.packet.src, dst: first.packet.dst, dport: first.packet.dport! } : connectOf(first)),
    uid: first.packet.uid ?? 0,
    gid: first.packet.gid ?? 0,
  };
  // A source port the flow names (rules may match it, e.g. `--sport 15053`). Otherwise the
  // simulation numbers ports from EPHEMERAL_PORT_BASE as placeholders, and the kernel picks.
  // (The Trace does not say which it was; a flow naming exactly that port gets an ephemeral one.)
  if (trace.flow.sport !== null && trace.flow.sport !== EPHEMERAL_PORT_BASE) start.sport = trace.flow.sport;
  const rules: KernelPlan['rules'] = {};
  if (v4) rules.ipv4 = v4;
  if (v6) rules.ipv6 = v6;
  const plan: KernelPlan = {
    rules,
    pod: {
      ipv4: pod.ipv4.text,
      prefix4: pod.prefix4,
      gateway4: pod.gateway4.text,
      ipv6: pod.ipv6?.text ?? null,
      prefix6: pod.prefix6,
      ...(pod.gateway6 ? { gateway6: pod.gateway6.text } : {}),
    },
    listeners,
    start,
  };
  if (pod.mode === 'TPROXY') plan.policyRouting = [{ fwmark: pod.tproxyMark, table: pod.tproxyTable }];
  return { ok: true, plan };
}
