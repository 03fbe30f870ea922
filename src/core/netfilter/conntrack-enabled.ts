/**
 * Whether anything in a family's rules makes the kernel track connections.
 * Measured on Linux 6.18 (nf_tables): nat chains run only for tracked packets,
 * and conntrack is enabled in a namespace only when a rule needs it (its
 * checkentry calls nf_ct_netns_get): NAT targets, CT, CONNMARK, and the
 * conntrack/state/connmark matches. A nat table of RETURNs alone is never consulted.
 */
import { TRACKING_MATCHES as MATCHES, TRACKING_TARGETS as TARGETS } from '../conntrack-modules.js';
import { Tracking, type FamilyRules, type Rule } from '../ruleset/model.js';


const cache = new WeakMap<FamilyRules, boolean>();

export function needsConntrack(rules: FamilyRules): boolean {
  const known = cache.get(rules);
  if (known !== undefined) return known;
  let needed = false;
  outer: for (const table of rules.tables.values()) {
    for (const chain of table.chains.values()) {
      for (const rule of chain.rules) {
        if (rule.outline !== undefined ? outlineTracks(rule) : ruleTracks(rule)) {
          needed = true;
          break outer;
        }
      }
    }
  }
  cache.set(rules, needed);
  return needed;
}

function ruleTracks(rule: Rule): boolean {
  const t = rule.target;
  if (t.kind === 'module' && (TARGETS.has(t.module.name) || (t.module.name === 'CT' && !(t.options as { notrack?: boolean }).notrack))) return true;
  if (t.kind === 'unknown' && TARGETS.has(t.name)) return true;
  for (const m of rule.matches) if (MATCHES.has('unknown' in m ? m.unknown.name : m.module.name)) return true;
  return false;
}

/** The same question from a lazy rule's outline; only a CT target needs its options read. */
function outlineTracks(rule: Rule): boolean {
  const tracking = rule.outline!.tracking;
  if (tracking === Tracking.CtTarget) return ruleTracks(rule);
  return tracking === Tracking.Yes;
}
