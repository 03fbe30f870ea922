/**
 * Rules from Istio configuration instead of a dump: version, installer, annotations, a pod
 * manifest, mesh config and nameservers go through the generator, and the result is loaded
 * like any other rule text. The caller reads the manifest and mesh config files (I/O stays
 * in the CLI); this
 * module (with the generator and YAML) is loaded only when Istio options are given.
 */
import { UsageError } from '../core/errors.js';
import type { Ruleset } from '../core/ruleset/model.js';
import { loadBlocks } from '../sources/iptables/load.js';
import {
  applyTemplateOverrides,
  defaultIstioOptions,
  features,
  generateRules,
  optionsFromAnnotations,
  optionsFromMeshConfig,
  optionsFromPodManifest,
  parseIstioVersion,
  type IstioOptions,
  type PodManifestInfo,
} from './generator/index.js';
import type { IstioConfigNames } from './source-names.js';

/** Istio configuration, with the caller's reader of the files it names (the pod manifest, the mesh config). */
export interface IstioConfig extends IstioConfigNames {
  readFile: (file: string, what: 'pod manifest' | 'mesh config') => string;
  /** The pod has an IPv6 address: ip6tables rules are generated too. */
  ipv6: boolean;
}

export interface GeneratedSource {
  ruleset: Ruleset;
  options: IstioOptions;
  manifest: PodManifestInfo | null;
  notes: string[];
  ipCommands: string[];
}

export function parseAnnotationFlags(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--annotation: "${item}" is not KEY=VALUE (e.g. traffic.sidecar.istio.io/excludeOutboundPorts=3306)`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return out;
}

export function generateSource(f: IstioConfig): GeneratedSource {
  const { version, release } = parseIstioVersion(f.istioVersion ?? 'current');
  if (f.installer && f.installer !== 'init' && f.installer !== 'cni') throw new UsageError(`--installer: "${f.installer}" is not init or cni`);
  const installer = (f.installer ?? 'init') as 'init' | 'cni';
  let options = defaultIstioOptions(version, installer);
  options.release = `1.${release.minor}.${release.patch}`;
  if (f.meshConfig) options = optionsFromMeshConfig(f.readFile(f.meshConfig, 'mesh config'), f.meshConfig, options);
  const manifest = f.pod ? optionsFromPodManifest(f.readFile(f.pod, 'pod manifest'), f.pod) : null;
  const annotations = { ...(manifest?.annotations ?? {}), ...parseAnnotationFlags(f.annotation ?? []) };
  options = optionsFromAnnotations(options, annotations);
  if (f.dnsServer?.length) options.dnsServers = [...f.dnsServer];
  if (f.interceptionMode) {
    const m = f.interceptionMode.toUpperCase();
    if (m !== 'REDIRECT' && m !== 'TPROXY') throw new UsageError(`--interception-mode: "${f.interceptionMode}" is not REDIRECT or TPROXY`);
    options.mode = m;
    applyTemplateOverrides(options);
  }
  options.ipv6 = f.ipv6;
  const generated = generateRules(options);
  const blocks = [{ family: 'ipv4' as const, kind: 'restore' as const, lines: generated.restore.ipv4.split('\n').map((text, i) => ({ text, line: i + 1 })) }];
  if (generated.restore.ipv6) blocks.push({ family: 'ipv6' as never, kind: 'restore' as const, lines: generated.restore.ipv6.split('\n').map((text, i) => ({ text, line: i + 1 })) });
  const origin: Record<string, unknown> = {
    generator: installer === 'cni' ? 'istio-cni' : 'istio-iptables',
    istioVersion: options.release,
    mode: options.mode,
    // Sorted by key: the same annotations give the same bytes, in whatever order they were given.
    annotations: Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    dnsCapture: options.dnsCapture,
    // Not a rule change: 1.27+ injects istio-proxy as a native sidecar (restartable init container) by default;
    // the template takes the annotation first, and anything but "false" means native.
    nativeSidecars:
      annotations['sidecar.istio.io/nativeSidecar'] !== undefined ? annotations['sidecar.istio.io/nativeSidecar'] !== 'false' : features(release).nativeSidecarsByDefault,
    ...(options.dnsCapture ? { dnsServers: options.dnsServers } : {}),
    ...(f.meshConfig ? { meshConfig: f.meshConfig } : {}),
    ...(f.pod ? { pod: f.pod } : {}),
  };
  const name = `istio:${options.release}${installer === 'cni' ? ' (istio-cni)' : ''}`;
  const ruleset = loadBlocks(blocks, { name, format: 'generated', origin }, `<generated ${name}>`, generated.notes);
  return { ruleset, options, manifest, notes: generated.notes, ipCommands: generated.ipCommands };
}
