/**
 * Everything the rule emitters need, derived once from validated options:
 * the release's features, the builder, split CIDR ranges, DNS servers per
 * family, owner lists as istio-iptables sees them (comma-split strings).
 */
import type { IstioOptions } from './options.js';
import { RuleBuilder } from './builder.js';
import { addressFamily, splitRanges, type ParsedCidr, type SplitRanges } from './cidr.js';
import type { Features, Release } from './version.js';

export const ISTIO_INBOUND = 'ISTIO_INBOUND';
export const ISTIO_REDIRECT = 'ISTIO_REDIRECT';
export const ISTIO_IN_REDIRECT = 'ISTIO_IN_REDIRECT';
export const ISTIO_OUTPUT = 'ISTIO_OUTPUT';
export const ISTIO_OUTPUT_DNS = 'ISTIO_OUTPUT_DNS';
export const ISTIO_DIVERT = 'ISTIO_DIVERT';
export const ISTIO_TPROXY = 'ISTIO_TPROXY';
export const ISTIO_DROP = 'ISTIO_DROP';
/** pilot-agent's DNS proxy port (§3.1). */
export const DNS_PROXY_PORT = '15053';
/** TPROXY mark for Envoy outbound -> own pod IP (constants.OutboundMark, §1.7). */
export const OUTBOUND_MARK = '1338';

export interface DnsPlan {
  on: boolean;
  captureAll: boolean;
  v4: string[];
  v6: string[];
}

export interface OwnerGroupFilter {
  /** true: RETURN the listed groups (exclude list); false: RETURN everything not in the list. */
  except: boolean;
  values: string[];
}

export interface GenContext {
  o: IstioOptions;
  release: Release;
  f: Features;
  b: RuleBuilder;
  notes: string[];
  tproxy: boolean;
  uids: string[];
  gids: string[];
  include: SplitRanges;
  exclude: SplitRanges;
  dns: DnsPlan;
  groups: OwnerGroupFilter;
  /** IPv4 loopback CIDR used in `! -d` / `-d … -j RETURN` (HostIPv4LoopbackCidr). */
  loop4: string;
  /** `--to-ports` (1.6+) or `--to-port` (1.5) for the capture REDIRECTs. */
  toPorts: string;
  cidr(c: ParsedCidr): string;
  inboundAll: boolean;
  inboundPorts: string[];
  includeInbound: boolean;
}

export function buildContext(o: IstioOptions, release: Release, f: Features, notes: string[]): GenContext {
  const dnsOn = o.dnsCapture;
  // §1.6 / cni Program(): the CNI plugin sets CaptureAllDNS = RedirectDNS, it cannot read the pod's resolv.conf.
  const captureAll = dnsOn && (o.installer === 'cni' || o.captureAllDns);
  const v4: string[] = [];
  const v6: string[] = [];
  if (dnsOn && !captureAll) {
    for (const s of o.dnsServers) (addressFamily(s) === 'ipv6' ? v6 : v4).push(s);
  }
  // 1.25+ Run(): DNS capture with neither CAPTURE_ALL_DNS nor a nameserver is switched off, guards included
  // ("DNS capture disabled" warning; goldens ipv6-dns-uid-gid, ipv6-dns-outbound-owner-groups at 1.25.0).
  const on = dnsOn && (!f.dnsChain || captureAll || v4.length > 0 || v6.length > 0);
  if (dnsOn && !on) notes.push('DNS capture is on but there is no nameserver and CAPTURE_ALL_DNS is off: istio-iptables 1.25+ then installs no DNS rules');
  const groups: OwnerGroupFilter =
    o.ownerGroupsInclude === '*' ? { except: true, values: [...o.ownerGroupsExclude] } : { except: false, values: [...o.ownerGroupsInclude] };
  const inc = o.includeInboundPorts;
  return {
    o,
    release,
    f,
    b: new RuleBuilder(o.ipv6),
    notes,
    tproxy: o.mode === 'TPROXY',
    uids: o.proxyUid.map(String),
    gids: o.proxyGid.map(String),
    include: splitRanges(o.includeOutboundIPRanges),
    exclude: splitRanges(o.excludeOutboundIPRanges),
    dns: { on, captureAll, v4, v6 },
    groups,
    loop4: f.loopbackCidr ? o.loopbackCidr : '127.0.0.1/32',
    toPorts: f.toPortsPlural ? '--to-ports' : '--to-port',
    cidr: (c) => (f.cidrAsWritten ? c.asWritten : c.masked),
    inboundAll: inc === '*',
    inboundPorts: inc === '*' ? [] : inc.map(String),
    includeInbound: inc === '*' || inc.length > 0,
  };
}
