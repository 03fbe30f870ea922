/**
 * `sidecar-trace diff BEFORE AFTER`: trace a matrix of flows (the built-in one
 * of pod/matrix.ts, or --flows FILE) through two rule sources and print the
 * flows whose route changed (cli/trace-diff.ts says what counts), before → after,
 * with a one-line summary. Exit 0 nothing changed, 1 something did, 2 bad input,
 * like `git diff --exit-code`. Sources: see cli/source-spec.ts.
 */
import { InputError, UsageError } from '../../core/errors.js';
import type { FlowInput } from '../../istio/flow.js';
import { builtinMatrix } from '../../istio/matrix.js';
import { traceFlow } from '../../istio/trace-flow.js';
import { renderDiffJson, renderDiffTable, renderDiffYaml } from '../../render/diff.js';
import { resolveLocated } from '../../analysis/batch.js';
import { rulesetView } from '../../core/trace.js';
import { EXIT_OK } from '../exit.js';
import type { OutputFlags } from '../flags.js';
import { streamFlows, type LocatedFlow } from '../flows-file.js';
import type { CliIo } from '../io.js';
import { DEFAULT_LIMITS } from '../load-rules.js';
import { startProgress } from '../progress.js';
import { loadContext, traceOptions, type PodContext } from '../setup.js';
import * as istio from '../istio-source.js';
import { parseSourceSpec, withAnnotations, type SourceSpec } from '../source-spec.js';
import { compareTraces, diffReport, type DiffEntry } from '../../analysis/trace-diff.js';
import { colorsFor } from '../color-policy.js';

export { DIFF_FORMATS } from '../formats.js';
/** Some flow's route changed. */
export const EXIT_CHANGED = 1;

export interface DiffFlags extends OutputFlags {
  flows?: string;
  podIp?: string[];
  annotation?: string[];
  beforeAnnotation?: string[];
  afterAnnotation?: string[];
  ipset?: string[];
}

interface MatrixFlow {
  /** null: named by the trace's title. */
  name: string | null;
  line: number | null;
  input: FlowInput;
}

function sideSpec(text: string, side: 'BEFORE' | 'AFTER', flags: DiffFlags): SourceSpec {
  const own = side === 'BEFORE' ? flags.beforeAnnotation : flags.afterAnnotation;
  const flag = side === 'BEFORE' ? '--before-annotation' : '--after-annotation';
  let s = parseSourceSpec(text, side);
  s = withAnnotations(s, flags.annotation ?? [], side, '--annotation');
  return withAnnotations(s, own ?? [], side, flag);
}

function loadSide(io: CliIo, s: SourceSpec, side: string, podIp: string[] | undefined, ipset: string[] | undefined): PodContext {
  try {
    return loadContext(io, { ...s.flags, ...(podIp ? { podIp } : {}), ...(ipset ? { ipset } : {}), proto: 'tcp' }, { istio });
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${side} (${s.spec}): ${e.message}`);
    throw e;
  }
}

/** The flows of --flows, one at a time (JSON Lines stream; a YAML list or check file is read whole). */
function* readFlows(io: CliIo, path: string): Generator<MatrixFlow & { locate: LocatedFlow['locate'] }> {
  const file = path === '-' ? '<stdin>' : path;
  // A check file works as a flow list too: its expectations are ignored here.
  for (const batch of streamFlows(io.readInput(path, 'flows', file, DEFAULT_LIMITS.maxBytes), file, ['expect'])) {
    for (let i = 0; i < batch.keys.length; i++) {
      const f = batch.flow(i);
      yield { name: f.input.title ?? null, line: f.line, input: f.input, locate: f.locate };
    }
  }
}

export function runDiff(io: CliIo, beforeText: string, afterText: string, flags: DiffFlags): number {
  const stdinUsers = [beforeText === '-' ? 'BEFORE' : null, afterText === '-' ? 'AFTER' : null, flags.flows === '-' ? '--flows' : null].filter(Boolean);
  if (stdinUsers.length > 1) throw new UsageError(`${stdinUsers.join(' and ')} both read stdin ("-"): give at most one`);
  const opts = traceOptions(flags);
  const beforeSpec = sideSpec(beforeText, 'BEFORE', flags);
  const afterSpec = sideSpec(afterText, 'AFTER', flags);
  const before = loadSide(io, beforeSpec, 'BEFORE', flags.podIp, flags.ipset);
  const after = loadSide(io, afterSpec, 'AFTER', flags.podIp, flags.ipset);
  const matrix: MatrixFlow[] | null = flags.flows
    ? null
    : builtinMatrix({ ipv4: before.pod.ipv4.text, ipv6: before.pod.ipv6?.text ?? null }).map((input) => ({ name: input.title!, line: null, input }));
  const flows: Iterable<MatrixFlow & { locate?: LocatedFlow['locate'] }> = matrix ?? readFlows(io, flags.flows!);
  const file = flags.flows === '-' ? '<stdin>' : flags.flows;
  // A flow of a file: errors at the record's line and the field's column.
  const locate = (f: MatrixFlow & { locate?: LocatedFlow['locate'] }) => (key: string | null, message: string) => {
    const at = f.locate?.(key);
    return new InputError(message, file ?? 'built-in matrix', at?.line ?? f.line, at?.col ?? null);
  };
  // A flow resolves against the pod's addresses only; when both sides model the same pod, resolve it once.
  const samePod = [before.pod, after.pod].map((p) => `${p.ipv4.text} ${p.ipv6?.text ?? ''} ${p.inboundBind6.text}`).reduce((a, b) => (a === b ? a : ''));
  const changed: DiffEntry[] = [];
  const progress = startProgress(io, matrix ? matrix.length : null, 'diff');
  let count = 0;
  try {
    for (const f of flows) {
      const input: FlowInput = { proto: 'tcp', ...f.input };
      const flowA = resolveLocated(input, before.pod, locate(f));
      const flowB = samePod ? flowA : resolveLocated(input, after.pod, locate(f));
      const a = traceFlow(before.ruleset, before.pod, before.host, flowA, opts);
      const b = traceFlow(after.ruleset, after.pod, after.host, flowB, opts);
      const entry = compareTraces(f.name, f.line, a, b);
      if (entry) changed.push(entry);
      progress.tick(++count);
    }
  } finally {
    progress.stop();
  }
  const report = diffReport(
    { spec: beforeSpec.spec, ruleset: rulesetView(before.ruleset) },
    { spec: afterSpec.spec, ruleset: rulesetView(after.ruleset) },
    file ?? 'built-in matrix',
    count,
    changed,
  );
  switch (flags.format) {
    case 'json':
      io.stdout(renderDiffJson(report));
      break;
    case 'yaml':
      io.stdout(renderDiffYaml(report));
      break;
    default:
      io.stdout(renderDiffTable(report, { colors: colorsFor(io, flags), ascii: Boolean(flags.ascii) }));
  }
  return changed.length ? EXIT_CHANGED : EXIT_OK;
}
