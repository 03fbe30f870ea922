/**
 * Whether anything in a family's rules makes the kernel track connections.
 * Measured on Linux 6.18 (nf_tables): nat chains run only for tracked packets,
 * and conntrack is enabled in a namespace only when a rule needs it (its
 * checkentry calls nf_ct_netns_get): each module says so itself (tracksConnections),
 * unmodelled extensions in core/unmodelled-extensions.ts. A nat table of RETURNs
 * alone is never consulted.
 */
import { ruleTracksConnections } from '../module-facts.js';
import type { FamilyRules } from '../ruleset/model.js';

const cache = new WeakMap<FamilyRules, boolean>();

export function needsConntrack(rules: FamilyRules): boolean {
  const known = cache.get(rules);
  if (known !== undefined) return known;
  let needed = false;
  outer: for (const table of rules.tables.values()) {
    for (const chain of table.chains.values()) {
      for (const rule of chain.rules) {
        // A rule that knows without parsing (a lazy rule's outline) answers itself.
        if (rule.tracksConnections ?? ruleTracksConnections(rule)) {
          needed = true;
          break outer;
        }
      }
    }
  }
  cache.set(rules, needed);
  return needed;
}
