/**
 * Walk one table's built-in chain for one hook: first-match rule evaluation,
 * jump/goto/RETURN with a call stack, implicit return at the end of a user
 * chain, and the policy as the explicit final step. The recorder is the
 * evaluator's own output, so the trace cannot drift from the evaluation.
 */
import type { EvalCtx } from '../matches/define.js';
import type { Chain, HeaderMatch, Rule, Table } from '../ruleset/model.js';
import { protocolMatches } from '../ruleset/protocols.js';
import type { NatChange } from '../targets/define.js';
import type { Miss, Step, Verdict } from '../trace.js';
import { triAnd, triInvert, type Tri } from '../types.js';
import type { LocalSocket, Packet } from './packet.js';
import { dstCandidates, INDEX_MIN_RULES } from './chain-index.js';
import { inCidr } from './hot-cidr.js';
import { budgetReason, ENTRY_BYTES, unlimitedBudget, type TraceBudget } from './budget.js';

export type UnknownPolicy = 'stop' | 'match' | 'no-match';

/** A rule whose only undecidable part is a probability (`-m statistic`): the caller picks a branch. */
export interface ChancePoint {
  hook: string;
  table: string;
  chain: string;
  rule: number;
  /** Probability that the rule matches. */
  probability: number;
}

export interface WalkOptions {
  unknown: UnknownPolicy;
  explain: boolean;
  /** Decide a chance point: true = the rule matches. Without it, chance points are plain unknowns. */
  decide?: (point: ChancePoint) => boolean;
  /** Shared by every walk of one trace (all hops, all alternatives); without it, no limit. */
  budget?: TraceBudget;
}

export interface WalkResult {
  /** budget: the trace's step or size budget ran out (budget.ts); reason says where. */
  verdict: 'accept' | 'drop' | 'reject' | 'unknown' | 'budget';
  nat?: NatChange;
  socket?: LocalSocket;
  /** Why the walk ended in unknown. */
  reason?: string;
}

export interface Recorder {
  steps: Step[];
  misses: Miss[];
  warnings: string[];
  /** Chance points met on the way, with the branch taken. */
  chances: Array<ChancePoint & { matched: boolean }>;
}

function ifaceMatches(pattern: string, iface: string | null): boolean {
  if (iface === null) return false;
  // A trailing '+' is a prefix wildcard; a lone '+' matches every interface.
  if (pattern.endsWith('+')) return iface.startsWith(pattern.slice(0, -1));
  return pattern === iface;
}

/** protocolMatches, without its number lookups when the names are the same (as `-p tcp` for a tcp packet is). */
function sameProtocol(ruleProto: string, pktProto: string): boolean {
  return ruleProto === pktProto || protocolMatches(ruleProto, pktProto);
}

function headerTri(h: HeaderMatch, pkt: Packet): Tri {
  if (h.src && inCidr(h.src.value, pkt.src) === h.src.invert) return 'no';
  if (h.dst && inCidr(h.dst.value, pkt.dst) === h.dst.invert) return 'no';
  if (h.inIface && ifaceMatches(h.inIface.value, pkt.inIface) === h.inIface.invert) return 'no';
  if (h.outIface && ifaceMatches(h.outIface.value, pkt.outIface) === h.outIface.invert) return 'no';
  if (h.proto && sameProtocol(h.proto.value, pkt.proto) === h.proto.invert) return 'no';
  if (h.fragment && pkt.fragment === h.fragment.invert) return 'no';
  return 'yes';
}

function headerWhy(h: HeaderMatch, pkt: Packet): string {
  const no = (cond: boolean) => cond;
  if (h.src && no(inCidr(h.src.value, pkt.src) === h.src.invert)) return `src ${pkt.src.text} ${h.src.invert ? 'is in' : 'is not in'} ${h.src.value.base.text}/${h.src.value.prefix}`;
  if (h.dst && no(inCidr(h.dst.value, pkt.dst) === h.dst.invert)) return `dst ${pkt.dst.text} ${h.dst.invert ? 'is in' : 'is not in'} ${h.dst.value.base.text}/${h.dst.value.prefix}`;
  if (h.inIface && no(ifaceMatches(h.inIface.value, pkt.inIface) === h.inIface.invert)) return `in-interface ${pkt.inIface ?? 'none'} ${h.inIface.invert ? '=' : '≠'} ${h.inIface.value}`;
  if (h.outIface && no(ifaceMatches(h.outIface.value, pkt.outIface) === h.outIface.invert)) return `out-interface ${pkt.outIface ?? 'none'} ${h.outIface.invert ? '=' : '≠'} ${h.outIface.value}`;
  if (h.proto && no(protocolMatches(h.proto.value, pkt.proto) === h.proto.invert)) return `protocol ${pkt.proto} ${h.proto.invert ? '=' : '≠'} ${h.proto.value}`;
  if (h.fragment) return 'fragment test failed';
  return '';
}

/** What evaluateRule says of one rule. */
export interface RuleEvaluation {
  result: Tri;
  /** Why the rule did not match (only when asked) or could not be decided. */
  why: string;
  /** The probability of a match when every undecidable part is a `-m statistic`, else null. */
  chance: number | null;
}

// The two common answers, shared so that testing a rule allocates nothing (callers only read them).
const MATCHED: Readonly<RuleEvaluation> = { result: 'yes', why: '', chance: null };
const MISSED: Readonly<RuleEvaluation> = { result: 'no', why: '', chance: null };

/** Three-valued result of a rule's matches, and the reason for a no/unknown. */
export function evaluateRule(rule: Rule, pkt: Packet, ctx: EvalCtx, wantWhy: boolean): RuleEvaluation {
  const header = rule.header;
  if (headerTri(header, pkt) === 'no') return wantWhy ? { result: 'no', why: headerWhy(header, pkt), chance: null } : MISSED;
  const matches = rule.matches;
  if (matches.length === 0) return MATCHED;
  let result: Tri = 'yes';
  const unknownWhy: string[] = [];
  // The probability of a match when every unknown part is a statistic match, else null.
  let chance: number | null = 1;
  let sawUnknown = false;
  for (const m of matches) {
    let r: Tri;
    // A chance, not a fact of the packet: the caller branches on the probability.
    // A certain one (0 or 1, e.g. --probability 0) is evaluated like any match.
    const p = 'unknown' in m || m.module.probability === undefined ? null : m.module.probability(m.options);
    if (p !== null && p > 0 && p < 1 && !('unknown' in m)) {
      sawUnknown = true;
      if (chance !== null) chance *= p;
      unknownWhy.push(m.module.explain(m.options, pkt, ctx));
      result = triAnd(result, 'unknown');
      continue;
    }
    if ('unknown' in m) {
      r = 'unknown';
      unknownWhy.push(`match "-m ${m.unknown.name}" is not modelled`);
    } else {
      // A match outside its hooks never gets here: the load refuses it (sources/iptables/hook-check.ts).
      r = m.module.evaluate(m.options, pkt, ctx);
      if (r === 'no') return wantWhy ? { result: 'no', why: m.module.explain(m.options, pkt, ctx), chance: null } : MISSED;
      if (r === 'unknown') unknownWhy.push(m.module.explain(m.options, pkt, ctx));
    }
    if (r === 'unknown') {
      sawUnknown = true;
      chance = null;
    }
    result = triAnd(result, r);
  }
  // Every part matched: nothing to explain.
  if (result === 'yes') return MATCHED;
  // A chance point only when every undecidable part was a statistic match.
  if (!sawUnknown || result !== 'unknown') chance = null;
  return { result, why: unknownWhy.join('; '), chance };
}

interface Frame {
  chain: Chain;
  index: number;
  /** Positions of the rules that can match the packet's destination (chain-index.ts); null: every rule; undefined: not looked up yet. */
  cands: Int32Array | null | undefined;
  candsFor: number | bigint | undefined;
  ci: number;
}

/** Every field set from the start, so all frames share one shape. */
function frameAt(chain: Chain): Frame {
  return { chain, index: 0, cands: undefined, candsFor: undefined, ci: 0 };
}

/** Move frame.index to the next rule the packet's destination can match (rules between cannot). */
function skipToCandidate(frame: Frame, pkt: Packet, family: EvalCtx['family']): void {
  if (frame.cands === undefined || frame.candsFor !== pkt.dst.value) {
    frame.cands = dstCandidates(frame.chain.rules, family, pkt.dst);
    frame.candsFor = pkt.dst.value;
    frame.ci = 0;
  }
  const c = frame.cands;
  if (c === null) return;
  let ci = frame.ci;
  while (ci < c.length && c[ci]! < frame.index) ci++;
  frame.ci = ci;
  frame.index = ci < c.length ? c[ci]! : frame.chain.rules.length;
}

function step(
  ctx: EvalCtx,
  chain: Chain,
  rule: number | null,
  kind: Step['kind'],
  target: string | null,
  verdict: Verdict,
  r: Rule | null,
  extra?: Pick<Step, 'reason' | 'effect'>,
): Step {
  // Every field is there from the start, in output order, so that all steps share one shape
  // (quick to read for everything downstream); JSON leaves out the fields left undefined.
  // traverse() fills in nat, and rewrites effect, which a NAT target always sets here.
  return {
    hook: ctx.hook,
    table: ctx.table,
    chain: chain.name,
    rule,
    kind,
    target,
    verdict,
    text: r ? r.text : null,
    reason: extra?.reason,
    effect: extra?.effect,
    line: r && r.provenance.line > 0 ? r.provenance.line : undefined,
    nat: undefined,
  };
}

function targetName(rule: Rule): string | null {
  const t = rule.target;
  switch (t.kind) {
    case 'none':
      return null;
    case 'jump':
    case 'goto':
      return t.chain;
    case 'module':
      return t.module.name;
    case 'unknown':
      return t.name;
  }
}

/** Record a step, charging its size to the budget. */
function record(rec: Recorder, budget: TraceBudget, s: Step): void {
  budget.bytes -= ENTRY_BYTES + (s.text === null ? 0 : s.text.length) + (s.reason === undefined ? 0 : s.reason.length) + (s.effect === undefined ? 0 : s.effect.length);
  rec.steps.push(s);
}

function recordMiss(rec: Recorder, budget: TraceBudget, m: Miss): void {
  budget.bytes -= ENTRY_BYTES + m.text.length + m.reason.length;
  rec.misses.push(m);
}

function recordWarning(rec: Recorder, budget: TraceBudget, w: string): void {
  budget.bytes -= ENTRY_BYTES + w.length;
  rec.warnings.push(w);
}

/** The walk stops at the budget: where (before which rule), and which budget ran out. */
function outOfBudget(budget: TraceBudget, ctx: EvalCtx, chain: Chain, index: number): WalkResult {
  const at = index < chain.rules.length ? `rule ${index + 1}` : 'its end';
  const where = `${ctx.table} ${ctx.hook}, chain ${chain.name} at ${at}`;
  budget.exhausted ??= where;
  return { verdict: 'budget', reason: `stopped in ${where}: ${budgetReason(budget)}` };
}

// Walk results without details, shared (callers only read them).
const ACCEPTED: Readonly<WalkResult> = { verdict: 'accept' };
const DROPPED: Readonly<WalkResult> = { verdict: 'drop' };
const REJECTED: Readonly<WalkResult> = { verdict: 'reject' };

/** RETURN (or the end of the chain) at the top: the built-in chain's policy decides. */
function applyPolicy(builtin: Chain, ctx: EvalCtx, rec: Recorder, budget: TraceBudget): WalkResult {
  const policy = builtin.policy ?? 'ACCEPT';
  record(rec, budget, step(ctx, builtin, null, 'policy', policy, policy === 'ACCEPT' ? 'accept' : 'drop', null));
  return policy === 'ACCEPT' ? ACCEPTED : DROPPED;
}

/** Walk from `builtin`, the base chain of `table` that ctx.hook enters (the hook plan says which). */
export function walkBuiltin(table: Table, builtin: Chain, pkt: Packet, ctx: EvalCtx, opts: WalkOptions, rec: Recorder): WalkResult {
  const stack: Frame[] = [];
  let frame = frameAt(builtin);
  // With --explain every miss is reported, so every rule is tested.
  const indexed = !opts.explain;
  const budget = opts.budget ?? unlimitedBudget();
  for (;;) {
    const { chain } = frame;
    // Chains too short to be indexed are scanned rule by rule (dstCandidates would answer null).
    if (indexed && frame.index < chain.rules.length && chain.rules.length >= INDEX_MIN_RULES) skipToCandidate(frame, pkt, ctx.family);
    // One step per rule evaluated or chain end met: what the kernel pays for this packet.
    if (--budget.steps < 0 || budget.bytes < 0) return outOfBudget(budget, ctx, chain, frame.index);
    if (frame.index >= chain.rules.length) {
      if (!chain.builtin) record(rec, budget, step(ctx, chain, null, 'return', null, 'return', null));
      const caller = stack.pop();
      if (caller === undefined) return applyPolicy(builtin, ctx, rec, budget);
      frame = caller;
      continue;
    }
    const position = frame.index + 1;
    const rule = chain.rules[frame.index]!;
    frame.index++;
    const evaluated = evaluateRule(rule, pkt, ctx, opts.explain);
    let { result } = evaluated;
    const { why } = evaluated;
    if (result === 'unknown' && evaluated.chance !== null && opts.decide) {
      // A probability, not a doubt: the caller follows one branch at a time.
      const p = evaluated.chance;
      const matched = opts.decide({ hook: ctx.hook, table: ctx.table, chain: chain.name, rule: position, probability: p });
      rec.chances.push({ hook: ctx.hook, table: ctx.table, chain: chain.name, rule: position, probability: p, matched });
      budget.bytes -= ENTRY_BYTES;
      result = matched ? 'yes' : 'no';
    }
    if (result === 'no') {
      if (opts.explain) recordMiss(rec, budget, { hook: ctx.hook, table: ctx.table, chain: chain.name, rule: position, text: rule.text, reason: why });
      continue;
    }
    if (result === 'unknown') {
      if (opts.unknown === 'stop') {
        record(rec, budget, step(ctx, chain, position, 'rule', targetName(rule), 'unknown', rule, { reason: why }));
        return { verdict: 'unknown', reason: `${chain.name} rule ${position}: ${why}` };
      }
      recordWarning(rec, budget, `${ctx.table} ${chain.name} rule ${position} could not be evaluated (${why}); assumed ${opts.unknown === 'match' ? 'it matches' : 'it does not match'} (--unknown ${opts.unknown})`);
      if (opts.unknown === 'no-match') {
        if (opts.explain) recordMiss(rec, budget, { hook: ctx.hook, table: ctx.table, chain: chain.name, rule: position, text: rule.text, reason: `assumed no match: ${why}` });
        continue;
      }
    }
    const t = rule.target;
    switch (t.kind) {
      case 'none':
        record(rec, budget, step(ctx, chain, position, 'rule', null, 'continue', rule));
        continue;
      case 'jump':
      case 'goto': {
        const next = table.chains.get(t.chain)!;
        record(rec, budget, step(ctx, chain, position, 'rule', t.chain, t.kind, rule));
        if (t.kind === 'jump') stack.push(frame);
        frame = frameAt(next);
        continue;
      }
      case 'unknown': {
        const reason = `target "${t.name}" is not modelled`;
        if (opts.unknown === 'stop') {
          record(rec, budget, step(ctx, chain, position, 'rule', t.name, 'unknown', rule, { reason }));
          return { verdict: 'unknown', reason: `${chain.name} rule ${position}: ${reason}` };
        }
        recordWarning(rec, budget, `${ctx.table} ${chain.name} rule ${position}: ${reason}; treated as non-terminating (--unknown ${opts.unknown})`);
        record(rec, budget, step(ctx, chain, position, 'rule', t.name, 'continue', rule, { reason }));
        continue;
      }
      case 'module': {
        const out = t.module.apply(t.options, pkt, ctx);
        const extra = 'detail' in out && out.detail ? { effect: out.detail } : undefined;
        if (out.verdict === 'unknown') {
          record(rec, budget, step(ctx, chain, position, 'rule', t.module.name, 'unknown', rule, { reason: out.detail }));
          return { verdict: 'unknown', reason: `${chain.name} rule ${position}: ${out.detail}` };
        }
        record(rec, budget, step(ctx, chain, position, 'rule', t.module.name, out.verdict, rule, extra));
        switch (out.verdict) {
          case 'continue':
            continue;
          case 'return': {
            const caller = stack.pop();
            if (caller === undefined) return applyPolicy(builtin, ctx, rec, budget);
            frame = caller;
            continue;
          }
          case 'accept': {
            const res: WalkResult = { verdict: 'accept' };
            if (out.nat) res.nat = out.nat;
            if (out.socket) res.socket = out.socket;
            return res;
          }
          case 'drop':
            return DROPPED;
          case 'reject':
            return REJECTED;
        }
      }
    }
  }

}
