/**
 * Istio's own golden files against the kernel: each distinct golden is loaded as it is, its
 * proxy identity and ports inferred from the file alone, and the standard flows are simulated
 * and replayed in a throwaway namespace pair. Every hop must agree.
 *
 * CI runs every distinct golden with its standard flows; SIDECAR_TRACE_GOLDEN_LIMIT=N runs the
 * first N goldens (for a quick look by hand).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRulesText } from '../../src/cli/load-rules.js';
import { podContext, type PodContext } from '../../src/cli/setup.js';
import { defaultPodConfig } from '../../src/pod/config.js';
import { resolveFlow } from '../../src/pod/flow.js';
import { DEFAULT_MAX_HOPS, traceFlow } from '../../src/pod/trace-flow.js';
import { checkCapabilities, removeStaleNamespaces } from '../../src/verify/index.js';
import { verifyTrace } from '../../src/verify/verify-trace.js';
import { compileVerify, ROOT, type CompiledVerify } from './compile-verify.js';
import { distinctGoldens, standardFlows } from './istio-golden-corpus.js';

const caps = checkCapabilities();
const limit = Number(process.env.SIDECAR_TRACE_GOLDEN_LIMIT) || Infinity;
const corpus = distinctGoldens(ROOT).slice(0, limit);

function contextOf(file: string): PodContext {
  return podContext(parseRulesText(readFileSync(path.join(ROOT, file), 'utf8'), file, file), defaultPodConfig());
}

if (!caps.ok && process.env.CI) {
  describe('differential: Istio goldens', () => it('can run on this machine (required under CI)', () => expect.fail(caps.message)));
} else if (!caps.ok) {
  console.warn(`[test/kernel] differential over Istio's goldens skipped: ${caps.message}`);
  describe.skip(`differential: Istio goldens (skipped: ${caps.message})`, () => it('needs Linux and root', () => undefined));
} else {
  describe("differential: Istio's own goldens, simulation vs kernel", () => {
    let compiled: CompiledVerify;
    let flowsRun = 0;
    beforeAll(async () => {
      await removeStaleNamespaces(caps.tools.ip);
      compiled = compileVerify();
    });
    afterAll(() => {
      compiled?.remove();
      console.log(`[test/kernel] Istio goldens on the kernel: ${corpus.length} distinct goldens, ${flowsRun} flows, every hop compared`);
    });
    for (const golden of corpus) {
      describe(`${golden.file}${golden.sameAs.length > 1 ? ` (= ${golden.sameAs.length - 1} more)` : ''}`, () => {
        const ctx = contextOf(golden.file);
        const flows = standardFlows(ctx.pod, ctx.ruleset.families.ipv6 !== undefined);
        for (const input of flows) {
          it(input.title!, async () => {
            const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', ...input }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
            const v = await verifyTrace(trace, ctx.ruleset, ctx.pod, { standinScript: compiled.standin });
            flowsRun++;
            expect(v.unsupported).toBeUndefined();
            expect(v.hops.flatMap((h) => h.differences)).toEqual([]);
            expect(v.kernelWarnings).toEqual([]);
            expect(v.agree).toBe(true);
          }, 30_000);
        }
      });
    }
  });
}
