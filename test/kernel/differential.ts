/** Shared body of the differential suites (the table: differential-suites.ts): simulate, replay on the kernel, compare. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRulesText } from '../../src/sources/rule-text.js';
import { podContext } from '../../src/istio/pod-context.js';
import { defaultPodConfig } from '../../src/istio/config.js';
import { inboundToLocalhost } from '../../src/istio/envoy.js';
import { istioMinorOfProfile } from '../../src/istio/rule-source.js';
import { resolveFlow, type FlowInput } from '../../src/istio/flow.js';
import { DEFAULT_MAX_HOPS, traceFlow } from '../../src/istio/trace-flow.js';
import { checkCapabilities, removeStaleNamespaces } from '../../src/verify/index.js';
import { verifyTrace } from '../../src/verify/verify-trace.js';
import { compileVerify, ROOT, type CompiledVerify } from './compile-verify.js';
import { PARTS, SUITES, suitesOfPart } from './differential-suites.js';

const caps = checkCapabilities();

/**
 * A flow of a differential suite. `kernelSteps`: step notations (e.g. "raw ISTIO_OUTPUT_DNS#2 CT")
 * that must each start some step the kernel reported, so a suite can insist that a rule it is
 * about really took part, not only that both sides agree.
 */
export type DifferentialFlow = FlowInput & { kernelSteps?: string[] };

/** `profile` names a file in rules/ (NAME.rules) or a path relative to the project root. */
export function differentialSuite(profile: string, flows: DifferentialFlow[]): void {
  if (!caps.ok && process.env.CI) {
    describe(`differential ${profile}`, () => it('can run on this machine (required under CI)', () => expect.fail(caps.message)));
    return;
  }
  if (!caps.ok) {
    console.warn(`[test/kernel] differential ${profile} skipped: ${caps.message}`);
    describe.skip(`differential ${profile} (skipped: ${caps.message})`, () => it('needs Linux and root', () => undefined));
    return;
  }
  describe(`differential: ${profile}, simulation vs kernel`, () => {
    let compiled: CompiledVerify;
    const file = profile.includes('/') ? profile : path.join('rules', `${profile}.rules`);
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const base = defaultPodConfig();
    // As `verify --profile istio-1.N` does: the Envoy rule of the profile's Istio version.
    base.inboundToLocalhost = inboundToLocalhost(istioMinorOfProfile(path.basename(file, '.rules')));
    const ctx = podContext(loadRulesText(text, file, file), base);
    beforeAll(async () => {
      await removeStaleNamespaces(caps.ok ? caps.tools.ip : 'ip');
      compiled = compileVerify();
    });
    afterAll(() => compiled?.remove());
    for (const { kernelSteps, ...input } of flows) {
      it(input.title ?? JSON.stringify(input), async () => {
        const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', ...input }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
        const v = await verifyTrace(trace, ctx.ruleset, ctx.pod, { standinScript: compiled.standin });
        expect(v.unsupported).toBeUndefined();
        expect(v.hops.flatMap((h) => h.differences)).toEqual([]);
        expect(v.kernelWarnings).toEqual([]);
        expect(v.agree).toBe(true);
        const seen = v.hops.flatMap((h) => h.kernel?.steps ?? []);
        for (const want of kernelSteps ?? []) expect(seen.filter((s) => s.startsWith(want)), `kernel step ${want}`).not.toEqual([]);
      }, 30_000);
    }
  });
}

/** Part `part` (1-based) of the table of suites, with a line saying what it runs. */
export function differentialSuites(part: number): void {
  const suites = suitesOfPart(part);
  const flows = suites.reduce((n, s) => n + s.flows.length, 0);
  const total = SUITES.reduce((n, s) => n + s.flows.length, 0);
  console.log(`kernel differential, part ${part}/${PARTS}: ${suites.length} rule sets, ${flows} flows (all parts: ${SUITES.length} rule sets, ${total} flows)`);
  for (const s of suites) differentialSuite(s.profile, s.flows);
}
