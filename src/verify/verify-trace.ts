/** One flow, simulated trace in, kernel comparison out: the path both the CLI and the differential tests take. */
import type { Ruleset } from '../core/ruleset/model.js';
import type { Trace } from '../core/trace.js';
import type { PodConfig } from '../istio/config.js';
import { compareTraces, type Verification } from './compare.js';
import { planFromTrace } from './from-trace.js';
import { runKernelFlow } from './harness.js';
import type { RunOptions } from './plan.js';

export async function verifyTrace(trace: Trace, ruleset: Ruleset, pod: PodConfig, options: RunOptions = {}): Promise<Verification> {
  const planned = planFromTrace(trace, ruleset, pod);
  if (!planned.ok) return { title: trace.flow.title, agree: false, unsupported: planned.reason, hops: [], kernelWarnings: [], cleanup: [] };
  const kernel = await runKernelFlow(planned.plan, options);
  return compareTraces(trace, kernel, planned.plan);
}
