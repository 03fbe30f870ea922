/**
 * One measurement in a fresh process (so peak memory is this dump's alone):
 *   node bench/.out/measure.js FILE FLOWS.json WARM_MS   (warm-up WARM_MS/2, then a WARM_MS window)
 * prints one JSON line: parse time (extract + load), time to the first trace
 * (pod inference + one traced flow), steady-state traces per second on the
 * warm rule set, and peak RSS after the first trace and at the end.
 *
 * Imports resolve to dist/ (see bench/build.mjs): this measures the build.
 */
import { readFileSync } from 'node:fs';
import { loadRulesText } from '../src/sources/rule-text.js';
import { LazyRule } from '../src/sources/iptables/fast/lazy-rule.js';
import type { Ruleset } from '../src/core/ruleset/model.js';
import { podContext } from '../src/istio/pod-context.js';
import { defaultPodConfig } from '../src/istio/config.js';
import { resolveFlow, type Flow } from '../src/istio/flow.js';
import { traceFlow, type TraceOptions } from '../src/istio/trace-flow.js';

export interface MeasureResult {
  file: string;
  rules: number;
  readMs: number;
  parseMs: number;
  firstTraceMs: number;
  /** Outcome of the first trace, to show the trace went somewhere. */
  firstOutcome: string;
  tracesPerSec: number;
  warmTraces: number;
  /** Rules parsed when the first trace is done (large dumps load lazily: the rest are only outlined). */
  parsedAfterFirst: number;
  /** Max RSS after parse + first trace, in MB. */
  rssAfterFirstMb: number;
  /** Max RSS at the end (includes the warm loop), in MB. */
  rssPeakMb: number;
  heapUsedMb: number;
}

/** How many rules have been parsed: every eager rule, and the lazy ones something read. */
function parsedRules(rs: Ruleset): number {
  let n = 0;
  for (const fr of Object.values(rs.families)) {
    for (const t of fr!.tables.values()) for (const c of t.chains.values()) for (const r of c.rules) if (!(r instanceof LazyRule) || r.parsed) n++;
  }
  return n;
}

const [file, flowsFile, warmText] = process.argv.slice(2);
if (!file || !flowsFile) {
  process.stderr.write('usage: measure FILE FLOWS.json [WARM_MS]\n');
  process.exit(2);
}
const warmMs = Number(warmText ?? 2000);
const dsts = JSON.parse(readFileSync(flowsFile, 'utf8')) as string[];

const t0 = performance.now();
const text = readFileSync(file, 'utf8');
const t1 = performance.now();
const ruleset = loadRulesText(text, file, file);
const t2 = performance.now();
const ctx = podContext(ruleset, defaultPodConfig());
const opts: TraceOptions = { unknown: 'stop', explain: false, maxHops: 8 };
const first = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ dst: dsts[0]! }, ctx.pod), opts, ctx.notes);
const t3 = performance.now();
const parsedAfterFirst = parsedRules(ruleset);
const rssAfterFirst = process.resourceUsage().maxRSS / 1024;

let rules = 0;
for (const fr of Object.values(ruleset.families)) for (const t of fr!.tables.values()) for (const c of t.chains.values()) rules += c.rules.length;

const flows: Flow[] = dsts.map((dst, i) => resolveFlow({ dst, uid: i % 7 === 0 ? 1337 : 1000 }, ctx.pod));
// Warm up (half the window, so the JIT has optimised the engine), then count traces in a fixed time window.
{
  const until = performance.now() + warmMs / 2;
  for (let i = 0; i < 200 || performance.now() < until; i++) traceFlow(ctx.ruleset, ctx.pod, ctx.host, flows[i % flows.length]!, opts);
}
let n = 0;
const start = performance.now();
let now = start;
while (now - start < warmMs) {
  for (let k = 0; k < 50; k++) traceFlow(ctx.ruleset, ctx.pod, ctx.host, flows[(n + k) % flows.length]!, opts);
  n += 50;
  now = performance.now();
}
const elapsed = now - start;

const hop = first.hops.at(-1);
const result: MeasureResult = {
  file,
  rules,
  readMs: t1 - t0,
  parseMs: t2 - t1,
  firstTraceMs: t3 - t2,
  firstOutcome: hop ? `${first.hops.length} hop(s), ${hop.steps.length} steps, ${hop.outcome.type}` : 'no hops',
  tracesPerSec: (n / elapsed) * 1000,
  warmTraces: n,
  parsedAfterFirst,
  rssAfterFirstMb: rssAfterFirst,
  rssPeakMb: process.resourceUsage().maxRSS / 1024,
  heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
