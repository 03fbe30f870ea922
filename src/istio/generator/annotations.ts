/**
 * Pod annotations → generator options, applying what the injection template
 * (istio-init) or the istio-cni plugin does with them (reference §1.0, §1.6,
 * §7.2). Unknown annotations in the sidecar/traffic/status/proxy/istio.io
 * families and malformed values are UsageErrors that name the annotation.
 */
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../core/errors.js';
import {
  distance,
  parseCidrList,
  parseCidrsOrWildcard,
  parseGoBool,
  parseGroups,
  parseInterfaces,
  parseMode,
  parsePort0,
  parsePortList,
  parsePortsOrWildcard,
} from './annotation-values.js';
import { isValidIstioCidr } from './cidr.js';
import { cloneOptions, DEFAULT_STATUS_PORT, type IstioOptions } from './options.js';
import { resolveRelease } from './validate.js';
import { features, formatRelease, introducedIn, type Release } from './version.js';

export const A = {
  interceptionMode: 'sidecar.istio.io/interceptionMode',
  includeOutboundIPRanges: 'traffic.sidecar.istio.io/includeOutboundIPRanges',
  excludeOutboundIPRanges: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
  includeInboundPorts: 'traffic.sidecar.istio.io/includeInboundPorts',
  excludeInboundPorts: 'traffic.sidecar.istio.io/excludeInboundPorts',
  includeOutboundPorts: 'traffic.sidecar.istio.io/includeOutboundPorts',
  excludeOutboundPorts: 'traffic.sidecar.istio.io/excludeOutboundPorts',
  kubevirtInterfaces: 'traffic.sidecar.istio.io/kubevirtInterfaces',
  excludeInterfaces: 'traffic.sidecar.istio.io/excludeInterfaces',
  rerouteVirtualInterfaces: 'istio.io/reroute-virtual-interfaces',
  statusPort: 'status.sidecar.istio.io/port',
  proxyConfig: 'proxy.istio.io/config',
} as const;

/** Annotations that change the iptables rules (handled below). */
const HANDLED = new Set<string>(Object.values(A));

/** Istio annotations of the policed families that do not change the rules: accepted and ignored. */
const IGNORED = new Set<string>([
  'sidecar.istio.io/inject',
  'sidecar.istio.io/status',
  'sidecar.istio.io/rewriteAppHTTPProbers',
  'sidecar.istio.io/controlPlaneAuthPolicy',
  'sidecar.istio.io/discoveryAddress',
  'sidecar.istio.io/proxyImage',
  'sidecar.istio.io/proxyImageType',
  'sidecar.istio.io/proxyCPU',
  'sidecar.istio.io/proxyCPULimit',
  'sidecar.istio.io/proxyMemory',
  'sidecar.istio.io/proxyMemoryLimit',
  'sidecar.istio.io/bootstrapOverride',
  'sidecar.istio.io/statsInclusionPrefixes',
  'sidecar.istio.io/statsInclusionSuffixes',
  'sidecar.istio.io/statsInclusionRegexps',
  'sidecar.istio.io/statsHistogramBuckets',
  'sidecar.istio.io/statsEvictionInterval',
  'sidecar.istio.io/statsCompression',
  'sidecar.istio.io/statsFlushInterval',
  'sidecar.istio.io/userVolume',
  'sidecar.istio.io/userVolumeMount',
  'sidecar.istio.io/enableCoreDump',
  'sidecar.istio.io/logLevel',
  'sidecar.istio.io/componentLogLevel',
  'sidecar.istio.io/agentLogLevel',
  'sidecar.istio.io/extraStatTags',
  'sidecar.istio.io/nativeSidecar',
  'sidecar.istio.io/capNetBindService',
  'readiness.status.sidecar.istio.io/initialDelaySeconds',
  'readiness.status.sidecar.istio.io/periodSeconds',
  'readiness.status.sidecar.istio.io/failureThreshold',
  'readiness.status.sidecar.istio.io/applicationPorts',
  'proxy.istio.io/overrides',
  'istio.io/rev',
  'istio.io/dry-run',
  'istio.io/autoRegistrationGroup',
  'istio.io/workloadController',
  'istio.io/connectedAt',
  'istio.io/disconnectedAt',
  'istio.io/dataplane-mode',
  'istio.io/use-waypoint',
  'istio.io/use-waypoint-namespace',
  'istio.io/ingress-use-waypoint',
  'istio.io/waypoint-for',
  'istio.io/gateway-name',
  'istio.io/tag',
]);

/** Families whose unknown keys are errors: the sidecar and traffic annotations, the bare istio.io domain. */
function policed(key: string): boolean {
  const domain = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
  return (
    domain === 'istio.io' ||
    domain === 'sidecar.istio.io' ||
    domain === 'traffic.sidecar.istio.io' ||
    domain === 'status.sidecar.istio.io' ||
    domain === 'readiness.status.sidecar.istio.io' ||
    domain === 'proxy.istio.io'
  );
}

function unknownAnnotation(key: string): never {
  const known = [...HANDLED, ...IGNORED];
  const best = known.map((k) => ({ k, d: distance(key.toLowerCase(), k.toLowerCase()) })).sort((a, b) => a.d - b.d)[0];
  const hint = best && best.d <= 3 ? ` (did you mean "${best.k}"?)` : '';
  throw new UsageError(
    `unknown Istio annotation "${key}"${hint}: the annotations that change the iptables rules are ${[...HANDLED].join(', ')}`,
  );
}

/** ProxyConfig fields (istio.mesh.v1alpha1.ProxyConfig) accepted in proxy.istio.io/config; only interceptionMode and proxyMetadata matter here. */
const PROXY_CONFIG_FIELDS = new Set([
  'configPath',
  'binaryPath',
  'serviceCluster',
  'drainDuration',
  'parentShutdownDuration',
  'discoveryAddress',
  'discoveryRefreshDelay',
  'zipkinAddress',
  'statsdUdpAddress',
  'envoyMetricsServiceAddress',
  'proxyAdminPort',
  'availabilityZone',
  'controlPlaneAuthPolicy',
  'customConfigFile',
  'statNameLength',
  'concurrency',
  'proxyBootstrapTemplatePath',
  'interceptionMode',
  'tracing',
  'sds',
  'envoyAccessLogService',
  'envoyMetricsService',
  'proxyMetadata',
  'runtimeValues',
  'statusPort',
  'extraStatTags',
  'gatewayTopology',
  'terminationDrainDuration',
  'meshId',
  'readinessProbe',
  'proxyStatsMatcher',
  'holdApplicationUntilProxyStarts',
  'caCertificatesPem',
  'image',
  'privateKeyProvider',
  'proxyHeaders',
  'fileFlushInterval',
  'fileFlushMinSizeKb',
  'startupProbe',
  'tracingServiceName',
  'serviceClusterName',
]);

export interface ProxyConfigEffect {
  mode?: 'REDIRECT' | 'TPROXY';
  dnsCapture?: boolean;
  captureAllDns?: boolean;
  dropInvalid?: boolean;
  ownerGroupsInclude?: string[] | '*';
  ownerGroupsExclude?: string[];
  loopbackCidr?: string;
}

/** proxy.istio.io/config: YAML or JSON text holding ProxyConfig fields. proxyMetadata entries become istio-init's environment. */
export function parseProxyConfig(text: string): ProxyConfigEffect {
  const name = A.proxyConfig;
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new UsageError(`annotation ${name}: not valid YAML or JSON (${(e as Error).message.split('\n')[0]}): expected ProxyConfig fields such as "proxyMetadata: {ISTIO_META_DNS_CAPTURE: 'true'}"`);
  }
  return proxyConfigEffect(doc, `annotation ${name}`);
}

/**
 * The rule-relevant part of a ProxyConfig object (from the annotation or from
 * meshConfig.defaultConfig). `where` prefixes error messages.
 */
export function proxyConfigEffect(doc: unknown, where: string): ProxyConfigEffect {
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${where}: expected a mapping of ProxyConfig fields, not ${Array.isArray(doc) ? 'a list' : typeof doc}`);
  const out: ProxyConfigEffect = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (!PROXY_CONFIG_FIELDS.has(k)) {
      const best = [...PROXY_CONFIG_FIELDS].map((f) => ({ f, d: distance(k, f) })).sort((a, b) => a.d - b.d)[0];
      const hint = best && best.d <= 3 ? ` (did you mean "${best.f}"?)` : '';
      throw new UsageError(`${where}: unknown ProxyConfig field "${k}"${hint}`);
    }
    if (k === 'interceptionMode') {
      if (typeof v !== 'string') throw new UsageError(`${where}: interceptionMode must be a string: expected REDIRECT or TPROXY`);
      out.mode = parseMode(`${where} interceptionMode`, v);
    }
    if (k === 'proxyMetadata' && v !== null) {
      if (typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${where}: proxyMetadata must be a mapping of environment variables to strings`);
      for (const [env, raw] of Object.entries(v as Record<string, unknown>)) {
        if (typeof raw !== 'string') throw new UsageError(`${where}: proxyMetadata.${env} must be a string (quote it, e.g. "true")`);
        const at = `${where} proxyMetadata.${env}`;
        switch (env) {
          case 'ISTIO_META_DNS_CAPTURE':
            out.dnsCapture = parseGoBool(at, raw);
            break;
          case 'CAPTURE_ALL_DNS':
            out.captureAllDns = parseGoBool(at, raw);
            break;
          case 'INVALID_DROP':
          case 'ISTIO_META_INVALID_DROP':
            out.dropInvalid = parseGoBool(at, raw);
            break;
          case 'ISTIO_OUTBOUND_OWNER_GROUPS':
            out.ownerGroupsInclude = parseGroups(at, raw);
            break;
          case 'ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE': {
            const g = parseGroups(at, raw);
            if (g === '*') throw new UsageError(`${at}: "*" is not a group list: expected group names or ids`);
            out.ownerGroupsExclude = g;
            break;
          }
          case 'ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR':
            if (!isValidIstioCidr(raw.trim()) || !raw.trim().startsWith('127.')) {
              throw new UsageError(`${at}: ${JSON.stringify(raw)} is not valid: expected an IPv4 loopback CIDR such as 127.0.0.1/8`);
            }
            out.loopbackCidr = raw.trim();
            break;
          default:
            // ISTIO_META_DNS_AUTO_ALLOCATE and every other variable do not change the rules.
            break;
        }
      }
    }
  }
  return out;
}

/** Apply a ProxyConfig effect to options. */
export function applyProxyConfig(o: IstioOptions, eff: ProxyConfigEffect): void {
  if (eff.mode) o.mode = eff.mode;
  if (eff.dnsCapture !== undefined) o.dnsCapture = eff.dnsCapture;
  if (eff.captureAllDns !== undefined) o.captureAllDns = eff.captureAllDns;
  if (eff.dropInvalid !== undefined) o.dropInvalid = eff.dropInvalid;
  if (eff.ownerGroupsInclude !== undefined) o.ownerGroupsInclude = eff.ownerGroupsInclude;
  if (eff.ownerGroupsExclude !== undefined) o.ownerGroupsExclude = eff.ownerGroupsExclude;
  if (eff.loopbackCidr !== undefined) o.loopbackCidr = eff.loopbackCidr;
}

/** excludeInboundPort() of the injector: append the status port unless it is 0 or already listed. */
function withStatusPort(list: number[], status: number): number[] {
  if (status === 0 || list.includes(status)) return list;
  return [...list, status];
}

function dedupe(list: number[]): number[] {
  return list.filter((p, i) => list.indexOf(p) === i);
}

/** The user/mesh part of an effective excludeInboundPorts list (what the template or CNI added, removed). */
export function userExcludes(o: IstioOptions, r: Release): number[] {
  const status = o.statusPort ?? DEFAULT_STATUS_PORT;
  let list = [...o.excludeInboundPorts];
  if (o.installer === 'cni') return list.filter((p) => p !== 15020 && p !== 15021 && p !== 15090 && p !== status);
  const head = features(r).excludes15021 ? [15090, 15021] : [15090];
  if (head.every((p, i) => list[i] === p)) list = list.slice(head.length);
  if (list.length && list[list.length - 1] === status) list = list.slice(0, -1);
  return list;
}

/** The `-d` list the installer ends up with for a user/mesh list and a status port (§1.0, §1.6). */
export function effectiveInboundExcludes(o: IstioOptions, r: Release, user: number[], status: number): number[] {
  const annotated = withStatusPort(user, status);
  if (o.installer === 'cni') return dedupe([...annotated, 15020, 15021, 15090]);
  return [...(features(r).excludes15021 ? [15090, 15021] : [15090]), ...annotated];
}

function introducedAnnotation(name: string, since: string, r: Release): never {
  throw new UsageError(`annotation ${name} was introduced in Istio ${since}; ${formatRelease(r)} ignores it`);
}

/** Notes the annotation step adds for the generator to report (kept on the options, read by validateOptions). */
function notes(o: IstioOptions): string[] {
  o.templateNotes ??= [];
  return o.templateNotes;
}

function cniKubevirtNote(r: Release): string {
  return `istio-cni ${formatRelease(r)} ignores ${A.kubevirtInterfaces} unless ${A.rerouteVirtualInterfaces} is also set (fixed in 1.26.5, 1.27.2, 1.28.0): no -k rules`;
}

/**
 * What the injection template forces whatever the options say: from 1.27 TPROXY
 * mode passes istio-init `-u "1337"` instead of the ProxyUID (§1.2f, PR 56577).
 * The TPROXY proxy itself runs as uid 0 / gid 1337 as before, so the rules' uid
 * 1337 matches only a process that really is 1337 (e.g. istio-validate in CNI
 * mode, which the template now also runs as 1337/1337). The CNI plugin ignores a
 * runAsUser of 0 and keeps 1337, the same result. Call again after changing the mode.
 */
export function applyTemplateOverrides(o: IstioOptions, r: Release = resolveRelease(o)): void {
  if (o.mode !== 'TPROXY' || !features(r).tproxyForcesUid1337) return;
  if (o.proxyUid.length !== 1 || o.proxyUid[0] !== 1337) {
    notes(o).push(`Istio ${formatRelease(r)} passes -u 1337 in TPROXY mode whatever ProxyUID is (injection template, 1.27+); the proxy runs as uid 0 / gid 1337`);
  }
  o.proxyUid = [1337];
}

export function optionsFromAnnotations(base: IstioOptions, annotations: Record<string, string>): IstioOptions {
  const o = cloneOptions(base);
  const r = resolveRelease(base);
  const f = features(r);
  const get = (k: string): string | undefined => {
    if (!(k in annotations)) return undefined;
    const v = (annotations as Record<string, unknown>)[k];
    if (typeof v !== 'string') throw new UsageError(`annotation ${k}: value must be a string (Kubernetes annotations are strings; quote it), got ${typeof v}`);
    return v;
  };
  for (const key of Object.keys(annotations)) {
    if (!policed(key)) continue;
    if (!HANDLED.has(key) && !IGNORED.has(key)) unknownAnnotation(key);
    get(key);
  }

  // ProxyConfig first: the interceptionMode annotation overrides it (template: annotation with ProxyConfig default).
  const pc = get(A.proxyConfig);
  if (pc !== undefined) applyProxyConfig(o, parseProxyConfig(pc));
  const mode = get(A.interceptionMode);
  if (mode !== undefined) o.mode = parseMode(A.interceptionMode, mode);

  const inc = get(A.includeOutboundIPRanges);
  if (inc !== undefined) o.includeOutboundIPRanges = parseCidrsOrWildcard(A.includeOutboundIPRanges, inc);
  const exc = get(A.excludeOutboundIPRanges);
  if (exc !== undefined) o.excludeOutboundIPRanges = parseCidrList(A.excludeOutboundIPRanges, exc);
  const incIn = get(A.includeInboundPorts);
  if (incIn !== undefined) o.includeInboundPorts = parsePortsOrWildcard(A.includeInboundPorts, incIn);

  const excIn = get(A.excludeInboundPorts);
  const status = get(A.statusPort);
  if (excIn !== undefined || status !== undefined) {
    const newStatus = status !== undefined ? parsePort0(A.statusPort, status) : (o.statusPort ?? DEFAULT_STATUS_PORT);
    const user = excIn !== undefined ? parsePortList(A.excludeInboundPorts, excIn) : userExcludes(base, r);
    o.excludeInboundPorts = effectiveInboundExcludes(o, r, user, newStatus);
    o.statusPort = newStatus;
  }

  const incOut = get(A.includeOutboundPorts);
  if (incOut !== undefined) {
    const ports = parsePortList(A.includeOutboundPorts, incOut);
    if (ports.length && !f.includeOutboundPorts) introducedAnnotation(A.includeOutboundPorts, introducedIn('includeOutboundPorts'), r);
    o.includeOutboundPorts = ports;
  }
  // The template passes -o only when the annotation (or the mesh value) is set; CNI keeps its "15020" default otherwise.
  const excOut = get(A.excludeOutboundPorts);
  if (excOut !== undefined) o.excludeOutboundPorts = parsePortList(A.excludeOutboundPorts, excOut);

  // istio.io/reroute-virtual-interfaces wins over the deprecated kubevirtInterfaces (CNI NewRedirect, template).
  const reroute = get(A.rerouteVirtualInterfaces);
  const kubevirt = get(A.kubevirtInterfaces);
  if (reroute !== undefined) {
    if (!f.rerouteVirtualInterfacesAnnotation) {
      introducedAnnotation(A.rerouteVirtualInterfaces, `${introducedIn('rerouteVirtualInterfacesAnnotation')} (use traffic.sidecar.istio.io/kubevirtInterfaces before)`, r);
    }
    o.rerouteVirtualInterfaces = parseInterfaces(A.rerouteVirtualInterfaces, reroute);
  } else if (kubevirt !== undefined) {
    const list = parseInterfaces(A.kubevirtInterfaces, kubevirt);
    // istio-cni of 1.25.0-1.26.4 / 1.27.0-1.27.1 overwrote it with the absent newer annotation's "" (§1.2g).
    if (o.installer === 'cni' && f.cniIgnoresKubevirtAlone) notes(o).push(cniKubevirtNote(r));
    else o.rerouteVirtualInterfaces = list;
  }
  applyTemplateOverrides(o, r);
  const exIf = get(A.excludeInterfaces);
  if (exIf !== undefined) {
    const list = parseInterfaces(A.excludeInterfaces, exIf);
    if (list.length && !f.excludeInterfacesAnnotation) introducedAnnotation(A.excludeInterfaces, introducedIn('excludeInterfacesAnnotation'), r);
    o.excludeInterfaces = list;
  }
  return o;
}
