/**
 * Facts of a rule read the same way whichever form it has: from a lazy rule's outline
 * (Rule.outline) without parsing it, else from the parsed fields. The engine and the
 * loaders ask here, never which class a rule is.
 */
import type { Rule } from './model.js';

/** The jump or goto of a rule to a chain, or null. */
export function jumpOf(rule: Rule): { kind: 'jump' | 'goto'; chain: string } | null {
  const o = rule.outline;
  if (o !== undefined) {
    if (o.jumpName === null || o.targetModule || o.unmodelled) return null;
    return { kind: o.goto ? 'goto' : 'jump', chain: o.jumpName };
  }
  const t = rule.target;
  return t.kind === 'jump' || t.kind === 'goto' ? t : null;
}

/** A rule's 1-based source line. */
export function lineOf(rule: Rule): number {
  const o = rule.outline;
  return o !== undefined ? o.line : rule.provenance.line;
}

/** The name of a rule's target extension (REDIRECT, TPROXY …); null for none or a chain. */
export function targetModuleName(rule: Rule): string | null {
  const o = rule.outline;
  // An outline's jumpName is already the extension's own name (rule-outline.ts keeps the registry's string).
  if (o !== undefined) return o.targetModule && !o.unmodelled ? o.jumpName : null;
  const t = rule.target;
  return t.kind === 'module' ? t.module.name : null;
}
