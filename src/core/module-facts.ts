/**
 * The facts of match and target extensions, looked up by name: from the modules' own
 * properties (registries) and, for extensions the engine does not model, from
 * unmodelled-extensions.ts. Readers that see only a name (the outline of a lazy rule,
 * the load's hook check) ask here, so no other file keeps a list of names.
 */
import { findMatch, MATCHES } from './matches/registry.js';
import type { MatchModule } from './matches/define.js';
import { findTarget, TARGETS } from './targets/registry.js';
import type { TargetModule } from './targets/define.js';
import { UNMODELLED_MATCHES, UNMODELLED_TARGETS } from './unmodelled-extensions.js';
import type { HookName, TableName } from './types.js';
import type { Rule } from './ruleset/model.js';

/** Whether a target makes the kernel track connections: no, yes, or "its options decide" (CT --notrack). */
export type TargetTracking = 'no' | 'yes' | 'options';

/** The targets (by `-j` name) that track, built once from the modules' facts: one lookup per rule. */
const TARGET_TRACKING: ReadonlyMap<string, TargetTracking> = new Map<string, TargetTracking>([
  ...(Object.values(TARGETS) as TargetModule<any>[])
    .filter((t) => t.tracksConnections !== undefined && t.tracksConnections !== false)
    .map((t): [string, TargetTracking] => [t.name, typeof t.tracksConnections === 'function' ? 'options' : 'yes']),
  ...[...UNMODELLED_TARGETS].filter(([, f]) => f.tracksConnections === true).map(([name]): [string, TargetTracking] => [name, 'yes']),
]);

/** The `-j` names of targets that track (always or by their options). */
export const TRACKING_TARGET_NAMES: ReadonlySet<string> = new Set(TARGET_TRACKING.keys());

export function targetTracking(name: string): TargetTracking {
  return TARGET_TRACKING.get(name) ?? 'no';
}

/** Whether a target (modelled or not, by its `-j` name) rewrites the packet's addresses. */
export function targetRewritesAddresses(name: string): boolean {
  return (findTarget(name) ?? UNMODELLED_TARGETS.get(name))?.rewritesAddresses === true;
}

/** The tables and hooks a target (modelled or not) is limited to, by its `-j` name; undefined: none known. */
export function targetLimits(name: string): { tables?: readonly TableName[]; hooks?: readonly HookName[] } | undefined {
  const facts = findTarget(name) ?? UNMODELLED_TARGETS.get(name);
  return facts !== undefined && (facts.tables !== undefined || facts.hooks !== undefined) ? facts : undefined;
}

/** The `-j` names of targets (modelled or not) limited to some tables or hooks. */
export const LIMITED_TARGET_NAMES: ReadonlySet<string> = new Set([
  ...(Object.values(TARGETS) as TargetModule<any>[]).filter((t) => t.hooks !== undefined || t.tables !== undefined).map((t) => t.name),
  ...[...UNMODELLED_TARGETS].filter(([, f]) => f.hooks !== undefined || f.tables !== undefined).map(([name]) => name),
]);

const modelledMatchNames = (keep: (m: MatchModule<any>) => boolean): string[] =>
  (Object.values(MATCHES) as MatchModule<any>[]).filter(keep).flatMap((m) => [m.name, ...(m.aliases ?? [])]);

/** The `-m` names (aliases too) of matches that make the kernel track connections. */
export const TRACKING_MATCH_NAMES: ReadonlySet<string> = new Set([
  ...modelledMatchNames((m) => m.tracksConnections === true),
  ...[...UNMODELLED_MATCHES].filter(([, f]) => f.tracksConnections === true).map(([name]) => name),
]);

/** The `-m` names of matches limited to some tables or fixed hooks: a rule using one is checked at load, in any chain. */
export const LIMITED_MATCH_NAMES: ReadonlySet<string> = new Set([
  ...modelledMatchNames((m) => Array.isArray(m.hooks) || m.tables !== undefined),
  ...[...UNMODELLED_MATCHES].filter(([, f]) => f.hooks !== undefined || f.tables !== undefined).map(([name]) => name),
]);

/**
 * The `-m` names of matches whose options decide their hooks (checkentry's limit, addrtype):
 * nf_tables checks those in base chains only, so only a built-in chain's rule is checked.
 */
export const BASE_LIMITED_MATCH_NAMES: ReadonlySet<string> = new Set(
  modelledMatchNames((m) => typeof m.hooks === 'function' && m.tables === undefined),
);

/** The facts of an unmodelled `-m NAME`, by name (a modelled one answers from its module). */
export function unmodelledMatchFacts(name: string) {
  return findMatch(name) === undefined ? UNMODELLED_MATCHES.get(name) : undefined;
}

/** The answer from a rule's parsed matches and target. */
export function ruleTracksConnections(rule: Rule): boolean {
  const t = rule.target;
  if (t.kind === 'module') {
    const tracks = t.module.tracksConnections;
    if (typeof tracks === 'function' ? tracks(t.options) : tracks === true) return true;
  } else if (t.kind === 'unknown' && targetTracking(t.name) === 'yes') {
    return true;
  }
  for (const m of rule.matches) if ('unknown' in m ? TRACKING_MATCH_NAMES.has(m.unknown.name) : m.module.tracksConnections === true) return true;
  return false;
}
