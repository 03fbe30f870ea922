/**
 * Every Istio golden (test/data/istio-goldens) traces the standard flows cleanly: the proxy's
 * identity and ports come from the file alone, no hop stops at an unknown rule (apart from
 * owner *names*, which need --group/--user), and nothing loops or runs into the hop limit.
 * The kernel suite (test/kernel/differential-istio-goldens*) holds the same flows to the kernel.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRulesText } from '../../src/cli/load-rules.js';
import { podContext } from '../../src/cli/setup.js';
import { defaultPodConfig } from '../../src/pod/config.js';
import { resolveFlow, type FlowInput } from '../../src/pod/flow.js';
import { DEFAULT_MAX_HOPS, traceFlow } from '../../src/pod/trace-flow.js';

const ROOT = path.join(import.meta.dirname, '../..');
const DIR = path.join(ROOT, 'test/data/istio-goldens');
const index = JSON.parse(readFileSync(path.join(DIR, 'index.json'), 'utf8')) as { tags: string[] };
/** Files a manifest marks as no rule set (cleanup commands), as `TAG/FILE`. */
const notRuleSets = index.tags.flatMap((tag) =>
  (JSON.parse(readFileSync(path.join(DIR, tag, 'manifest.json'), 'utf8')) as { files: Array<{ file: string; notRuleSet?: string }> }).files
    .filter((f) => f.notRuleSet !== undefined)
    .map((f) => `${tag}/${f.file}`),
);

function goldenFiles(tag: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${rel}${name}/`);
      else if (!name.endsWith('.json') && !notRuleSets.includes(`${tag}/${rel}${name}`)) out.push(`${rel}${name}`);
    }
  };
  walk(path.join(DIR, tag), '');
  return out;
}

function standardFlows(proxy: { uid: number; gid: number }, ipv6: boolean): FlowInput[] {
  return [
    { src: 'pod', dst: '10.244.2.7:9080', uid: 1000, title: 'app -> remote :9080' },
    { src: '10.244.2.7', dst: 'pod:9080', title: 'remote -> app :9080' },
    { src: 'pod', dst: '10.244.2.7:443', ...proxy, title: 'proxy -> remote :443' },
    { src: '127.0.0.1', dst: '127.0.0.1:15000', ...proxy, title: 'proxy -> localhost :15000' },
    { src: 'pod', dst: '10.96.0.10:53', proto: 'udp', uid: 1000, title: 'app dns udp' },
    ...(ipv6
      ? [
          { src: 'pod', dst: '[fd00:10:244:2::7]:9080', uid: 1000, title: 'app -> remote6 :9080' },
          { src: 'fd00:10:244:2::7', dst: 'pod:9080', title: 'remote6 -> app :9080' },
        ]
      : []),
  ];
}

/** An unknown the tool may leave: an owner name the file cannot resolve (needs --user/--group). */
const OWNER_NAME_UNKNOWN = /(user|group) name|--(user|group)\b/i;

const counts = new Map<string, { files: number; flows: number }>();
afterAll(() => {
  const parts = [...counts].map(([tag, c]) => `${tag} ${c.files} files/${c.flows} flows`);
  console.log(`[istio goldens] traced: ${parts.join(', ')}`);
});

for (const tag of index.tags) {
  describe(`Istio ${tag} goldens trace the standard flows`, () => {
    for (const rel of goldenFiles(tag)) {
      it(rel, () => {
        const file = `test/data/istio-goldens/${tag}/${rel}`;
        const ctx = podContext(parseRulesText(readFileSync(path.join(ROOT, file), 'utf8'), file, file), defaultPodConfig());
        const flows = standardFlows({ uid: ctx.pod.proxyUid, gid: ctx.pod.proxyGid }, ctx.ruleset.families.ipv6 !== undefined && ctx.pod.ipv6 !== null);
        for (const input of flows) {
          const t = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', ...input }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
          const where = `${file}: ${input.title}`;
          for (const hop of t.hops) {
            if (hop.outcome.type === 'unknown') expect(JSON.stringify(hop.outcome), where).toMatch(OWNER_NAME_UNKNOWN);
            expect(hop.outcome.type, where).not.toBe('hop-limit');
            expect(hop.outcome.type, where).not.toBe('budget');
          }
          expect(t.warnings.filter((w) => /loop/.test(w)), where).toEqual([]);
        }
        const c = counts.get(tag) ?? { files: 0, flows: 0 };
        counts.set(tag, { files: c.files + 1, flows: c.flows + flows.length });
      });
    }
  });
}
