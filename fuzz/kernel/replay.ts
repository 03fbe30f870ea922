/**
 * One random case on both sides: the engine loads the rule text and traces each flow
 * (traceFlow), the kernel loads the same text with iptables-restore and replays the flow
 * (the verify harness: its own namespaces), and the two are compared hop by hop
 * (src/verify/compare.ts), as test/kernel/differential.ts does. The kernel is given the rule
 * text itself, not the engine's re-save of it, so the engine's reading of the text is tested too.
 */
import { InputError } from '../../src/core/errors.js';
import type { Ruleset } from '../../src/core/ruleset/model.js';
import type { Trace } from '../../src/core/trace.js';
import { defaultPodConfig, type PodConfig } from '../../src/istio/config.js';
import { resolveFlow, type FlowInput } from '../../src/istio/flow.js';
import { inferPod } from '../../src/istio/infer.js';
import { buildPodHost } from '../../src/istio/pod-host.js';
import { DEFAULT_MAX_HOPS, traceFlow } from '../../src/istio/trace-flow.js';
import { extractRuleBlocks } from '../../src/sources/extract.js';
import { loadBlocks } from '../../src/sources/iptables/load.js';
import { compareTraces, type HopComparison } from '../../src/verify/compare.js';
import { planFromTrace } from '../../src/verify/from-trace.js';
import { runKernelFlow } from '../../src/verify/harness.js';
import type { KernelPlan } from '../../src/verify/plan.js';
import { renderRuleSet, renderTables, type RuleSetText } from './ruleset-text.js';

export const RULES_FILE = 'random.rules';

export interface EngineSide {
  ruleset: Ruleset;
  pod: PodConfig;
  notes: string[];
}

export type EngineLoad = { ok: true; engine: EngineSide } | { ok: false; message: string };

/** The engine's reading of the text, with the pod model inferred from it (as `verify --rules` does). */
export function engineLoad(rules: RuleSetText): EngineLoad {
  const text = renderRuleSet(rules);
  try {
    const extracted = extractRuleBlocks(text, RULES_FILE);
    const ruleset = loadBlocks(extracted.blocks, { name: RULES_FILE, format: extracted.format }, RULES_FILE, extracted.notes);
    const inferred = inferPod(ruleset, defaultPodConfig());
    return { ok: true, engine: { ruleset, pod: inferred.pod, notes: inferred.notes } };
  } catch (err) {
    if (err instanceof InputError) return { ok: false, message: err.format() };
    return { ok: false, message: `engine crashed while loading: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` };
  }
}

export type FlowOutcome =
  | { kind: 'agree'; hops: number }
  | { kind: 'disagree'; hops: number; comparisons: HopComparison[]; firstDifference: string; cls: string }
  /** The engine's trace is unknown for a reason it states (an unmodelled case): not an agreement. */
  | { kind: 'unknown'; reason: string }
  /** The trace cannot be replayed by the harness (a loop through one listener, forwarding …). */
  | { kind: 'unsupported'; reason: string }
  /** The engine loaded the rules, iptables-restore refused them. */
  | { kind: 'kernel-refused'; message: string }
  /** The engine threw while tracing, or the harness failed for another reason. */
  | { kind: 'error'; message: string };

function unknownReason(trace: Trace): string | null {
  for (const h of trace.hops) {
    const s = h.steps.find((x) => x.verdict === 'unknown');
    if (s) return `hop ${h.index}: ${s.reason ?? 'unknown verdict'} (${s.table} ${s.chain}${s.rule ? `#${s.rule}` : ''})`;
    if (h.outcome.type === 'unknown') return `hop ${h.index}: ${h.outcome.detail ?? 'unknown outcome'}`;
  }
  return null;
}

/** The kernel's rules: exactly the text the engine read, one restore input per family. */
export function kernelRules(rules: RuleSetText): KernelPlan['rules'] {
  const out: KernelPlan['rules'] = { ipv4: renderTables(rules.ipv4) };
  if (rules.ipv6) out.ipv6 = renderTables(rules.ipv6);
  return out;
}

const isRestoreError = (message: string): boolean => /ip6?tables(-nft|-legacy)?-restore:/.test(message.split('\n')[0] ?? '');

/**
 * A short name for the kind of disagreement, for grouping: the first differing item with
 * rule numbers, addresses and ports taken out ("hop2 end: simulated delivered, kernel no listener reached").
 */
export function classOf(c: HopComparison): string {
  const d = c.differences[0] ?? '';
  const generic = d
    .replace(/#\d+/g, '#N')
    .replace(/\[[0-9a-f:]+\](:\d+)?/g, 'ADDR')
    .replace(/\d+\.\d+\.\d+\.\d+(:\d+)?/g, 'ADDR')
    .replace(/:\d+/g, ':PORT')
    .replace(/^step \d+/, 'step');
  // The harness finds who accepted a connection by its original source address and port; after
  // an SNAT or MASQUERADE the listener sees another source, so "no listener reached" may only mean
  // "not attributed". Such ends are classed apart, to be read with that in mind.
  const rewritten = d.startsWith('end:') && (c.kernel?.steps ?? []).some((s) => /\b(SNAT|MASQUERADE)\(/.test(s));
  return `${c.index === 1 ? 'hop1' : 'later hop'} ${rewritten ? '(source rewritten) ' : ''}${generic}`;
}

export interface ReplayOptions {
  standinScript: string;
}

export async function replayFlow(rules: RuleSetText, engine: EngineSide, input: FlowInput, options: ReplayOptions): Promise<FlowOutcome> {
  let trace: Trace;
  try {
    const flow = resolveFlow({ proto: 'tcp', ...input }, engine.pod);
    trace = traceFlow(engine.ruleset, engine.pod, buildPodHost(engine.pod), flow, { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, [...engine.notes]);
  } catch (err) {
    return { kind: 'error', message: `engine failed to trace: ${err instanceof Error ? err.message : String(err)}` };
  }
  const unknown = unknownReason(trace);
  if (unknown) return { kind: 'unknown', reason: unknown };
  const planned = planFromTrace(trace, engine.ruleset, engine.pod);
  if (!planned.ok) return { kind: 'unsupported', reason: planned.reason };
  const plan = { ...planned.plan, rules: kernelRules(rules) };
  try {
    const kernel = await runKernelFlow(plan, { standinScript: options.standinScript });
    const v = compareTraces(trace, kernel, plan);
    if (v.agree) return { kind: 'agree', hops: v.hops.length };
    const first = v.hops.find((h) => !h.agree)!;
    return { kind: 'disagree', hops: v.hops.length, comparisons: v.hops, firstDifference: `hop ${first.index}: ${first.differences.join('; ')}`, cls: classOf(first) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return isRestoreError(message) ? { kind: 'kernel-refused', message } : { kind: 'error', message };
  }
}

/** For rules the engine refused: does iptables-restore load them? (A trivial flow, no listeners.) */
export async function kernelLoads(rules: RuleSetText, options: ReplayOptions): Promise<{ loads: boolean; message: string }> {
  const plan: KernelPlan = { rules: kernelRules(rules), listeners: [], start: { ns: 'pod', proto: 'udp', dst: '10.244.2.7', dport: 9, uid: 0, gid: 0 } };
  try {
    await runKernelFlow(plan, { standinScript: options.standinScript });
    return { loads: true, message: '' };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (isRestoreError(message)) return { loads: false, message };
    throw err;
  }
}
