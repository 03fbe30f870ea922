/**
 * Istio releases and the rule layout each one generates.
 *
 * A *layout* names a range of releases whose istio-iptables output differs
 * only in the details listed by `features()`; a *release* (minor.patch) picks
 * those details. Layouts and their ranges follow the reference dossier
 * (istio-iptables.md §1.1-1.10, timeline in §1.9).
 */
import { UsageError } from '../../core/errors.js';

export const ISTIO_VERSIONS = ['1.5', '1.10', '1.13', '1.18', '1.23', '1.24', '1.25'] as const;
export type IstioVersion = (typeof ISTIO_VERSIONS)[number];

/**
 * The releases the generator knows, oldest and newest. This is the one place
 * the newest is written: "current", "main" and "latest" mean it, the default
 * layout is its layout, and anything newer is refused (a release the tool has
 * not been checked against must not be generated silently).
 */
export const OLDEST_KNOWN = { minor: 5, patch: 0 } as const;
export const NEWEST_KNOWN = { minor: 31, patch: 0 } as const;
/** "1.5 … 1.31", as error messages and --help name the range. */
export const KNOWN_RANGE = `1.${OLDEST_KNOWN.minor} … 1.${NEWEST_KNOWN.minor}`;

export interface Release {
  /** Always 1.x: the minor number. */
  minor: number;
  patch: number;
}

/** The release a layout stands for when no exact release is given: the layout's own x.y.0. */
export function representativeRelease(version: IstioVersion): Release {
  return { minor: Number(version.split('.')[1]), patch: 0 };
}

/** Which layout a minor version belongs to (§1.9 timeline). */
export function layoutOfMinor(minor: number): IstioVersion {
  if (minor <= 9) return '1.5'; // 1.6-1.9 are interpolated from 1.5 and 1.10 code (see features()).
  if (minor <= 12) return '1.10';
  if (minor <= 17) return '1.13';
  if (minor <= 22) return '1.18';
  if (minor === 23) return '1.23';
  if (minor === 24) return '1.24';
  return '1.25'; // 1.25-1.31: the capture goldens are identical (istio-next.md §1.1)
}

/** The layout of the newest known release: what a default generator run uses. */
export const NEWEST_LAYOUT: IstioVersion = layoutOfMinor(NEWEST_KNOWN.minor);

export function formatRelease(r: Release): string {
  return `1.${r.minor}.${r.patch}`;
}

/**
 * Parse "1.13", "1.11.3", "v1.25.0", "1.22.0-beta.1", "main" or a layout name.
 * Throws UsageError for anything else and for releases outside the known
 * range: before 1.5 (the shell-script era with its 6-rule ISTIO_OUTPUT, §1.1)
 * or after the newest known.
 */
export function parseIstioVersion(text: string): { version: IstioVersion; release: Release } {
  const t = text.trim().toLowerCase();
  if (t === 'main' || t === 'master' || t === 'latest' || t === 'current') {
    return { version: NEWEST_LAYOUT, release: { ...NEWEST_KNOWN } };
  }
  const m = /^v?1\.(\d{1,3})(?:\.(\d{1,3}))?(?:[-+][0-9a-z.-]*)?$/.exec(t);
  if (!m) {
    throw new UsageError(`bad Istio version "${text}": expected 1.MINOR or 1.MINOR.PATCH (e.g. 1.13 or 1.11.3), or "current" (known: ${KNOWN_RANGE})`);
  }
  const minor = Number(m[1]);
  const patch = m[2] === undefined ? 0 : Number(m[2]);
  if (minor < OLDEST_KNOWN.minor) {
    throw new UsageError(
      `Istio ${text} is not known (known: ${KNOWN_RANGE}): releases before 1.5 installed rules with istio-iptables.sh and a 6-rule ISTIO_OUTPUT chain; the earliest supported release is 1.5`,
    );
  }
  if (minor > NEWEST_KNOWN.minor) {
    throw new UsageError(`Istio ${text} is not known (known: ${KNOWN_RANGE}; "current" is 1.${NEWEST_KNOWN.minor})`);
  }
  return { version: layoutOfMinor(minor), release: { minor, patch } };
}

/** Every version-dependent detail of the generator, with the section of the reference that documents it. */
export interface Features {
  /** `REDIRECT --to-port` (1.5) vs `--to-ports` (1.6+), §1.2 and §1.9. */
  toPortsPlural: boolean;
  /** 1.5: unless inbound ports are "*", ISTIO_IN_REDIRECT goes to the outbound port (§1.2, fixed by PR 22686 in 1.6). */
  inRedirectToProxyPortUnlessWildcard: boolean;
  /** 15021 in the injection template's `-d` list (1.6+, §1.0). */
  excludes15021: boolean;
  /** `ISTIO_INBOUND -p tcp --dport 15008 -j RETURN` first (1.7+, §1.3). */
  tunnelPort: boolean;
  /** Hard-coded `--dport 22 -j RETURN` with an inbound wildcard (≤1.12, removed in 1.13, §1.4). */
  port22: boolean;
  /** IPv6 built by the same code as IPv4 (1.12+, PR 34274); before, a separate IPv6 function (nat only, no DNS, no TPROXY). */
  unifiedIpv6: boolean;
  /** kube-virt RETURN inserts at the start of run() (1.10+ code); 1.5 inserted them just before the include rules. */
  kubevirtReturnFirst: boolean;
  /** TPROXY: `--on-port` is the inbound capture port (1.9+) instead of the outbound port (PR 28457, §1.7). */
  tproxyOnInboundPort: boolean;
  /** TPROXY: `-m conntrack --ctstate RELATED,ESTABLISHED` (1.9+) instead of `-m socket` (§1.7). */
  tproxyConntrack: boolean;
  /** TPROXY: CONNMARK --save-mark / --restore-mark and `-I ISTIO_INBOUND 1 … --mark 1337 -j RETURN` (1.9+, §1.7). */
  tproxyConnmark: boolean;
  /** TPROXY: 1338 marks in mangle OUTPUT and `-I ISTIO_INBOUND 2/3` (1.11+, PR 31165, §1.7). */
  tproxy1338: boolean;
  /** Loopback CIDR in includeOutboundIPRanges drops the `-o lo ! --uid/gid-owner RETURN` rules (1.9+ code; §1.10). */
  loopbackIncludeCheck: boolean;
  /** DNS capture in the 1.9+ form (§1.5). Earlier forms (1.7-1.8) are not modelled. */
  dns: boolean;
  /** raw-table `CT --zone` rules for UDP DNS (1.10.3+ / 1.11+, PR 33572, §1.5). */
  dnsConntrackZones: boolean;
  /** raw PREROUTING DNS reply rule matches `-s <server>` (1.20+, PR 46937) instead of `-d`. */
  dnsRawSource: boolean;
  /** `includeOutboundPorts` / `-q` (present in 1.9 logs, issue 27565; absent in 1.5, §1.0). */
  includeOutboundPorts: boolean;
  /** `excludeInterfaces` / `-c` flag (1.12+, §1.0). */
  excludeInterfaces: boolean;
  /** The `traffic.sidecar.istio.io/excludeInterfaces` annotation is wired by the injector (1.15+, §7.2). */
  excludeInterfacesAnnotation: boolean;
  /** drop-invalid (`INVALID_DROP`) (1.13+, PR 36566, golden drop-invalid). */
  dropInvalid: boolean;
  /** Owner group include/exclude (1.14+, PR 37057, §1.8). */
  ownerGroups: boolean;
  /** `-p tcp ! --dport 15008` / `-m multiport ! --dports 53,15008` on the ISTIO_IN_REDIRECT owner rules (1.18+, PR 43414, §1.8). */
  inRedirectTunnelGuard: boolean;
  /** Configurable loopback CIDR (HostIPv4LoopbackCidr, 1.21+, PR 48045). */
  loopbackCidr: boolean;
  /** CIDRs printed as written (netip.Prefix) instead of masked to the network (net.IPNet). */
  cidrAsWritten: boolean;
  /** 1.23-1.24: UDP DNS rules inside ISTIO_OUTPUT behind `-A OUTPUT -p udp -j ISTIO_OUTPUT`, raw ISTIO_OUTPUT chain (PR 50915, §1.8). */
  dnsUdpInIstioOutput: boolean;
  /** No trailing `-A ISTIO_OUTPUT -j RETURN` after the include-CIDR rules (1.23+, PR 51352, §1.10). */
  noTrailingReturn: boolean;
  /** `-N` also for jump targets without rules (restore builder of 1.24+). */
  declareJumpTargets: boolean;
  /** 1.25+: `OUTPUT -j ISTIO_OUTPUT` for all protocols, ISTIO_OUTPUT_DNS, raw ISTIO_INBOUND, tcp+udp port excludes (PR 53998, §1.8). */
  dnsChain: boolean;
  /** 1.25+: drop-invalid through an ISTIO_DROP chain (golden drop-invalid; 1.24's golden still has a direct DROP). */
  dropChain: boolean;
  /** The istio-cni plugin path is modelled (1.10+, §1.6). */
  cni: boolean;
  /** Tunnel port option exists (1.7+). */
  tunnelPortOption: boolean;
  /** Table order in restore input is Go map order (random) before 1.24, sorted from 1.24 (§2.3). */
  sortedTables: boolean;
  /**
   * The backend-detection probe istio-iptables adds and deletes (1.26+, istio-next.md §1.2a); a failed
   * delete leaves it in a dump. Protocol 255 never matches a packet. null: no probe in this release.
   */
  capabilityProbe: CapabilityProbe | null;
  /** 1.27+ injection template: TPROXY mode passes istio-init `-u 1337` whatever the ProxyUID (the proxy still runs as 0/1337; §1.2f, PR 56577). */
  tproxyForcesUid1337: boolean;
  /**
   * istio-cni ignored `traffic.sidecar.istio.io/kubevirtInterfaces` when `istio.io/reroute-virtual-interfaces`
   * was absent (1.25.0-1.26.4, 1.27.0-1.27.1; §1.2g, fixed by PR 57686). istio-init was not affected.
   */
  cniIgnoresKubevirtAlone: boolean;
  /** 1.27+: native sidecars by default (ENABLE_NATIVE_SIDECARS=true, PR 56428): istio-proxy is a restartable init container. */
  nativeSidecarsByDefault: boolean;
  /** 1.27+: istio-init logs its settings under "Istio config:" instead of "Istio iptables variables:" (§1.2h). */
  configBanner: 'Istio iptables variables:' | 'Istio config:';
}

/** The probe rule as `iptables-save` shows it, table and rule (istio-next.md §1.2a). */
export interface CapabilityProbe {
  table: 'filter' | 'nat';
  rule: string;
}

const PROBE_COMMENT = '-m comment --comment "\\"Istio no-op iptables capability probe\\""';

function capabilityProbe(m: number, p: number): CapabilityProbe | null {
  if (m < 26) return null;
  if ((m === 26 && p <= 6) || (m === 27 && p === 0)) return { table: 'filter', rule: `-A INPUT -p 255 ${PROBE_COMMENT} -j DROP` };
  if (m === 26) return { table: 'filter', rule: '-A INPUT -p 255 -j DROP' };
  if (m === 27 && p <= 2) return { table: 'nat', rule: `-A INPUT -p 255 ${PROBE_COMMENT} -j RETURN` };
  return { table: 'nat', rule: '-A INPUT -p 255 -j RETURN' };
}

export function features(r: Release): Features {
  const m = r.minor;
  return {
    toPortsPlural: m >= 6,
    inRedirectToProxyPortUnlessWildcard: m === 5,
    excludes15021: m >= 6,
    tunnelPort: m >= 7,
    port22: m <= 12,
    unifiedIpv6: m >= 12,
    kubevirtReturnFirst: m >= 10,
    tproxyOnInboundPort: m >= 9,
    tproxyConntrack: m >= 9,
    tproxyConnmark: m >= 9,
    tproxy1338: m >= 11,
    loopbackIncludeCheck: m >= 9,
    dns: m >= 9,
    dnsConntrackZones: m > 10 || (m === 10 && r.patch >= 3),
    dnsRawSource: m >= 20,
    includeOutboundPorts: m >= 9,
    excludeInterfaces: m >= 12,
    excludeInterfacesAnnotation: m >= 15,
    dropInvalid: m >= 13,
    ownerGroups: m >= 14,
    inRedirectTunnelGuard: m >= 18,
    loopbackCidr: m >= 21,
    cidrAsWritten: m >= 22,
    dnsUdpInIstioOutput: m === 23 || m === 24,
    noTrailingReturn: m >= 23,
    declareJumpTargets: m >= 24,
    dnsChain: m >= 25,
    dropChain: m >= 25,
    cni: m >= 10,
    tunnelPortOption: m >= 7,
    sortedTables: m >= 24,
    capabilityProbe: capabilityProbe(m, r.patch),
    tproxyForcesUid1337: m >= 27,
    cniIgnoresKubevirtAlone: (m === 25) || (m === 26 && r.patch <= 4) || (m === 27 && r.patch <= 1),
    nativeSidecarsByDefault: m >= 27,
    configBanner: m >= 27 ? 'Istio config:' : 'Istio iptables variables:',
  };
}
