/** What the Istio layer assumes about the pod: addresses, proxy identity, ports, mode. */
import { parseAddress, type Address } from '../core/net/address.js';
import type { OwnerNames } from '../core/netfilter/host-model.js';
import type { ProxySetting } from '../core/trace.js';

export interface IstioPorts {
  outbound: number;
  inbound: number;
  admin: number;
  health: number;
  prometheus: number;
  agentStatus: number;
  dns: number;
  tunnel: number;
}

export interface PodConfig {
  ipv4: Address;
  ipv6: Address | null;
  prefix4: number;
  prefix6: number;
  gateway4: Address;
  gateway6: Address | null;
  /** The uid/gid Envoy's own connections carry. */
  proxyUid: number;
  proxyGid: number;
  /** Every uid/gid the rules exempt as the proxy (Istio accepts lists, e.g. "1,2"). */
  proxyUids: number[];
  proxyGids: number[];
  /** Where each identity setting came from, in a fixed order (the trace header). */
  provenance: ProxySetting[];
  ports: IstioPorts;
  mode: 'REDIRECT' | 'TPROXY';
  /** TPROXY policy routing: fwmark -> table with `local default dev lo`. */
  tproxyMark: number;
  tproxyTable: number;
  /** Inbound passthrough source (Istio 1.10+): Envoy's connection to the app comes from here. */
  inboundBind4: Address;
  inboundBind6: Address;
  /**
   * Istio 1.3-1.9: Envoy reached declared ports at 127.0.0.1:PORT (a STATIC cluster); only
   * undeclared ports went through the 127.0.0.6 passthrough. 1.10+ always uses the passthrough.
   */
  inboundToLocalhost: boolean;
  /** Ports the pod declares (container ports); null = unknown, treated as declared. */
  declaredPorts: number[] | null;
  /** Interfaces besides lo and eth0 (virtual interfaces, excluded NICs), with their addresses. */
  extraInterfaces: PodInterface[];
  /** Account names for `--uid-owner NAME` / `--gid-owner NAME` (--user, --group, --passwd-file, --group-file). */
  owners: OwnerNames;
}

export interface PodInterface {
  name: string;
  addrs: Array<{ addr: Address; prefix: number }>;
  /** Why the interface is modelled, and whether its address was assumed (for the trace notes). */
  why: string;
}

export const DEFAULT_PORTS: IstioPorts = {
  outbound: 15001,
  inbound: 15006,
  admin: 15000,
  health: 15021,
  prometheus: 15090,
  agentStatus: 15020,
  dns: 15053,
  tunnel: 15008,
};

function must(text: string) {
  const a = parseAddress(text);
  if (!a) throw new Error(`internal: bad default address ${text}`);
  return a;
}

export const DEFAULT_POD_IPV4 = '10.244.1.5';
export const DEFAULT_POD_IPV6 = 'fd00:10:244:1::5';

export function defaultPodConfig(): PodConfig {
  return {
    ipv4: must(DEFAULT_POD_IPV4),
    ipv6: must(DEFAULT_POD_IPV6),
    prefix4: 24,
    prefix6: 64,
    gateway4: must('10.244.1.1'),
    gateway6: must('fd00:10:244:1::1'),
    proxyUid: 1337,
    proxyGid: 1337,
    proxyUids: [1337],
    proxyGids: [1337],
    provenance: [],
    ports: { ...DEFAULT_PORTS },
    mode: 'REDIRECT',
    tproxyMark: 1337,
    tproxyTable: 133,
    inboundBind4: must('127.0.0.6'),
    inboundBind6: must('::6'),
    inboundToLocalhost: false,
    declaredPorts: null,
    extraInterfaces: [],
    owners: { users: new Map(), groups: new Map() },
  };
}
