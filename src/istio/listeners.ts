/**
 * Who listens in a sidecar pod (reference §3.1): Envoy's capture ports and
 * static listeners, pilot-agent's status and DNS ports, and the application
 * on every other port.
 */
import { parseAddress } from '../core/net/address.js';
import type { LocalSocket } from '../core/netfilter/packet.js';
import type { PodConfig } from './config.js';

export type ListenerRole =
  | 'envoy-outbound'
  | 'envoy-inbound'
  | 'envoy-admin'
  | 'envoy-health'
  | 'envoy-prometheus'
  | 'envoy-tunnel'
  | 'agent-status'
  | 'agent-dns'
  | 'app';

/** Path-line names in the blog's notation. */
export const ROLE_PATH_LABEL: Record<ListenerRole, (port: number | null) => string> = {
  'envoy-outbound': (p) => `Envoy ${p} (Outbound)`,
  'envoy-inbound': (p) => `Envoy ${p} (Inbound)`,
  'envoy-admin': (p) => `Envoy ${p} (Admin)`,
  'envoy-health': (p) => `Envoy ${p} (Health)`,
  'envoy-prometheus': (p) => `Envoy ${p} (Prometheus)`,
  'envoy-tunnel': (p) => `Envoy ${p} (HBONE)`,
  'agent-status': (p) => `pilot-agent ${p} (Status)`,
  'agent-dns': (p) => `pilot-agent ${p} (DNS)`,
  app: (p) => `Local Pod${p === null ? '' : ` :${p}`}`,
};

/** The application's uid/gid, as the CLI's default --uid and verify's stand-in app use. */
export const APP_OWNER = { uid: 1000, gid: 1000 } as const;

export function podListeners(pod: PodConfig): LocalSocket[] {
  const p = pod.ports;
  // Envoy and pilot-agent run as the proxy; the kernel's owner match sees it on their SYN-ACKs.
  const proxy = () => ({ uid: pod.proxyUid, gid: pod.proxyGid, groups: [] });
  const any = (port: number, role: ListenerRole, label: string, transparent = false): LocalSocket => ({
    family: 'any',
    proto: 'tcp',
    address: null,
    port,
    transparent,
    label,
    role,
    owner: proxy(),
  });
  const list: LocalSocket[] = [
    // One port for both (Istio before 1.9 in TPROXY mode: --on-port is the proxy port) is one
    // listener, found first; it is transparent, or TPROXY could not hand it the inbound sockets.
    any(p.outbound, 'envoy-outbound', `Envoy outbound (${p.outbound})`, pod.mode === 'TPROXY' && p.inbound === p.outbound),
    // In TPROXY mode Envoy's inbound listener is transparent, so TPROXY may hand it sockets.
    any(p.inbound, 'envoy-inbound', `Envoy inbound (${p.inbound})`, pod.mode === 'TPROXY'),
    any(p.health, 'envoy-health', `Envoy health (${p.health})`),
    any(p.prometheus, 'envoy-prometheus', `Envoy Prometheus (${p.prometheus})`),
    any(p.tunnel, 'envoy-tunnel', `Envoy HBONE (${p.tunnel})`),
    any(p.agentStatus, 'agent-status', `pilot-agent status (${p.agentStatus})`),
  ];
  // Envoy admin and the DNS proxy bind localhost only.
  for (const text of ['127.0.0.1', '::1']) {
    const addr = parseAddress(text)!;
    list.push({ family: addr.family, proto: 'tcp', address: addr, port: p.admin, transparent: false, label: `Envoy admin (${p.admin})`, role: 'envoy-admin', owner: proxy() });
    for (const proto of ['udp', 'tcp']) {
      list.push({ family: addr.family, proto, address: addr, port: p.dns, transparent: false, label: `pilot-agent DNS (${p.dns})`, role: 'agent-dns', owner: proxy() });
    }
  }
  return list;
}

export function appListener(): Omit<LocalSocket, 'port'> {
  return { family: 'any', proto: 'any', address: null, transparent: false, label: 'app', role: 'app', owner: { ...APP_OWNER, groups: [] } };
}
