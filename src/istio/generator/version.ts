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

export interface Release {
  /** Always 1.x: the minor number. */
  minor: number;
  patch: number;
}

/** The release a layout stands for when no exact release is given: the layout's own x.y.0. */
export function representativeRelease(version: IstioVersion): Release {
  return { minor: Number(version.split('.')[1]), patch: 0 };
}

/** Which layout a minor version belongs to (§1.9 timeline): the layout of the nearest release line at or below it. */
export function layoutOfMinor(minor: number): IstioVersion {
  let layout: IstioVersion = RELEASE_LINES[0]!.layout!;
  for (const line of RELEASE_LINES) {
    if (line.minor > minor) break;
    if (line.layout !== undefined) layout = line.layout;
  }
  return layout;
}

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
  /** The `istio.io/reroute-virtual-interfaces` annotation exists (1.25+; traffic.sidecar.istio.io/kubevirtInterfaces before). */
  rerouteVirtualInterfacesAnnotation: boolean;
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
  /** 1.6-1.9: interpolated between the 1.5 and 1.10 generators, not checked against a golden of the release. */
  interpolated: boolean;
}

/** The probe rule as `iptables-save` shows it, table and rule (istio-next.md §1.2a). */
export interface CapabilityProbe {
  table: 'filter' | 'nat';
  rule: string;
}

const PROBE_COMMENT = '-m comment --comment "\\"Istio no-op iptables capability probe\\""';

/** The probe's four forms (§1.2a): filter DROP, then nat RETURN, each first with and then without the comment. */
const PROBE = {
  filterCommented: { table: 'filter', rule: `-A INPUT -p 255 ${PROBE_COMMENT} -j DROP` },
  filter: { table: 'filter', rule: '-A INPUT -p 255 -j DROP' },
  natCommented: { table: 'nat', rule: `-A INPUT -p 255 ${PROBE_COMMENT} -j RETURN` },
  nat: { table: 'nat', rule: '-A INPUT -p 255 -j RETURN' },
} as const satisfies Record<string, CapabilityProbe>;

/** Istio 1.5's details: the state every later release line changes. */
const FIRST_FEATURES: Features = {
  toPortsPlural: false,
  inRedirectToProxyPortUnlessWildcard: true,
  excludes15021: false,
  tunnelPort: false,
  port22: true,
  unifiedIpv6: false,
  kubevirtReturnFirst: false,
  tproxyOnInboundPort: false,
  tproxyConntrack: false,
  tproxyConnmark: false,
  tproxy1338: false,
  loopbackIncludeCheck: false,
  dns: false,
  dnsConntrackZones: false,
  dnsRawSource: false,
  includeOutboundPorts: false,
  excludeInterfaces: false,
  excludeInterfacesAnnotation: false,
  rerouteVirtualInterfacesAnnotation: false,
  dropInvalid: false,
  ownerGroups: false,
  inRedirectTunnelGuard: false,
  loopbackCidr: false,
  cidrAsWritten: false,
  dnsUdpInIstioOutput: false,
  noTrailingReturn: false,
  declareJumpTargets: false,
  dnsChain: false,
  dropChain: false,
  cni: false,
  tunnelPortOption: false,
  sortedTables: false,
  capabilityProbe: null,
  tproxyForcesUid1337: false,
  cniIgnoresKubevirtAlone: false,
  nativeSidecarsByDefault: false,
  configBanner: 'Istio iptables variables:',
  interpolated: false,
};

/** One minor release: the layout it starts (if any), what it changed, and what its patch releases changed. */
interface ReleaseLine {
  minor: number;
  /** The layout this release starts; later lines keep it until the next one that names another. */
  layout?: IstioVersion;
  /** Details that change with this release and stay so in later ones. */
  set?: Partial<Features>;
  /** Details that differ between this release's patch releases (this minor only). */
  byPatch?: (patch: number) => Partial<Features>;
}

/**
 * Every Istio release the generator knows, oldest first: the one table of what changed when
 * (reference istio-iptables.md §1.0-1.10, timeline §1.9; istio-next.md §1.1-1.2 for 1.26+).
 * The last line is the newest known release: "current", "main" and "latest" mean it, the
 * default layout is its layout, and anything newer is refused (a release the tool has not
 * been checked against must not be generated silently). A new release is one line here.
 */
const RELEASE_LINES: readonly ReleaseLine[] = [
  { minor: 5, layout: '1.5' },
  // 1.6-1.9 are interpolated from the 1.5 and 1.10 code.
  { minor: 6, set: { toPortsPlural: true, inRedirectToProxyPortUnlessWildcard: false, excludes15021: true, interpolated: true } },
  { minor: 7, set: { tunnelPort: true, tunnelPortOption: true } },
  { minor: 8 },
  { minor: 9, set: { tproxyOnInboundPort: true, tproxyConntrack: true, tproxyConnmark: true, loopbackIncludeCheck: true, dns: true, includeOutboundPorts: true } },
  // CT zones arrived in 1.10.3 (PR 33572).
  { minor: 10, layout: '1.10', set: { kubevirtReturnFirst: true, cni: true, interpolated: false }, byPatch: (p) => ({ dnsConntrackZones: p >= 3 }) },
  { minor: 11, set: { tproxy1338: true, dnsConntrackZones: true } },
  { minor: 12, set: { unifiedIpv6: true, excludeInterfaces: true } },
  { minor: 13, layout: '1.13', set: { port22: false, dropInvalid: true } },
  { minor: 14, set: { ownerGroups: true } },
  { minor: 15, set: { excludeInterfacesAnnotation: true } },
  { minor: 16 },
  { minor: 17 },
  { minor: 18, layout: '1.18', set: { inRedirectTunnelGuard: true } },
  { minor: 19 },
  { minor: 20, set: { dnsRawSource: true } },
  { minor: 21, set: { loopbackCidr: true } },
  { minor: 22, set: { cidrAsWritten: true } },
  { minor: 23, layout: '1.23', set: { dnsUdpInIstioOutput: true, noTrailingReturn: true } },
  { minor: 24, layout: '1.24', set: { declareJumpTargets: true, sortedTables: true } },
  // 1.25-1.31: the capture goldens are identical (istio-next.md §1.1).
  {
    minor: 25,
    layout: '1.25',
    set: { dnsUdpInIstioOutput: false, dnsChain: true, dropChain: true, rerouteVirtualInterfacesAnnotation: true, cniIgnoresKubevirtAlone: true },
  },
  {
    minor: 26,
    set: { capabilityProbe: PROBE.filter },
    byPatch: (p) => ({ capabilityProbe: p <= 6 ? PROBE.filterCommented : PROBE.filter, cniIgnoresKubevirtAlone: p <= 4 }),
  },
  {
    minor: 27,
    set: { capabilityProbe: PROBE.nat, tproxyForcesUid1337: true, nativeSidecarsByDefault: true, configBanner: 'Istio config:' },
    byPatch: (p) => ({ capabilityProbe: p === 0 ? PROBE.filterCommented : p <= 2 ? PROBE.natCommented : PROBE.nat, cniIgnoresKubevirtAlone: p <= 1 }),
  },
  { minor: 28, set: { cniIgnoresKubevirtAlone: false } },
  { minor: 29 },
  { minor: 30 },
  { minor: 31 },
];

/** The releases the generator knows, oldest and newest: the first and last lines of the table. */
export const OLDEST_KNOWN = { minor: RELEASE_LINES[0]!.minor, patch: 0 } as const;
export const NEWEST_KNOWN = { minor: RELEASE_LINES.at(-1)!.minor, patch: 0 } as const;
/** "1.5 … 1.31", as error messages and --help name the range. */
export const KNOWN_RANGE = `1.${OLDEST_KNOWN.minor} … 1.${NEWEST_KNOWN.minor}`;

/** The layout of the newest known release: what a default generator run uses. */
export const NEWEST_LAYOUT: IstioVersion = layoutOfMinor(NEWEST_KNOWN.minor);

/** The feature that starts a release line first says so; the release it arrived in, as "1.M", for messages. */
export function introducedIn(feature: keyof Features): string {
  const line = RELEASE_LINES.find((l) => l.set?.[feature] !== undefined && l.set[feature] !== false && l.set[feature] !== null);
  if (!line) throw new Error(`no release line introduces ${feature}`);
  return `1.${line.minor}`;
}

export function features(r: Release): Features {
  let f = { ...FIRST_FEATURES };
  for (const line of RELEASE_LINES) {
    if (line.minor > r.minor) break;
    f = { ...f, ...line.set };
    if (line.minor === r.minor && line.byPatch) f = { ...f, ...line.byPatch(r.patch) };
  }
  return f;
}
