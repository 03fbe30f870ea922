/**
 * The contract of a match module, modelled on iptables' libxt_* files:
 * one self-contained module with its options, parse, canonical save and evaluation.
 */
import type { Negatable } from '../ruleset/model.js';
import type { Family, HookName, TableName, Tri } from '../types.js';
import type { HostView, Packet } from '../netfilter/packet.js';

export interface OptionSpec {
  /** Long name without dashes, e.g. 'dport'. */
  name: string;
  /** Other spellings that mean the same, e.g. 'destination-port'. */
  aliases?: string[];
  /** Whether the option takes a value. */
  arg: boolean;
  /** How many value tokens (default 1); several are joined with one space, e.g. --tcp-flags MASK COMP. */
  argCount?: number;
  /** Whether `! --opt` is allowed. */
  invertible?: boolean;
}

export interface ParsedOption {
  /** The canonical option name (aliases resolved). */
  name: string;
  value: string | null;
  invert: boolean;
}

export interface BuildCtx {
  family: Family;
  table: TableName;
  /** The rule's `-p`, when given. */
  proto: Negatable<string> | undefined;
}

export interface EvalCtx {
  family: Family;
  hook: HookName;
  table: TableName;
  host: HostView;
}

export interface MatchModule<O> {
  /** The name after `-m`. */
  name: string;
  aliases?: string[];
  options: OptionSpec[];
  /** Families the module exists in (default both). */
  families?: Family[];
  /**
   * Hooks the kernel module accepts (e.g. owner: OUTPUT, POSTROUTING: the module's `.hooks`,
   * checked for built-in chains and every user chain they reach). A function of the options
   * when its checkentry decides (addrtype --limit-iface-in): nf_tables runs checkentry with a
   * base chain's hook only, so such a limit holds in built-in chains alone. Default: all.
   * Enforced at load (sources/iptables/hook-check.ts).
   */
  hooks?: HookLimit<O>;
  /** Tables the kernel accepts the module in. Default: all. Enforced at load. */
  tables?: TableName[];
  /** The kernel tracks connections once a rule uses it (its checkentry calls nf_ct_netns_get). */
  tracksConnections?: boolean;
  /**
   * For a match whose answer is chance, not a fact of the packet (statistic): the
   * probability that it says yes. The walker branches on it instead of evaluating.
   */
  probability?(o: O): number;
  /** Build the module's options; throw RuleSyntaxError with a clear message on bad input. */
  build(options: ParsedOption[], ctx: BuildCtx): O;
  /** Canonical text after `-m NAME`, exactly as iptables-save prints it. */
  save(o: O): string;
  evaluate(o: O, pkt: Packet, ctx: EvalCtx): Tri;
  /** Why the module gave its result, for --explain (e.g. "owner uid 1000 ≠ 1337"). */
  explain(o: O, pkt: Packet, ctx: EvalCtx): string;
}

/** The hooks a module accepts: a fixed list, or one that its options decide (undefined: all). */
export type HookLimit<O> = readonly HookName[] | ((o: O) => readonly HookName[] | undefined);

/** The hooks `limit` allows for these options; undefined when the module takes every hook. */
export function allowedHooks<O>(limit: HookLimit<O> | undefined, o: O): readonly HookName[] | undefined {
  return typeof limit === 'function' ? limit(o) : limit;
}

/** Typed helper so each module's option type is inferred from its build(). */
export function defineMatch<O>(m: MatchModule<O>): MatchModule<O> {
  return m;
}
