/**
 * The kernel's limit on nested jumps: nf_tables keeps a 16-level jump stack,
 * so at most 15 user chains may be nested below a built-in chain. Measured on
 * Linux 6.18 with iptables-nft-restore: 15 loads, 16 fails with "Too many links".
 */
import { jumpOf } from './rule-facts.js';
import type { Chain, Rule, Table } from './model.js';

export const MAX_CHAIN_DEPTH = 15;

export interface DepthViolation {
  /** Built-in chain, then each user chain on the too-deep path. */
  path: string[];
  /** The rule whose jump goes one level too deep. */
  rule: Rule;
}

/** The user chains `chain` jumps to, in rule order, each with the rule that jumps. */
function userJumps(table: Table, chain: Chain): Array<{ rule: Rule; next: Chain }> {
  const out: Array<{ rule: Rule; next: Chain }> = [];
  for (const rule of chain.rules) {
    const t = jumpOf(rule);
    if (t === null) continue;
    const next = table.chains.get(t.chain);
    if (next && !next.builtin) out.push({ rule, next });
  }
  return out;
}

/**
 * Longest user-chain depth below each chain reachable from `root`, into `memo`.
 * Chains are acyclic here (loops are rejected first). Iterative post-order, so a
 * 100,000-chain jump chain cannot overflow the call stack.
 */
function fillDepths(table: Table, root: Chain, memo: Map<string, number>): void {
  if (memo.has(root.name)) return;
  const stack: Array<{ chain: Chain; jumps: Array<{ rule: Rule; next: Chain }>; i: number }> = [{ chain: root, jumps: userJumps(table, root), i: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i < top.jumps.length) {
      const next = top.jumps[top.i++]!.next;
      if (!memo.has(next.name)) stack.push({ chain: next, jumps: userJumps(table, next), i: 0 });
      continue;
    }
    let d = 0;
    for (const j of top.jumps) d = Math.max(d, 1 + memo.get(j.next.name)!);
    memo.set(top.chain.name, d);
    stack.pop();
  }
}

/** The first path (in chain order) that nests more than MAX_CHAIN_DEPTH user chains, or null. */
export function findTooDeep(table: Table): DepthViolation | null {
  const memo = new Map<string, number>();
  for (const chain of table.chains.values()) {
    if (!chain.builtin) continue;
    fillDepths(table, chain, memo);
    if (memo.get(chain.name)! <= MAX_CHAIN_DEPTH) continue;
    // Walk down the deepest path to name it and the rule that crosses the limit.
    const path = [chain.name];
    let cur: Chain = chain;
    let crossing: Rule | null = null;
    for (;;) {
      let best: { rule: Rule; next: Chain } | null = null;
      for (const j of userJumps(table, cur)) if (!best || memo.get(j.next.name)! > memo.get(best.next.name)!) best = j;
      if (!best) break;
      if (path.length === MAX_CHAIN_DEPTH + 1) crossing = best.rule;
      path.push(best.next.name);
      cur = best.next;
    }
    return { path, rule: crossing! };
  }
  return null;
}
