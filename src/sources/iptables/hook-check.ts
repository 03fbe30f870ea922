/**
 * The kernel's load-time check of where an extension may be used, run at COMMIT as
 * iptables-restore's transaction is: a target or match limited to some tables or hooks
 * (TPROXY: mangle PREROUTING; -m owner: OUTPUT, POSTROUTING …) is refused elsewhere,
 * and iptables-restore fails with "RULE_APPEND failed (Invalid argument)".
 *
 * The table is checked for every rule. A module's fixed hooks are checked for a user chain
 * by the hooks of the built-in chains that reach it by jumps and gotos, transitively
 * (nf_tables validates a user chain from every base chain that reaches it); a chain nothing
 * reaches has no hooks, so the kernel takes anything there, and so does this. Hooks that a
 * module's options decide are its checkentry's, which nf_tables runs for base chains only.
 *
 * A lazy rule is checked from its outline: its target by name, and its matches (parsed
 * now) only when the outline saw a `-m` of a limited module, so a large dump stays unparsed;
 * the jump graph is the one the loader builds for its loop check (load.ts, finishTable).
 */
import { InputError } from '../../core/errors.js';
import { allowedHooks } from '../../core/matches/define.js';
import { targetLimits, unmodelledMatchFacts } from '../../core/module-facts.js';
import type { Chain, Rule, Table } from '../../core/ruleset/model.js';
import { HOOKS, type HookName, type TableName } from '../../core/types.js';
import { LazyRule } from './fast/lazy-rule.js';
import { lineOf } from '../../core/ruleset/rule-facts.js';
import { MatchLimit } from './fast/rule-outline.js';

/** The kernel's own wording, so a reader who knows iptables-restore's message recognises it. */
const KERNEL_SAYS = 'the kernel refuses the rule: iptables-restore says "RULE_APPEND failed (Invalid argument)"';

const bitOf = (hook: HookName): number => 1 << HOOKS.indexOf(hook);

function maskOf(hooks: readonly HookName[]): number {
  let m = 0;
  for (const h of hooks) m |= bitOf(h);
  return m;
}

interface Limited {
  /** What the message calls it: `target TPROXY` or `-m owner`. */
  what: string;
  tables: readonly TableName[] | undefined;
  hooks: readonly HookName[] | undefined;
  /** `hooks` as a bit mask (every bit when undefined). */
  allowed: number;
  /** The hooks are checkentry's (options decide): nf_tables checks them in base chains only. */
  baseOnly: boolean;
}

function limited(what: string, tables: readonly TableName[] | undefined, hooks: readonly HookName[] | undefined, baseOnly = false): Limited {
  return { what, tables, hooks, allowed: hooks === undefined ? -1 : maskOf(hooks), baseOnly };
}

/** A target's limits by name, made once per name: a dump has thousands of DNAT rules. */
const TARGETS_SEEN = new Map<string, Limited | null>();

function targetLimited(name: string): Limited | null {
  let l = TARGETS_SEEN.get(name);
  if (l === undefined) {
    const facts = targetLimits(name);
    l = facts === undefined ? null : limited(`target ${name}`, facts.tables, facts.hooks);
    TARGETS_SEEN.set(name, l);
  }
  return l;
}

/** The limited parts of a rule (target and matches), or an empty list; may parse a lazy rule. */
function limitsOf(rule: Rule, table: TableName, builtin: boolean, out: Limited[]): void {
  if (rule instanceof LazyRule) {
    const name = rule.jumpName;
    if (name !== null && !rule.goto && (rule.targetModule || rule.unmodelled)) {
      const limits = targetLimited(name);
      if (limits !== null) {
        // A modelled target in a wrong table: its parse says so, in the words an eager load uses.
        if (rule.targetModule && limits.tables !== undefined && !limits.tables.includes(table)) void rule.target;
        out.push(limits);
      }
    }
    // Parsed only when a match could be refused here: checkentry's limits hold in built-in chains alone.
    const limit = rule.matchLimit;
    if (limit === MatchLimit.None || (limit === MatchLimit.InBaseChains && !builtin)) return;
  } else {
    const t = rule.target;
    if (t.kind === 'module' || t.kind === 'unknown') {
      const name = t.kind === 'module' ? t.module.name : t.name;
      const limits = targetLimited(name);
      if (limits !== null) out.push(limits);
    }
  }
  for (const m of rule.matches) {
    if ('unknown' in m) {
      const facts = unmodelledMatchFacts(m.unknown.name);
      if (facts?.hooks !== undefined || facts?.tables !== undefined) out.push(limited(`-m ${m.unknown.name}`, facts.tables, facts.hooks));
      continue;
    }
    const hooks = allowedHooks(m.module.hooks, m.options);
    const baseOnly = typeof m.module.hooks === 'function';
    if (hooks !== undefined || m.module.tables !== undefined) out.push(limited(`-m ${m.module.name}`, m.module.tables, hooks, baseOnly));
  }
}

/**
 * iptables itself (not the kernel) refuses an interface of the wrong direction in a built-in
 * chain, by the chain's name: `-i` in OUTPUT/POSTROUTING, `-o` in PREROUTING/INPUT, with or
 * without `!` ("Can't use -i with OUTPUT", exit 2). A user chain is not checked, whichever
 * hooks reach it (measured on Linux 6.18, iptables-nft 1.8.9: the kernel takes such a rule).
 */
const IN_HOOKS = 'PREROUTING/INPUT/FORWARD';
const OUT_HOOKS = 'FORWARD/OUTPUT/POSTROUTING';
const WRONG_IFACE: Readonly<Record<string, readonly ['-i' | '-o', string, 'inIface' | 'outIface', string]>> = {
  OUTPUT: ['-i', '--in-interface', 'inIface', IN_HOOKS],
  POSTROUTING: ['-i', '--in-interface', 'inIface', IN_HOOKS],
  PREROUTING: ['-o', '--out-interface', 'outIface', OUT_HOOKS],
  INPUT: ['-o', '--out-interface', 'outIface', OUT_HOOKS],
};

/** The refusal of a rule naming an interface its built-in chain cannot have, or null. */
export function ifaceRefusal(table: TableName, chain: Chain, rule: Rule): string | null {
  if (!chain.builtin) return null;
  const wrong = WRONG_IFACE[chain.name];
  if (wrong === undefined) return null;
  const [flag, long, field, valid] = wrong;
  // A lazy rule stays unparsed unless its text could hold the option.
  if (rule instanceof LazyRule && !rule.mayName(flag, long)) return null;
  if (rule.header[field] === undefined) return null;
  return `${flag} is only valid in ${valid}, not in ${table} ${chain.name} (iptables refuses the rule: "Can't use ${flag} with ${chain.name}")`;
}

/**
 * The check of one table at COMMIT. The loader adds the rules that may be limited while it
 * builds the jump graph (a lazy rule only when its outline says so), then hands over that graph.
 */
export class HookCheck {
  #chains: number[] = [];
  #rules: Rule[] = [];

  #iface: { line: number; message: string } | null = null;

  add(chain: number, rule: Rule): void {
    this.#chains.push(chain);
    this.#rules.push(rule);
  }

  /** A rule iptables refuses for its interface direction (ifaceRefusal): the earliest line is reported. */
  addIfaceRefusal(rule: Rule, message: string): void {
    const line = lineOf(rule);
    if (this.#iface === null || line < this.#iface.line) this.#iface = { line, message };
  }

  /** Throws the kernel's refusal for the first rule (by source line) used outside its tables or hooks. */
  check(table: TableName, chains: Chain[], edgeStart: Int32Array, edges: number[], file: string): void {
    const rules = this.#rules;
    let first: { line: number; message: string } | null = this.#iface;
    if (rules.length === 0) {
      if (first !== null) throw new InputError(first.message, file, first.line);
      return;
    }
    const mask = chainHooks(chains, edgeStart, edges);
    const parts: Limited[] = [];
    for (let k = 0; k < rules.length; k++) {
      const rule = rules[k]!;
      const chain = this.#chains[k]!;
      // The common case of a large dump (a lazy DNAT, REJECT …, no limited match) in a few steps.
      if (rule instanceof LazyRule && rule.matchLimit === MatchLimit.None) {
        const l = rule.targetModule || rule.unmodelled ? targetLimited(rule.jumpName!) : null;
        if (l === null || ((mask[chain]! & ~l.allowed) === 0 && (l.tables === undefined || l.tables.includes(table)))) continue;
      }
      const line = lineOf(rule);
      if (first !== null && line >= first.line) continue;
      parts.length = 0;
      limitsOf(rule, table, chains[chain]!.builtin, parts);
      for (const part of parts) {
        const message = refusal(part, table, chains[chain]!, mask[chain]!);
        if (message !== null) {
          first = { line, message };
          break;
        }
      }
    }
    if (first !== null) throw new InputError(first.message, file, first.line);
  }
}

/**
 * Each chain's hooks as a bit mask: a built-in chain's own, a user chain's the union of the
 * chains that jump or go to it (chain i's targets are edges[edgeStart[i] .. edgeStart[i+1]]).
 */
function chainHooks(chains: Chain[], edgeStart: Int32Array, edges: number[]): Int32Array {
  const mask = new Int32Array(chains.length);
  const work: number[] = [];
  for (let i = 0; i < chains.length; i++) {
    const c = chains[i]!;
    if (c.builtin) {
      mask[i] = bitOf(c.name as HookName);
      work.push(i);
    }
  }
  while (work.length > 0) {
    const from = work.pop()!;
    for (let e = edgeStart[from]!; e < edgeStart[from + 1]!; e++) {
      const to = edges[e]!;
      const m = mask[to]! | mask[from]!;
      if (m !== mask[to]) {
        mask[to] = m;
        work.push(to);
      }
    }
  }
  return mask;
}

function refusal(part: Limited, table: TableName, chain: Chain, hooks: number): string | null {
  if (part.tables !== undefined && !part.tables.includes(table)) {
    return `${part.what} is only valid in the ${part.tables.join('/')} table, not ${table} (${KERNEL_SAYS})`;
  }
  const outside = hooks & ~part.allowed;
  if (outside === 0 || part.hooks === undefined || (part.baseOnly && !chain.builtin)) return null;
  const hook = HOOKS.find((h) => (outside & bitOf(h)) !== 0)!;
  const where = chain.builtin ? `${table} ${hook}` : `${table} ${hook}, from which user chain ${chain.name} is reached`;
  return `${part.what} is only valid in ${part.hooks.join('/')}, not in ${where} (${KERNEL_SAYS})`;
}
