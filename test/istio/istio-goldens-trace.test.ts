/**
 * Every Istio golden (test/data/istio-goldens) traces the standard flows cleanly: the proxy's
 * identity and ports come from the file alone, no hop stops at an unknown rule (apart from
 * owner *names*, which need --group/--user), and nothing loops or runs into the hop limit.
 * The kernel suite (test/kernel/differential-istio-goldens*) holds the same flows to the kernel.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRulesText } from '../../src/sources/rule-text.js';
import { podContext } from '../../src/istio/pod-context.js';
import { defaultPodConfig } from '../../src/istio/config.js';
import { resolveFlow } from '../../src/istio/flow.js';
import { DEFAULT_MAX_HOPS, traceFlow } from '../../src/istio/trace-flow.js';
import { goldenFiles, goldenTags, standardFlows } from '../helpers/istio-goldens.js';

const ROOT = path.join(import.meta.dirname, '../..');
/** An unknown the tool may leave: an owner name the file cannot resolve (needs --user/--group). */
const OWNER_NAME_UNKNOWN = /(user|group) name|--(user|group)\b/i;

const counts = new Map<string, { files: number; flows: number }>();
afterAll(() => {
  const parts = [...counts].map(([tag, c]) => `${tag} ${c.files} files/${c.flows} flows`);
  console.log(`[istio goldens] traced: ${parts.join(', ')}`);
});

for (const tag of goldenTags(ROOT)) {
  describe(`Istio ${tag} goldens trace the standard flows`, () => {
    for (const rel of goldenFiles(ROOT, tag)) {
      it(rel, () => {
        const file = `test/data/istio-goldens/${tag}/${rel}`;
        const ctx = podContext(loadRulesText(readFileSync(path.join(ROOT, file), 'utf8'), file, file), defaultPodConfig());
        const flows = standardFlows(ctx.pod, ctx.ruleset.families.ipv6 !== undefined);
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
