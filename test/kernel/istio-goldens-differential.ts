/**
 * Istio's own golden files against the kernel: each distinct golden is loaded as it is, its
 * proxy identity and ports inferred from the file alone, and its standard flows are simulated
 * and replayed in a throwaway namespace pair. Every hop must agree, except the flows listed in
 * test/data/istio-goldens/known-kernel-disagreements.json, which must disagree (the list is exact).
 *
 * The corpus is split over PARTS test files (differential-istio-goldens-I-of-PARTS.test.ts) so
 * that vitest runs them side by side. By default (CI) each golden runs CI_FLOWS_PER_GOLDEN of its
 * flows, chosen round-robin across the corpus, plus any listed disagreement. By hand:
 *   SIDECAR_TRACE_GOLDEN_FLOWS=all    every flow of every golden
 *   SIDECAR_TRACE_GOLDEN_SHARD=i/n    only goldens i, i+n, i+2n, ... (1-based), to split a run over processes
 *   SIDECAR_TRACE_GOLDEN_LIMIT=N      only the first N goldens
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRulesText } from '../../src/sources/rule-text.js';
import { podContext, type PodContext } from '../../src/istio/pod-context.js';
import { defaultPodConfig } from '../../src/istio/config.js';
import { resolveFlow } from '../../src/istio/flow.js';
import { DEFAULT_MAX_HOPS, traceFlow } from '../../src/istio/trace-flow.js';
import { checkCapabilities, removeStaleNamespaces } from '../../src/verify/index.js';
import { verifyTrace } from '../../src/verify/verify-trace.js';
import { compileVerify, ROOT, type CompiledVerify } from './compile-verify.js';
import { distinctGoldens, FLOW_KINDS, knownDisagreements, ownerNames, parseShard, roundRobinSubset, standardFlows, type StandardFlow } from '../helpers/istio-goldens.js';

export const PARTS = 4;
export const CI_FLOWS_PER_GOLDEN = 2;

const caps = checkCapabilities();

/** The pod as a user would describe it: the ids of the owner names some goldens use (--group NAME=ID). */
function contextOf(file: string): PodContext {
  const base = defaultPodConfig();
  const names = ownerNames(ROOT);
  base.owners = { users: new Map(Object.entries(names.users)), groups: new Map(Object.entries(names.groups)) };
  return podContext(loadRulesText(readFileSync(path.join(ROOT, file), 'utf8'), file, file), base);
}

interface Planned {
  file: string;
  sameAs: string[];
  ctx: PodContext;
  flows: StandardFlow[];
}

/** The whole corpus with the flows this run checks, before it is split into parts; `full`: every flow. */
function plannedCorpus(): { planned: Planned[]; full: Planned[]; all: boolean } {
  const limit = Number(process.env.SIDECAR_TRACE_GOLDEN_LIMIT) || Infinity;
  const all = process.env.SIDECAR_TRACE_GOLDEN_FLOWS === 'all';
  const known = knownDisagreements(ROOT);
  const corpus = distinctGoldens(ROOT).map((g) => {
    const ctx = contextOf(g.file);
    return { ...g, ctx, flows: standardFlows(ctx.pod, ctx.ruleset.families.ipv6 !== undefined) };
  });
  const chosen = all ? corpus.map((g) => g.flows) : roundRobinSubset(corpus.map((g) => g.flows), CI_FLOWS_PER_GOLDEN, (i, kind) => known.some((k) => k.golden === corpus[i]!.file && k.kind === kind));
  return { planned: corpus.map((g, i) => ({ ...g, flows: chosen[i]! })).slice(0, limit), full: corpus, all };
}

/** The goldens of part `part` (1-based) of PARTS, after SIDECAR_TRACE_GOLDEN_SHARD. */
export function goldenDifferentialPart(part: number): void {
  if (!caps.ok && process.env.CI) {
    describe(`differential: Istio goldens part ${part}/${PARTS}`, () => it('can run on this machine (required under CI)', () => expect.fail(caps.message)));
    return;
  }
  if (!caps.ok) {
    console.warn(`[test/kernel] differential over Istio's goldens skipped: ${caps.message}`);
    describe.skip(`differential: Istio goldens (skipped: ${caps.message})`, () => it('needs Linux and root', () => undefined));
    return;
  }
  const shard = parseShard(process.env.SIDECAR_TRACE_GOLDEN_SHARD);
  const { planned, full, all } = plannedCorpus();
  const mine = planned.filter((_, i) => i % shard.count === shard.index - 1).filter((_, i) => i % PARTS === part - 1);
  const known = knownDisagreements(ROOT);
  describe(`differential: Istio's own goldens, simulation vs kernel (part ${part}/${PARTS}, ${all ? 'every flow' : 'CI subset'})`, () => {
    let compiled: CompiledVerify;
    let flowsRun = 0;
    let disagreed = 0;
    beforeAll(async () => {
      await removeStaleNamespaces(caps.tools.ip);
      compiled = compileVerify();
    });
    afterAll(() => {
      compiled?.remove();
      const flows = mine.reduce((n, g) => n + g.flows.length, 0);
      console.log(`[test/kernel] Istio goldens on the kernel, part ${part}/${PARTS} (${all ? 'every flow' : `CI subset, ${CI_FLOWS_PER_GOLDEN} flows a golden round-robin`}): ${mine.length} distinct goldens, ${flowsRun}/${flows} flows replayed, ${disagreed} known disagreements confirmed`);
    });
    for (const golden of mine) {
      describe(`${golden.file}${golden.sameAs.length > 1 ? ` (= ${golden.sameAs.length - 1} more)` : ''}`, () => {
        const { ctx } = golden;
        for (const { kind, ...input } of golden.flows) {
          const listed = known.find((k) => k.golden === golden.file && k.kind === kind);
          it(`${input.title}${listed ? ' (known disagreement)' : ''}`, async () => {
            const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', ...input }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
            const v = await verifyTrace(trace, ctx.ruleset, ctx.pod, { standinScript: compiled.standin });
            flowsRun++;
            expect(v.unsupported).toBeUndefined();
            if (listed) {
              // Listed: it must still disagree; when it agrees, the entry goes from the list.
              expect(v.agree, `listed as a known disagreement (${listed.reason}) but the kernel now agrees: remove it from the list`).toBe(false);
              disagreed++;
              return;
            }
            expect(v.hops.flatMap((h) => h.differences)).toEqual([]);
            expect(v.kernelWarnings).toEqual([]);
            expect(v.agree).toBe(true);
          }, 30_000);
        }
      });
    }
    if (part === 1) {
      it('the list of known disagreements names real goldens and flows, each run in every mode', () => {
        for (const k of known) {
          const g = full.find((c) => c.file === k.golden);
          expect(g, k.golden).toBeDefined();
          expect(g!.flows.map((f) => f.kind), k.golden).toContain(k.kind);
          expect(k.reason.length).toBeGreaterThan(20);
        }
      });
      it('the CI subset covers every flow kind across the corpus', () => {
        const subset = roundRobinSubset(full.map((g) => g.flows), CI_FLOWS_PER_GOLDEN);
        const covered = new Set(subset.flat().map((f) => f.kind));
        expect([...covered].sort()).toEqual([...FLOW_KINDS].sort());
        expect(subset.every((flows) => flows.length === CI_FLOWS_PER_GOLDEN)).toBe(true);
      });
    }
  });
}
