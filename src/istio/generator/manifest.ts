/**
 * A pod's annotations, IPs and container ports from a Kubernetes manifest:
 * a Pod, a workload with a pod template (Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Job, CronJob) or a List of them.
 * Exactly one pod-bearing object is expected; others (Service, ConfigMap…)
 * are skipped.
 */
import { isIP } from 'node:net';
import type { Node } from 'yaml';
import { asMapEntries, asSeq, get, getPath, isMap, isScalar, scalarString, YamlSource } from './yaml-source.js';

export interface PodManifestInfo {
  /** metadata.annotations of the Pod, or of the workload's pod template. */
  annotations: Record<string, string>;
  /** status.podIP / status.podIPs (only a Pod dump has them). */
  podIPs: string[];
  /** spec.containers[].ports[].containerPort, in order, without repeats. */
  containerPorts: number[];
  kind: string;
  name: string | null;
}

const TEMPLATE_PATH: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

interface Candidate {
  kind: string;
  name: string | null;
  node: Node;
  /** The object holding metadata + spec of the pod (the Pod itself or the template). */
  pod: Node | undefined;
  status: Node | undefined;
}

function collect(src: YamlSource, node: Node | null | undefined, out: Candidate[]): void {
  if (!node || !isMap(node)) return;
  const kind = scalarString(get(node, 'kind'));
  if (kind === undefined) return;
  const name = scalarString(getPath(node, ['metadata', 'name'])) ?? null;
  if (kind === 'List' || kind.endsWith('List')) {
    for (const item of asSeq(get(node, 'items'))) collect(src, item, out);
    return;
  }
  if (kind === 'Pod') out.push({ kind, name, node, pod: node, status: get(node, 'status') });
  else if (TEMPLATE_PATH[kind]) out.push({ kind, name, node, pod: getPath(node, TEMPLATE_PATH[kind]!), status: undefined });
}

function annotationsOf(src: YamlSource, pod: Node | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const node = getPath(pod, ['metadata', 'annotations']);
  if (node === undefined || (isScalar(node) && node.value === null)) return out;
  if (!isMap(node)) src.fail('metadata.annotations must be a mapping of names to strings', node);
  for (const { key, value } of asMapEntries(node)) {
    if (!isScalar(value) || typeof value.value !== 'string') {
      src.fail(`annotation ${key} must be a string (Kubernetes annotation values are strings: quote it, e.g. "${isScalar(value) ? String(value.value) : '…'}")`, value ?? node);
    }
    out[key] = value.value as string;
  }
  return out;
}

function portsOf(src: YamlSource, pod: Node | undefined): number[] {
  const ports: number[] = [];
  for (const c of asSeq(getPath(pod, ['spec', 'containers']))) {
    for (const p of asSeq(get(c, 'ports'))) {
      const n = get(p, 'containerPort');
      if (n === undefined) continue;
      const v = isScalar(n) ? n.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) src.fail('containerPort must be an integer 1-65535', n);
      if (!ports.includes(v)) ports.push(v);
    }
  }
  return ports;
}

function ipsOf(src: YamlSource, status: Node | undefined): string[] {
  const ips: string[] = [];
  const add = (n: Node | undefined): void => {
    if (n === undefined) return;
    const v = scalarString(n);
    if (v === undefined || isIP(v) === 0) src.fail('pod IP must be an IPv4 or IPv6 address', n);
    if (!ips.includes(v)) ips.push(v);
  };
  add(get(status, 'podIP'));
  for (const item of asSeq(get(status, 'podIPs'))) add(get(item, 'ip'));
  return ips;
}

export function optionsFromPodManifest(yamlText: string, file: string): PodManifestInfo {
  const src = new YamlSource(yamlText, file);
  const found: Candidate[] = [];
  for (const d of src.docs) collect(src, d.contents as Node | null, found);
  if (found.length === 0) {
    src.fail(
      `no Pod or workload with a pod template found: expected kind Pod, ${Object.keys(TEMPLATE_PATH).join(', ')} or a List of them`,
      (src.docs[0]?.contents as Node | null) ?? null,
    );
  }
  if (found.length > 1) {
    const list = found.map((c) => `${c.kind}/${c.name ?? '?'} (line ${src.pos(c.node).line})`).join(', ');
    src.fail(`more than one pod-bearing object: ${list}; give a file with one`, found[1]!.node);
  }
  const c = found[0]!;
  if (c.pod === undefined || !isMap(c.pod)) src.fail(`${c.kind} ${c.name ?? ''} has no pod template`.replace('  ', ' '), c.node);
  return {
    annotations: annotationsOf(src, c.pod),
    podIPs: ipsOf(src, c.status),
    containerPorts: portsOf(src, c.pod),
    kind: c.kind,
    name: c.name,
  };
}
