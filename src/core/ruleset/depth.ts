/**
 * The kernel's limit on nested jumps: nf_tables keeps a 16-level jump stack,
 * so at most 15 user chains may be nested below a built-in chain. Measured on
 * Linux 6.18 with iptables-nft-restore: 15 loads, 16 fails with "Too many links".
 */
import { jumpOf } from './lazy-rule.js';
import type { Chain, Rule, Table } from './model.js';

export const MAX_CHAIN_DEPTH = 15;

export interface DepthViolation {
  /** Built-in chain, then each user chain on the too-deep path. */
  path: string[];
  /** The rule whose jump goes one level too deep. */
  rule: Rule;
}

/** The first path (in chain order) that nests more than MAX_CHAIN_DEPTH user chains, or null. */
export function findTooDeep(table: Table): DepthViolation | null {
  // Longest user-chain depth below each chain; chains are acyclic here (loops are rejected first).
  const memo = new Map<string, number>();
  const depthBelow = (chain: Chain): number => {
    const known = memo.get(chain.name);
    if (known !== undefined) return known;
    let d = 0;
    for (const r of chain.rules) {
      const t = jumpOf(r);
      if (t === null) continue;
      const next = table.chains.get(t.chain);
      if (next && !next.builtin) d = Math.max(d, 1 + depthBelow(next));
    }
    memo.set(chain.name, d);
    return d;
  };
  for (const chain of table.chains.values()) {
    if (!chain.builtin || depthBelow(chain) <= MAX_CHAIN_DEPTH) continue;
    // Walk down the deepest path to name it and the rule that crosses the limit.
    const path = [chain.name];
    let cur = chain;
    let crossing: Rule | null = null;
    while (cur) {
      let best: { rule: Rule; next: Chain } | null = null;
      for (const r of cur.rules) {
        const t = jumpOf(r);
        if (t === null) continue;
        const next = table.chains.get(t.chain);
        if (next && !next.builtin && (!best || depthBelow(next) > depthBelow(best.next))) best = { rule: r, next };
      }
      if (!best) break;
      path.push(best.next.name);
      if (path.length - 1 === MAX_CHAIN_DEPTH + 1) crossing = best.rule;
      cur = best.next;
    }
    return { path, rule: crossing! };
  }
  return null;
}
