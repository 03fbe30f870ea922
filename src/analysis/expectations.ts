/**
 * What a check file promises about a flow, and whether a Trace keeps the promise.
 * Pure: a Trace and an Expectation in, results out; no I/O, no engine calls.
 *
 *   via        the Envoy capture listeners the flow passed through, in order: the
 *              roles (envoy-outbound, envoy-inbound) of the hops delivered to them;
 *              "none" (or []) when Envoy captured nothing. Exact sequence.
 *   decidedBy  hop N's deciding rule (Hop.decidedBy; hop 1 unless `hop` is given):
 *              chain, and when given table and rule (a number, or "policy").
 *   outcome    the last hop's outcome type (delivered, egress, dropped, rejected, …).
 *   path       the path line, exactly; ASCII arrows (->) are accepted.
 *   hops       per hop (position, or `hop: N`): steps in the kernel-traces
 *              notation (render/notation.ts), outcome, listener (a role such as
 *              envoy-outbound, or the listener label such as "Envoy outbound (15001)"),
 *              decidedBy.
 *
 * With random endpoint picks (-m statistic) the expectations apply to the main hops,
 * alternative 1 (or the one --pick chooses).
 *
 * The results are listed in a fixed order (via, decidedBy, outcome, path, then each
 * hop's decidedBy, outcome, listener, steps), whatever the file's key order.
 */
import { SCHEMA_VERSION, type Hop, type OutcomeType, type RulesetView, type Trace } from '../core/trace.js';
import { stepNotation } from './step-notation.js';

export const VIA_ROLES = ['envoy-outbound', 'envoy-inbound'] as const;
export type ViaRole = (typeof VIA_ROLES)[number];

export const OUTCOME_TYPES: readonly OutcomeType[] = ['delivered', 'egress', 'dropped', 'rejected', 'forwarded', 'unknown', 'hop-limit', 'budget'];

export interface RuleExpectation {
  table: string | null;
  chain: string;
  /** A rule number, "policy" (a built-in chain's policy decided), or null (any rule of the chain). */
  rule: number | 'policy' | null;
}

export interface DecidedByExpectation extends RuleExpectation {
  hop: number;
}

export interface HopExpectation {
  hop: number;
  decidedBy?: RuleExpectation;
  outcome?: OutcomeType;
  listener?: string;
  steps?: string[];
}

export interface Expectation {
  via?: ViaRole[];
  decidedBy?: DecidedByExpectation;
  outcome?: OutcomeType;
  path?: string;
  hops?: HopExpectation[];
}

/** One checked promise. `expected`/`actual` are display strings, or step lists for `hop N steps`. */
export interface ExpectationResult {
  name: string;
  pass: boolean;
  expected: string | string[];
  actual: string | string[];
}

export const ARROW_ASCII = / -> /g;

/** Path lines compare in the blog's notation; the check file may spell the arrows in ASCII. */
export function normalizePath(path: string): string {
  return path.trim().replace(/\s+/g, ' ').replace(ARROW_ASCII, ' → ');
}

/** Step notation compares with runs of blanks collapsed. */
export function normalizeStep(step: string): string {
  return step.trim().replace(/\s+/g, ' ');
}

export function viaOf(trace: Trace): ViaRole[] {
  return trace.hops
    .filter((h) => h.outcome.type === 'delivered' && (VIA_ROLES as readonly string[]).includes(h.outcome.role ?? ''))
    .map((h) => h.outcome.role as ViaRole);
}

const viaText = (roles: readonly string[]) => (roles.length ? roles.join(', ') : 'none');

function ruleText(r: { table: string | null; chain: string; rule: number | 'policy' | null }, withTable: boolean): string {
  const table = withTable && r.table ? `${r.table} ` : '';
  const rule = r.rule === 'policy' ? ' policy' : r.rule === null ? '' : ` rule ${r.rule}`;
  return `${table}${r.chain}${rule}`;
}

function missingHop(trace: Trace, n: number): string {
  return `(no hop ${n}: the trace has ${trace.hops.length} hop${trace.hops.length === 1 ? '' : 's'})`;
}

function checkDecidedBy(name: string, trace: Trace, hopIndex: number, want: RuleExpectation): ExpectationResult {
  const expected = `hop ${hopIndex}: ${ruleText(want, true)}`;
  const hop = trace.hops[hopIndex - 1];
  if (!hop) return { name, pass: false, expected, actual: missingHop(trace, hopIndex) };
  const got = hop.decidedBy;
  if (!got) return { name, pass: false, expected, actual: `hop ${hopIndex}: (no rule decided)` };
  const gotRule: number | 'policy' = got.rule === null ? 'policy' : got.rule;
  const pass = got.chain === want.chain && (want.table === null || want.table === got.table) && (want.rule === null || want.rule === gotRule);
  // The actual side is spelled like the expected one (table only when the file names it), so the two lines align.
  const actual = `hop ${hopIndex}: ${ruleText({ table: got.table, chain: got.chain, rule: gotRule }, want.table !== null)}`;
  return { name, pass, expected, actual };
}

function listenerOf(hop: Hop, byRole: boolean): string {
  const o = hop.outcome;
  if (o.type !== 'delivered') return `(not delivered: ${o.type})`;
  return (byRole ? o.role : o.listener) ?? '(unnamed listener)';
}

/** A listener expectation naming a role (lower-case, dashes) compares with the role, else with the label. */
export function isRoleName(text: string): boolean {
  return /^[a-z][a-z0-9-]*$/.test(text);
}

export function evaluate(trace: Trace, e: Expectation): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const last = trace.hops[trace.hops.length - 1];
  if (e.via) {
    const actual = viaOf(trace);
    out.push({ name: 'via', pass: viaText(actual) === viaText(e.via), expected: viaText(e.via), actual: viaText(actual) });
  }
  if (e.decidedBy) out.push(checkDecidedBy('decidedBy', trace, e.decidedBy.hop, e.decidedBy));
  if (e.outcome) {
    const actual = last ? last.outcome.type : '(no hops)';
    out.push({ name: 'outcome', pass: actual === e.outcome, expected: e.outcome, actual });
  }
  if (e.path !== undefined) {
    const expected = normalizePath(e.path);
    out.push({ name: 'path', pass: expected === trace.path, expected, actual: trace.path });
  }
  for (const h of e.hops ?? []) {
    const hop = trace.hops[h.hop - 1];
    const prefix = `hop ${h.hop}`;
    if (h.decidedBy) out.push(checkDecidedBy(`${prefix} decidedBy`, trace, h.hop, h.decidedBy));
    if (h.outcome) {
      const actual = hop ? hop.outcome.type : missingHop(trace, h.hop);
      out.push({ name: `${prefix} outcome`, pass: actual === h.outcome, expected: h.outcome, actual });
    }
    if (h.listener !== undefined) {
      const actual = hop ? listenerOf(hop, isRoleName(h.listener)) : missingHop(trace, h.hop);
      out.push({ name: `${prefix} listener`, pass: actual === h.listener, expected: h.listener, actual });
    }
    if (h.steps) {
      const expected = h.steps.map(normalizeStep);
      const actual = hop ? hop.steps.map((s) => stepNotation(s, hop.family)) : [missingHop(trace, h.hop)];
      const pass = Boolean(hop) && expected.length === actual.length && expected.every((s, i) => s === actual[i]);
      out.push({ name: `${prefix} steps`, pass, expected, actual });
    }
  }
  return out;
}

/** One flow of a check run, in output order. */
export interface FlowCheck {
  name: string;
  /** Where the flow is in the check file. */
  line: number;
  title: string;
  pass: boolean;
  path: string;
  expectations: ExpectationResult[];
}

export interface CheckReport {
  schemaVersion: number;
  kind: 'check';
  file: string;
  ruleset: RulesetView;
  summary: { flows: number; passed: number; failed: number };
  flows: FlowCheck[];
}

/** `title` describes the flow (addresses, uid); default the trace's title. */
export function flowCheck(name: string, line: number, trace: Trace, e: Expectation, title = trace.flow.title): FlowCheck {
  const expectations = evaluate(trace, e);
  return { name, line, title, pass: expectations.every((r) => r.pass), path: trace.path, expectations };
}

/** The report every check format renders; field order here is the JSON/YAML order. */
export function checkReport(file: string, ruleset: RulesetView, flows: FlowCheck[]): CheckReport {
  const passed = flows.filter((f) => f.pass).length;
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'check',
    file,
    ruleset,
    summary: { flows: flows.length, passed, failed: flows.length - passed },
    flows,
  };
}
