/**
 * The inputs of istio-iptables (istio-init) or the istio-cni plugin, after the
 * injection template / CNI defaults have been applied: each field is what the
 * generator turns into rules (reference §1.0 and §7.2 map them to flags).
 */
import { features, NEWEST_LAYOUT, representativeRelease, type IstioVersion } from './version.js';

export type Installer = 'init' | 'cni';
export type InterceptionMode = 'REDIRECT' | 'TPROXY';

export interface IstioOptions {
  version: IstioVersion;
  /** Exact release within the layout ("1.11.3"); refines patch-level details. Default: the layout's x.y.0. */
  release?: string;
  installer: Installer;
  mode: InterceptionMode;
  /** `-u`: one rule triple per UID (goldens use 3,4). */
  proxyUid: number[];
  /** `-g`: one rule triple per GID (goldens use 1,2). */
  proxyGid: number[];
  /** `-p` (15001), `-z` (15006), `-e` (15008). */
  outboundPort: number;
  inboundPort: number;
  tunnelPort: number;
  /** `-i`: '*' captures everything; [] disables outbound capture. */
  includeOutboundIPRanges: string[] | '*';
  /** `-x`. */
  excludeOutboundIPRanges: string[];
  /** `-b`: '*' captures every port; [] disables inbound capture. */
  includeInboundPorts: number[] | '*';
  /** `-d`: only used with includeInboundPorts '*'. Already holds what the template adds (15090,15021,…,15020). */
  excludeInboundPorts: number[];
  /** `-q`. */
  includeOutboundPorts: number[];
  /** `-o`. */
  excludeOutboundPorts: number[];
  /** `-k` (kubevirtInterfaces / reroute-virtual-interfaces). */
  rerouteVirtualInterfaces: string[];
  /** `-c`. */
  excludeInterfaces: string[];
  /** `--redirect-dns` (ISTIO_META_DNS_CAPTURE). */
  dnsCapture: boolean;
  /** `--capture-all-dns` (CAPTURE_ALL_DNS); the CNI plugin forces it whenever DNS capture is on. */
  captureAllDns: boolean;
  /** Nameservers from the pod's /etc/resolv.conf, IPv4 and IPv6 mixed. */
  dnsServers: string[];
  /** `--drop-invalid` (INVALID_DROP). */
  dropInvalid: boolean;
  /** ISTIO_OUTBOUND_OWNER_GROUPS: '*' = all groups. */
  ownerGroupsInclude: string[] | '*';
  /** ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE. */
  ownerGroupsExclude: string[];
  /** ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR (1.21+). */
  loopbackCidr: string;
  /** Dual stack: also generate the ip6tables rules. */
  ipv6: boolean;
  /** `-t` / `-r`. */
  tproxyMark: number;
  tproxyTable: number;
  /** Status port the template appended to `-d` (status.sidecar.istio.io/port); 0 = none. */
  statusPort?: number;
  /** What the injection-template step decided for the user (added to the generator's notes). */
  templateNotes?: string[];
}

export const DEFAULT_STATUS_PORT = 15020;
export const DEFAULT_DNS_SERVER = '10.96.0.10';

/**
 * Defaults as the injection template (init) or the CNI plugin would render
 * them for a pod without annotations (§1.0, §1.6).
 */
export function defaultIstioOptions(version: IstioVersion = NEWEST_LAYOUT, installer: Installer = 'init'): IstioOptions {
  const f = features(representativeRelease(version));
  // §1.0: the template passes -d "15090,15021,<excludeInboundPorts>,<status port>" (15021 from 1.6).
  // §1.6: the CNI plugin appends 15020,15021,15090 to the annotation value (which the injector set to the status port).
  const excludeInbound = installer === 'cni' ? [15020, 15021, 15090] : f.excludes15021 ? [15090, 15021, 15020] : [15090, 15020];
  return {
    version,
    installer,
    mode: 'REDIRECT',
    proxyUid: [1337],
    proxyGid: [1337],
    outboundPort: 15001,
    inboundPort: 15006,
    tunnelPort: 15008,
    includeOutboundIPRanges: '*',
    excludeOutboundIPRanges: [],
    includeInboundPorts: '*',
    excludeInboundPorts: excludeInbound,
    includeOutboundPorts: [],
    // §1.6: the CNI plugin's excludeOutboundPorts default is "15020".
    excludeOutboundPorts: installer === 'cni' ? [DEFAULT_STATUS_PORT] : [],
    rerouteVirtualInterfaces: [],
    excludeInterfaces: [],
    dnsCapture: false,
    captureAllDns: false,
    dnsServers: [DEFAULT_DNS_SERVER],
    dropInvalid: false,
    ownerGroupsInclude: '*',
    ownerGroupsExclude: [],
    loopbackCidr: '127.0.0.1/32',
    ipv6: false,
    tproxyMark: 1337,
    tproxyTable: 133,
    statusPort: DEFAULT_STATUS_PORT,
  };
}

/** A deep copy, so callers can change arrays freely. */
export function cloneOptions(o: IstioOptions): IstioOptions {
  const arr = <T>(v: T[] | '*'): T[] | '*' => (v === '*' ? '*' : [...v]);
  return {
    ...o,
    proxyUid: [...o.proxyUid],
    proxyGid: [...o.proxyGid],
    includeOutboundIPRanges: arr(o.includeOutboundIPRanges),
    excludeOutboundIPRanges: [...o.excludeOutboundIPRanges],
    includeInboundPorts: arr(o.includeInboundPorts),
    excludeInboundPorts: [...o.excludeInboundPorts],
    includeOutboundPorts: [...o.includeOutboundPorts],
    excludeOutboundPorts: [...o.excludeOutboundPorts],
    rerouteVirtualInterfaces: [...o.rerouteVirtualInterfaces],
    excludeInterfaces: [...o.excludeInterfaces],
    dnsServers: [...o.dnsServers],
    ownerGroupsInclude: arr(o.ownerGroupsInclude),
    ownerGroupsExclude: [...o.ownerGroupsExclude],
    ...(o.templateNotes ? { templateNotes: [...o.templateNotes] } : {}),
  };
}
