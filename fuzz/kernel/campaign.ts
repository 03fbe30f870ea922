/**
 * Run random cases on the engine and the kernel, P flows at a time (a kernel run is mostly
 * waiting: handshakes, settling), and tally the results. Used by the CLI (main.ts) and the CI
 * sample (test/kernel/random-differential.test.ts).
 */
import type { FlowInput } from '../../src/istio/flow.js';
import type { HopComparison } from '../../src/verify/compare.js';
import { randomCase, type RandomCase, type ShapeChoice } from './cases.js';
import { engineLoad, kernelLoads, replayFlow, type ReplayOptions } from './replay.js';

export interface Disagreement {
  caseIndex: number;
  flowIndex: number;
  case: RandomCase;
  flow: FlowInput;
  cls: string;
  firstDifference: string;
  comparisons: HopComparison[];
}

export interface Tally {
  seed: number;
  ruleSets: number;
  flows: number;
  hopsCompared: number;
  agreements: number;
  disagreements: Disagreement[];
  /** Both refused the rule set (iptables-restore and our loader). */
  refusalsAgreed: number;
  /** One side refused, the other loaded: each is a disagreement about loadability. */
  refusalDisagreements: Array<{ caseIndex: number; side: 'engine refused, kernel loaded' | 'kernel refused, engine loaded'; message: string; case: RandomCase }>;
  skippedUnknown: Array<{ caseIndex: number; reason: string }>;
  unsupported: Array<{ caseIndex: number; reason: string }>;
  errors: Array<{ caseIndex: number; flowIndex: number; message: string }>;
  refusalMessages: string[];
  durationMs: number;
}

export interface CampaignOptions extends ReplayOptions {
  seed: number;
  /** Case indices to run (0-based). */
  indices: number[];
  shape: ShapeChoice;
  parallel: number;
  onProgress?: (done: number, total: number, t: Tally) => void;
}

export async function runCampaign(o: CampaignOptions): Promise<Tally> {
  const t0 = Date.now();
  const t: Tally = {
    seed: o.seed,
    ruleSets: 0,
    flows: 0,
    hopsCompared: 0,
    agreements: 0,
    disagreements: [],
    refusalsAgreed: 0,
    refusalDisagreements: [],
    skippedUnknown: [],
    unsupported: [],
    errors: [],
    refusalMessages: [],
    durationMs: 0,
  };
  const queue = [...o.indices];
  let done = 0;
  const one = async (index: number): Promise<void> => {
    const c = randomCase(o.seed, index, o.shape);
    t.ruleSets++;
    const loaded = engineLoad(c.rules);
    if (!loaded.ok) {
      try {
        const k = await kernelLoads(c.rules, o);
        if (k.loads) t.refusalDisagreements.push({ caseIndex: index, side: 'engine refused, kernel loaded', message: loaded.message, case: c });
        else {
          t.refusalsAgreed++;
          t.refusalMessages.push(`#${index}: engine: ${loaded.message.split('\n')[0]} | kernel: ${k.message.split('\n').slice(1).join(' ').slice(0, 200)}`);
        }
      } catch (err) {
        t.errors.push({ caseIndex: index, flowIndex: -1, message: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    for (const [k, flow] of c.flows.entries()) {
      const out = await replayFlow(c.rules, loaded.engine, flow, o);
      if (out.kind === 'kernel-refused') {
        t.refusalDisagreements.push({ caseIndex: index, side: 'kernel refused, engine loaded', message: out.message, case: c });
        return;
      }
      t.flows++;
      if (out.kind === 'agree') {
        t.agreements++;
        t.hopsCompared += out.hops;
      } else if (out.kind === 'disagree') {
        t.hopsCompared += out.hops;
        t.disagreements.push({ caseIndex: index, flowIndex: k, case: c, flow, cls: out.cls, firstDifference: out.firstDifference, comparisons: out.comparisons });
      } else if (out.kind === 'unknown') t.skippedUnknown.push({ caseIndex: index, reason: out.reason });
      else if (out.kind === 'unsupported') t.unsupported.push({ caseIndex: index, reason: out.reason });
      else t.errors.push({ caseIndex: index, flowIndex: k, message: out.message });
    }
  };
  const worker = async (): Promise<void> => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      await one(index);
      done++;
      o.onProgress?.(done, o.indices.length, t);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.parallel) }, worker));
  // Same input, same report: results in case order, whatever order the workers finished in.
  const byCase = <T extends { caseIndex: number; flowIndex?: number }>(a: T, b: T) => a.caseIndex - b.caseIndex || (a.flowIndex ?? 0) - (b.flowIndex ?? 0);
  t.disagreements.sort(byCase);
  t.refusalDisagreements.sort(byCase);
  t.skippedUnknown.sort(byCase);
  t.unsupported.sort(byCase);
  t.errors.sort(byCase);
  t.refusalMessages.sort((a, b) => Number(a.slice(1, a.indexOf(':'))) - Number(b.slice(1, b.indexOf(':'))));
  t.durationMs = Date.now() - t0;
  return t;
}

export function countBy<T>(items: T[], key: (x: T) => string): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const x of items) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function summaryLines(t: Tally): string[] {
  const lines = [
    `fuzz:kernel: seed ${t.seed}: ${t.ruleSets} rule sets, ${t.flows} flows, ${t.hopsCompared} hops compared in ${(t.durationMs / 1000).toFixed(1)} s (${((t.flows * 60000) / Math.max(1, t.durationMs)).toFixed(1)} flows/min)`,
    `fuzz:kernel: ${t.agreements} flows agree, ${t.disagreements.length} disagree, ${t.skippedUnknown.length} skipped: unknown, ${t.unsupported.length} not replayable, ${t.errors.length} errors`,
    `fuzz:kernel: refusals: ${t.refusalsAgreed} agreed, ${t.refusalDisagreements.length} disagreed`,
  ];
  for (const [cls, n] of countBy(t.disagreements, (d) => d.cls)) lines.push(`  ${n}\tdisagree: ${cls}`);
  for (const [side, n] of countBy(t.refusalDisagreements, (d) => d.side)) lines.push(`  ${n}\trefusal: ${side}`);
  for (const [reason, n] of countBy(t.skippedUnknown, (d) => d.reason.replace(/^hop \d+: /, '').replace(/#\d+/g, '#N'))) lines.push(`  ${n}\tunknown: ${reason.slice(0, 160)}`);
  for (const [reason, n] of countBy(t.unsupported, (d) => d.reason)) lines.push(`  ${n}\tnot replayable: ${reason.slice(0, 160)}`);
  for (const e of t.errors.slice(0, 10)) lines.push(`  error #${e.caseIndex}/${e.flowIndex}: ${e.message.split('\n')[0]!.slice(0, 200)}`);
  return lines;
}
