/**
 * Whether a flow's route changed between two rule sources, and the report of
 * `sidecar-trace diff`. Pure: Traces in, data out.
 *
 * A flow has changed when its route differs, not its rule numbers: the path line
 * with "RULE n" taken out (the chains, hooks, Envoy listeners and receivers in
 * order), and each hop's deciding rule as what it does (hook, table, chain,
 * verdict and target, e.g. "OUTPUT nat ISTIO_OUTPUT RETURN"; a policy counts as
 * "policy:ACCEPT" whichever built-in chain it was) and the hop's outcome. So a rule inserted above (excludeOutboundPorts adds two to
 * ISTIO_OUTPUT) renumbers the others without changing every flow, while a
 * flow that a different kind of rule now decides, or that now enters a chain,
 * has changed. With random endpoint picks (-m statistic) every alternative's path
 * and probability counts too. The report shows the full paths and deciding rules
 * (of the main hops, alternative 1), numbers included.
 */
import { SCHEMA_VERSION, type Hop, type RulesetView, type Trace } from '../core/trace.js';
import { stepNotation } from './step-notation.js';

function decidingStep(hop: Hop): string {
  const d = hop.decidedBy;
  if (!d) return 'undecided';
  const s = hop.steps.find((x) => x.table === d.table && x.chain === d.chain && x.rule === d.rule && x.kind !== 'return');
  if (!s) return `${d.table} ${d.chain}`;
  // No rule decided: which built-in chain's policy came last depends only on which empty chains a dump declares.
  if (s.kind === 'policy') return `policy:${s.target}`;
  return `${s.hook} ${stepNotation(s, hop.family).replace(/#\d+/, '')}`;
}

/** The route of a trace, independent of rule numbering. */
export function routeKey(t: Trace): string {
  const hops = t.hops.map((h) => `${decidingStep(h)} => ${h.outcome.type}${h.outcome.role ? ` ${h.outcome.role}` : ''}`);
  // Random endpoint picks (-m statistic): every alternative and its probability is part of the route.
  const branches = (t.branches ?? []).map((b) => `branch ${b.index} p=${b.probability}: ${b.path.replace(/ RULE \d+/g, '')} => ${b.outcome.type}`);
  return [t.path.replace(/ RULE \d+/g, ''), ...hops, ...branches].join('\n');
}

export interface DecidedView {
  hop: number;
  table: string;
  chain: string;
  /** null: the chain's policy. */
  rule: number | null;
}

export interface DiffSideView {
  path: string;
  decidedBy: DecidedView[];
}

export interface DiffEntry {
  name: string;
  /** Line of the flow in the --flows file; null for the built-in matrix. */
  line: number | null;
  title: string;
  before: DiffSideView;
  after: DiffSideView;
}

export interface DiffSource {
  spec: string;
  ruleset: RulesetView;
}

export interface DiffReport {
  schemaVersion: number;
  kind: 'diff';
  before: DiffSource;
  after: DiffSource;
  /** "built-in matrix" or the --flows file. */
  flows: string;
  summary: { flows: number; changed: number };
  changed: DiffEntry[];
}

function sideView(t: Trace): DiffSideView {
  return {
    path: t.path,
    decidedBy: t.hops.filter((h) => h.decidedBy).map((h) => ({ hop: h.index, table: h.decidedBy!.table, chain: h.decidedBy!.chain, rule: h.decidedBy!.rule })),
  };
}

/** The entry for a changed flow (named by its title unless `name` is given), or null when its route is the same on both sides. */
export function compareTraces(name: string | null, line: number | null, before: Trace, after: Trace): DiffEntry | null {
  if (routeKey(before) === routeKey(after)) return null;
  return { name: name ?? before.flow.title, line, title: before.flow.title, before: sideView(before), after: sideView(after) };
}

export function diffReport(before: DiffSource, after: DiffSource, flows: string, total: number, changed: DiffEntry[]): DiffReport {
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'diff',
    before,
    after,
    flows,
    summary: { flows: total, changed: changed.length },
    changed,
  };
}
