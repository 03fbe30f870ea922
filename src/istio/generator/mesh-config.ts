/**
 * Mesh-wide defaults that change the sidecar rules, read from one of:
 *  - a MeshConfig document (top-level `defaultConfig`, `proxyListenPort`, …);
 *  - the `istio` ConfigMap (kind ConfigMap, `data.mesh` holding MeshConfig text);
 *  - an IstioOperator (`spec.meshConfig`, `spec.values`, `spec.components.cni.enabled`);
 *  - Helm values (`meshConfig:`, `global:`, `istio_cni:` / `pilot.cni:` at the top, or under `values:`).
 *
 * Accepted fields (everything else is ignored):
 *  meshConfig.defaultConfig.interceptionMode            → mode
 *  meshConfig.defaultConfig.proxyMetadata.*              → dnsCapture (ISTIO_META_DNS_CAPTURE), captureAllDns (CAPTURE_ALL_DNS),
 *                                                          dropInvalid (INVALID_DROP), owner groups, loopback CIDR
 *  meshConfig.proxyListenPort / proxyInboundListenPort   → outboundPort / inboundPort (§1.0)
 *  global.proxy.includeIPRanges / excludeIPRanges        → include/excludeOutboundIPRanges
 *  global.proxy.includeInboundPorts / excludeInboundPorts → include/excludeInboundPorts (template adds 15090,15021 and the status port)
 *  global.proxy.excludeOutboundPorts                     → excludeOutboundPorts
 *  global.proxy.statusPort                               → statusPort
 *  istio_cni.enabled / pilot.cni.enabled / components.cni.enabled → installer cni
 */
import { InputError, UsageError } from '../../core/errors.js';
import type { Node } from 'yaml';
import { parseCidrList, parseCidrsOrWildcard, parsePort0, parsePortList, parsePortsOrWildcard } from './annotation-values.js';
import { applyProxyConfig, effectiveInboundExcludes, proxyConfigEffect, userExcludes } from './annotations.js';
import { cloneOptions, defaultIstioOptions, DEFAULT_STATUS_PORT, type IstioOptions } from './options.js';
import { resolveRelease } from './validate.js';
import { get, getPath, isMap, isScalar, scalarString, YamlSource } from './yaml-source.js';

function text(src: YamlSource, n: Node | undefined, what: string): string | undefined {
  if (n === undefined) return undefined;
  if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')) return String(n.value);
  if (isScalar(n) && n.value === null) return '';
  return src.fail(`${what} must be a string such as "10.0.0.0/8,192.168.0.0/16"`, n);
}

function bool(src: YamlSource, n: Node | undefined, what: string): boolean | undefined {
  if (n === undefined) return undefined;
  if (isScalar(n) && typeof n.value === 'boolean') return n.value;
  if (isScalar(n) && (n.value === 'true' || n.value === 'false')) return n.value === 'true';
  return src.fail(`${what} must be true or false`, n);
}

/** Run a value parser that throws UsageError and re-throw it at the node's position. */
function at<T>(src: YamlSource, n: Node | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UsageError) src.fail(e.message.replace(/^annotation /, ''), n);
    throw e;
  }
}

interface Found {
  mesh?: { src: YamlSource; node: Node };
  values?: Node;
  cni?: Node;
}

function locate(src: YamlSource, root: Node): Found {
  const kind = scalarString(get(root, 'kind'));
  if (kind === 'ConfigMap') {
    const mesh = getPath(root, ['data', 'mesh']);
    if (mesh === undefined) return {};
    const t = scalarString(mesh);
    if (t === undefined) src.fail('data.mesh must hold MeshConfig YAML text', mesh);
    // Lines inside a block scalar start on the line after `mesh: |`.
    const inner = new YamlSource(t, src.file, (src.pos(mesh).line ?? 1));
    const node = inner.docs[0]?.contents as Node | undefined;
    return node ? { mesh: { src: inner, node } } : {};
  }
  if (kind === 'IstioOperator') {
    const spec = get(root, 'spec');
    const m = get(spec, 'meshConfig');
    return { mesh: m ? { src, node: m } : undefined, values: get(spec, 'values'), cni: getPath(spec, ['components', 'cni', 'enabled']) };
  }
  if (kind !== undefined) src.fail(`kind ${kind} holds no mesh configuration: expected a MeshConfig, the istio ConfigMap, an IstioOperator or Helm values`, get(root, 'kind'));
  const values = get(root, 'values') ?? root;
  const m = get(root, 'meshConfig') ?? get(values, 'meshConfig');
  if (m) return { mesh: { src, node: m }, values };
  const looksLikeMesh = ['defaultConfig', 'proxyListenPort', 'proxyInboundListenPort'].some((k) => get(root, k) !== undefined);
  return { mesh: looksLikeMesh ? { src, node: root } : undefined, values };
}

export function optionsFromMeshConfig(yamlText: string, file: string, base: IstioOptions = defaultIstioOptions()): IstioOptions {
  const src = new YamlSource(yamlText, file);
  const root = src.docs[0]?.contents as Node | undefined;
  if (!root || !isMap(root)) throw new InputError('empty mesh configuration: expected a YAML mapping', file, 1);
  const found = locate(src, root);
  let o = cloneOptions(base);
  const r = resolveRelease(base);

  const cniNode = found.cni ?? getPath(found.values, ['istio_cni', 'enabled']) ?? getPath(found.values, ['pilot', 'cni', 'enabled']);
  const cni = bool(src, cniNode, 'cni enabled');
  if (cni === true && o.installer !== 'cni') {
    const d = defaultIstioOptions(o.version, 'cni');
    o = { ...o, installer: 'cni', excludeInboundPorts: d.excludeInboundPorts, excludeOutboundPorts: d.excludeOutboundPorts };
  }

  if (found.mesh) {
    const { src: ms, node } = found.mesh;
    const dc = get(node, 'defaultConfig');
    if (dc !== undefined) applyProxyConfig(o, at(ms, dc, () => proxyConfigEffect(dc.toJSON(), 'meshConfig.defaultConfig')));
    for (const [key, field] of [
      ['proxyListenPort', 'outboundPort'],
      ['proxyInboundListenPort', 'inboundPort'],
    ] as const) {
      const n = get(node, key);
      if (n === undefined) continue;
      const v = isScalar(n) ? n.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) return ms.fail(`${key} must be a port number 1-65535`, n);
      o[field] = v;
    }
  }

  const proxy = getPath(found.values, ['global', 'proxy']);
  if (proxy !== undefined) {
    const inc = get(proxy, 'includeIPRanges');
    const incT = text(src, inc, 'global.proxy.includeIPRanges');
    if (incT !== undefined) o.includeOutboundIPRanges = at(src, inc, () => parseCidrsOrWildcard('global.proxy.includeIPRanges', incT));
    const exc = get(proxy, 'excludeIPRanges');
    const excT = text(src, exc, 'global.proxy.excludeIPRanges');
    if (excT !== undefined) o.excludeOutboundIPRanges = at(src, exc, () => parseCidrList('global.proxy.excludeIPRanges', excT));
    const incIn = get(proxy, 'includeInboundPorts');
    const incInT = text(src, incIn, 'global.proxy.includeInboundPorts');
    if (incInT !== undefined) o.includeInboundPorts = at(src, incIn, () => parsePortsOrWildcard('global.proxy.includeInboundPorts', incInT));
    const excOut = get(proxy, 'excludeOutboundPorts');
    const excOutT = text(src, excOut, 'global.proxy.excludeOutboundPorts');
    if (excOutT !== undefined && excOutT !== '') o.excludeOutboundPorts = at(src, excOut, () => parsePortList('global.proxy.excludeOutboundPorts', excOutT));
    const st = get(proxy, 'statusPort');
    const stT = text(src, st, 'global.proxy.statusPort');
    const excIn = get(proxy, 'excludeInboundPorts');
    const excInT = text(src, excIn, 'global.proxy.excludeInboundPorts');
    if (stT !== undefined || excInT !== undefined) {
      const status = stT !== undefined ? at(src, st, () => parsePort0('global.proxy.statusPort', stT)) : (o.statusPort ?? DEFAULT_STATUS_PORT);
      const user = excInT !== undefined ? at(src, excIn, () => parsePortList('global.proxy.excludeInboundPorts', excInT)) : userExcludes(o, r);
      o.excludeInboundPorts = effectiveInboundExcludes(o, r, user, status);
      o.statusPort = status;
    }
  }
  return o;
}
