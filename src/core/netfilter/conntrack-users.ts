/**
 * Whether anything in a family's rules makes the kernel track connections.
 * Measured on Linux 6.18 (nf_tables): nat chains run only for tracked packets,
 * and conntrack is enabled in a namespace only when a rule needs it (its
 * checkentry calls nf_ct_netns_get): NAT targets, CT, CONNMARK, and the
 * conntrack/state/connmark matches. A nat table of RETURNs alone is never consulted.
 */
import type { FamilyRules } from '../ruleset/model.js';

const TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'CONNMARK', 'CONNSECMARK', 'CLUSTERIP', 'SYNPROXY']);
const MATCHES = new Set(['conntrack', 'state', 'connmark', 'connlimit', 'connbytes', 'connlabel', 'helper', 'cluster']);

const cache = new WeakMap<FamilyRules, boolean>();

export function needsConntrack(rules: FamilyRules): boolean {
  const known = cache.get(rules);
  if (known !== undefined) return known;
  let needed = false;
  outer: for (const table of rules.tables.values()) {
    for (const chain of table.chains.values()) {
      for (const rule of chain.rules) {
        const t = rule.target;
        if (t.kind === 'module' && (TARGETS.has(t.module.name) || (t.module.name === 'CT' && !(t.options as { notrack?: boolean }).notrack))) needed = true;
        if (t.kind === 'unknown' && TARGETS.has(t.name)) needed = true;
        for (const m of rule.matches) {
          const name = 'unknown' in m ? m.unknown.name : m.module.name;
          if (MATCHES.has(name)) needed = true;
        }
        if (needed) break outer;
      }
    }
  }
  cache.set(rules, needed);
  return needed;
}
