/**
 * Istio's own golden files (test/data/istio-goldens), each distinct rule set once, with the
 * standard flows a differential suite runs through them. The proxy's identity and ports come
 * only from the file: the flows that play the proxy use the uid and gid the loader inferred.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PodConfig } from '../../src/istio/config.js';
import type { FlowInput } from '../../src/istio/flow.js';

export const GOLDENS_DIR = 'test/data/istio-goldens';

/** Each tag's golden files that are rule sets, as paths under the tag (a manifest marks cleanup commands `notRuleSet`). */
export function goldenFiles(root: string, tag: string): string[] {
  const base = path.join(root, GOLDENS_DIR);
  const manifest = JSON.parse(readFileSync(path.join(base, tag, 'manifest.json'), 'utf8')) as { files: Array<{ file: string; notRuleSet?: string }> };
  const skip = new Set(manifest.files.filter((f) => f.notRuleSet !== undefined).map((f) => f.file));
  return walk(path.join(base, tag)).filter((rel) => !rel.endsWith('.json') && !skip.has(rel));
}

/** The tags the corpus holds, oldest first. */
export function goldenTags(root: string): string[] {
  return (JSON.parse(readFileSync(path.join(root, GOLDENS_DIR, 'index.json'), 'utf8')) as { tags: string[] }).tags;
}

export interface CorpusFile {
  /** Path relative to the project root. */
  file: string;
  /** Every tag/path whose content is the same bytes. */
  sameAs: string[];
}

/** Distinct golden rule sets, first by tag order then path; files that are not rule sets left out. */
export function distinctGoldens(root: string): CorpusFile[] {
  const byHash = new Map<string, CorpusFile>();
  for (const tag of goldenTags(root)) {
    for (const rel of goldenFiles(root, tag)) {
      const key = `${tag}/${rel}`;
      const file = path.join(GOLDENS_DIR, tag, rel);
      const hash = createHash('sha256').update(readFileSync(path.join(root, file))).digest('hex');
      const seen = byHash.get(hash);
      if (seen) seen.sameAs.push(key);
      else byHash.set(hash, { file, sameAs: [key] });
    }
  }
  return [...byHash.values()];
}

function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

const REMOTE4 = '10.244.2.7';
const REMOTE6 = 'fd00:10:244:2::7';

/** A standard flow, named by its kind so that a subset can be chosen and its coverage checked. */
export type StandardFlow = FlowInput & { kind: FlowKind; title: string };

export const FLOW_KINDS = ['app-out', 'remote-in', 'proxy-out', 'proxy-localhost', 'app-dns', 'app-out6', 'remote-in6'] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];

/**
 * The standard flows for one golden: an application's outbound call, a remote client's inbound
 * call, the proxy's own outbound call and its call to localhost (as the identity the file gives),
 * DNS over UDP from the application, and the IPv6 pair when the file holds ip6tables rules.
 */
export function standardFlows(pod: PodConfig, hasIpv6: boolean): StandardFlow[] {
  const proxy = { uid: pod.proxyUid, gid: pod.proxyGid };
  const flows: StandardFlow[] = [
    { kind: 'app-out', src: 'pod', dst: `${REMOTE4}:9080`, uid: 1000, title: 'app -> remote :9080' },
    { kind: 'remote-in', src: REMOTE4, dst: 'pod:9080', title: 'remote -> app :9080' },
    { kind: 'proxy-out', src: 'pod', dst: `${REMOTE4}:443`, ...proxy, title: `proxy (uid ${proxy.uid} gid ${proxy.gid}) -> remote :443` },
    { kind: 'proxy-localhost', src: '127.0.0.1', dst: '127.0.0.1:15000', ...proxy, title: `proxy (uid ${proxy.uid}) -> localhost :15000` },
    { kind: 'app-dns', src: 'pod', dst: '10.96.0.10:53', proto: 'udp', uid: 1000, title: 'app dns udp' },
  ];
  if (hasIpv6 && pod.ipv6) {
    flows.push({ kind: 'app-out6', src: 'pod', dst: `[${REMOTE6}]:9080`, uid: 1000, title: 'app -> remote6 :9080' });
    flows.push({ kind: 'remote-in6', src: REMOTE6, dst: 'pod:9080', title: 'remote6 -> app :9080' });
  }
  return flows;
}

/**
 * The CI subset: `perGolden` flows of each golden, taken round-robin with one cursor that runs
 * on across the corpus (golden n starts where golden n-1 stopped), so that every kind comes up
 * many times over the corpus while each golden still runs some flows. `always` (golden file,
 * flow kind) pairs are added wherever they fall, so a listed disagreement is always checked.
 */
export function roundRobinSubset<F extends { kind: string }>(flowsPerGolden: F[][], perGolden: number, always: (golden: number, kind: string) => boolean = () => false): F[][] {
  let cursor = 0;
  return flowsPerGolden.map((flows, g) => {
    const pick = new Set<number>();
    for (let j = 0; j < Math.min(perGolden, flows.length); j++) pick.add((cursor + j) % flows.length);
    cursor += perGolden;
    flows.forEach((f, i) => always(g, f.kind) && pick.add(i));
    return flows.filter((_, i) => pick.has(i));
  });
}

/** A flow the simulation and the kernel are known to disagree on, with the reason (known-disagreements.json). */
export interface KnownDisagreement {
  golden: string;
  kind: FlowKind;
  reason: string;
}

export function knownDisagreements(root: string): KnownDisagreement[] {
  return (JSON.parse(readFileSync(path.join(root, GOLDENS_DIR, 'known-kernel-disagreements.json'), 'utf8')) as { disagreements: KnownDisagreement[] }).disagreements;
}

/** "i/n" (1-based) from SIDECAR_TRACE_GOLDEN_SHARD, or the whole corpus. */
export function parseShard(text: string | undefined): { index: number; count: number } {
  if (!text) return { index: 1, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || index < 1 || index > count) throw new Error(`SIDECAR_TRACE_GOLDEN_SHARD must be i/n with 1 <= i <= n, not ${JSON.stringify(text)}`);
  return { index, count };
}

/** Ids for the owner names some goldens use (owner-ids.json), as a user gives them with --user/--group. */
export function ownerNames(root: string): { users: Record<string, number>; groups: Record<string, number> } {
  const data = JSON.parse(readFileSync(path.join(root, GOLDENS_DIR, 'owner-ids.json'), 'utf8')) as { users: Record<string, number>; groups: Record<string, number> };
  return { users: data.users, groups: data.groups };
}
