/**
 * Envoy's re-origination (reference §3.3): what new connection follows when a
 * connection lands on a capture listener. This is the only place Envoy's
 * behaviour is modelled.
 */
import { parseAddress, sameAddress, type Address } from '../core/net/address.js';
import { formatEndpoint, type Endpoint, type Flow } from './flow.js';
import type { PodConfig } from './config.js';
import type { HopEngineResult } from '../core/netfilter/traverse.js';

/**
 * Before Istio 1.10 Envoy reaches a declared inbound port on localhost (a STATIC cluster to
 * 127.0.0.1), not from the 127.0.0.6 passthrough (PodConfig.inboundToLocalhost).
 * `istioMinor`: the Istio minor version the rules stand for, null when unknown (then 1.10+).
 */
export function inboundToLocalhost(istioMinor: number | null): boolean {
  return istioMinor !== null && istioMinor < 10;
}

export interface NextConnection {
  actor: string;
  src: Endpoint | null;
  dst: Endpoint;
  uid: number;
  gid: number;
  mark: number;
  /** Why this connection exists, for the trace notes. */
  why: string;
}

function isPodAddress(a: Address, pod: PodConfig): boolean {
  return sameAddress(a, pod.ipv4) || (pod.ipv6 !== null && sameAddress(a, pod.ipv6));
}

export function envoyNext(res: HopEngineResult, pod: PodConfig, flow: Flow, viaUsed: boolean): NextConnection | { stop: string } | null {
  if (res.outcome.type !== 'delivered' || !res.socket) return null;
  let role = res.socket.role;
  if (role !== 'envoy-outbound' && role !== 'envoy-inbound') return null;
  const pkt = res.final;
  const orig = pkt.conn.original;
  // One port for both directions (Istio 1.5 with an inbound port list, or PROXY_PORT = INBOUND_CAPTURE_PORT):
  // Envoy's inbound handling serves connections whose original destination is the pod itself.
  if (role === 'envoy-outbound' && pod.ports.inbound === pod.ports.outbound && isPodAddress(orig.dst, pod)) role = 'envoy-inbound';
  const captured = pkt.conn.dnatApplied || res.socket.transparent;
  if (!captured) {
    return { stop: `the connection was made to Envoy's port ${pkt.dport} directly, so there is no original destination to forward to` };
  }
  const origDst: Endpoint = { addr: orig.dst, port: orig.dport };
  if (role === 'envoy-outbound') {
    const dst = flow.via && !viaUsed ? flow.via : origDst;
    return {
      actor: 'Envoy outbound',
      src: null,
      dst,
      uid: pod.proxyUid,
      gid: pod.proxyGid,
      mark: 0,
      why: `Envoy (${pod.ports.outbound}) read the original destination ${formatEndpoint(orig.dst, orig.dport)} with SO_ORIGINAL_DST and connected to ${formatEndpoint(dst.addr, dst.port)}${flow.via && !viaUsed ? ' (--via: the endpoint Envoy chose)' : ''}`,
    };
  }
  if (pod.mode === 'TPROXY' && res.socket.transparent) {
    // original_src listener filter: the upstream keeps the client's address and carries mark 1337.
    return {
      actor: 'Envoy inbound',
      src: { addr: orig.src, port: null },
      dst: origDst,
      uid: pod.proxyUid,
      gid: pod.proxyGid,
      mark: pod.tproxyMark,
      why: `Envoy (${pod.ports.inbound}, TPROXY) forwarded to ${formatEndpoint(orig.dst, orig.dport)} keeping the client address ${orig.src.text} (original_src, mark ${pod.tproxyMark})`,
    };
  }
  if (pod.inboundToLocalhost && orig.dport !== null && (pod.declaredPorts === null || pod.declaredPorts.includes(orig.dport))) {
    const lo = orig.dst.family === 'ipv6' ? parseAddress('::1')! : parseAddress('127.0.0.1')!;
    return {
      actor: 'Envoy inbound',
      src: null,
      dst: { addr: lo, port: orig.dport },
      uid: pod.proxyUid,
      gid: pod.proxyGid,
      mark: 0,
      why: `Envoy (${pod.ports.inbound}) forwarded to ${formatEndpoint(lo, orig.dport)}: before Istio 1.10 a declared port is reached on localhost (STATIC cluster)`,
    };
  }
  const bind = orig.dst.family === 'ipv6' ? pod.inboundBind6 : pod.inboundBind4;
  return {
    actor: 'Envoy inbound',
    src: { addr: bind, port: null },
    dst: origDst,
    uid: pod.proxyUid,
    gid: pod.proxyGid,
    mark: 0,
    why: `Envoy (${pod.ports.inbound}) forwarded to the original destination ${formatEndpoint(orig.dst, orig.dport)} from ${bind.text} (inbound passthrough bind${pod.inboundToLocalhost ? ', undeclared port' : ', Istio 1.10+'})`,
  };
}
