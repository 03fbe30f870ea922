/**
 * Istio's own golden files (test/data/istio-goldens), each distinct rule set once, with the
 * standard flows a differential suite runs through them. The proxy's identity and ports come
 * only from the file: the flows that play the proxy use the uid and gid the loader inferred.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PodConfig } from '../../src/pod/config.js';
import type { FlowInput } from '../../src/pod/flow.js';

export const GOLDENS_DIR = 'test/data/istio-goldens';

interface NotRuleSets {
  notRuleSets?: Record<string, string>;
}

export interface CorpusFile {
  /** Path relative to the project root. */
  file: string;
  /** Every tag/path whose content is the same bytes. */
  sameAs: string[];
}

/** Distinct golden rule sets, first by tag order then path; files that are not rule sets left out. */
export function distinctGoldens(root: string): CorpusFile[] {
  const base = path.join(root, GOLDENS_DIR);
  const skip = new Set(Object.keys((JSON.parse(readFileSync(path.join(base, 'not-expressible.json'), 'utf8')) as NotRuleSets).notRuleSets ?? {}));
  const tags = (JSON.parse(readFileSync(path.join(base, 'index.json'), 'utf8')) as { tags: string[] }).tags;
  const byHash = new Map<string, CorpusFile>();
  for (const tag of tags) {
    for (const rel of walk(path.join(base, tag))) {
      const key = `${tag}/${rel}`;
      if (rel.endsWith('.json') || skip.has(key)) continue;
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

/**
 * The standard flows for one golden: an application's outbound call, a remote client's inbound
 * call, the proxy's own outbound call and its call to localhost (as the identity the file gives),
 * DNS over UDP from the application, and the IPv6 pair when the file holds ip6tables rules.
 */
export function standardFlows(pod: PodConfig, hasIpv6: boolean): FlowInput[] {
  const proxy = { uid: pod.proxyUid, gid: pod.proxyGid };
  const flows: FlowInput[] = [
    { src: 'pod', dst: `${REMOTE4}:9080`, uid: 1000, title: 'app -> remote :9080' },
    { src: REMOTE4, dst: 'pod:9080', title: 'remote -> app :9080' },
    { src: 'pod', dst: `${REMOTE4}:443`, ...proxy, title: `proxy (uid ${proxy.uid} gid ${proxy.gid}) -> remote :443` },
    { src: '127.0.0.1', dst: '127.0.0.1:15000', ...proxy, title: `proxy (uid ${proxy.uid}) -> localhost :15000` },
    { src: 'pod', dst: '10.96.0.10:53', proto: 'udp', uid: 1000, title: 'app dns udp' },
  ];
  if (hasIpv6 && pod.ipv6) {
    flows.push({ src: 'pod', dst: `[${REMOTE6}]:9080`, uid: 1000, title: 'app -> remote6 :9080' });
    flows.push({ src: REMOTE6, dst: 'pod:9080', title: 'remote6 -> app :9080' });
  }
  return flows;
}
