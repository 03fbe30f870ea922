/**
 * What a hook runs in one family's rules, prepared once: the tables in TABLE_ORDER
 * with the table itself where it has the hook's built-in chain, and nat's
 * manipulation there. traverse() reads this instead of looking the tables up
 * for every hook of every packet.
 */
import type { Chain, FamilyRules, Table } from '../ruleset/model.js';
import type { HookName, TableName } from '../types.js';
import { NAT_MANIP, TABLE_ORDER } from './hooks.js';

export interface HookStage {
  name: TableName;
  /** The table when it has this hook's built-in chain, else null (the kernel registers nothing there). */
  table: Table | null;
  /** That built-in chain, where the walk starts. */
  builtin: Chain | null;
}

export interface HookPlan {
  hook: HookName;
  /** What nat rewrites at this hook: the destination at PREROUTING/OUTPUT, the source at INPUT/POSTROUTING. */
  natManip: 'dst' | 'src' | undefined;
  /** Every table of TABLE_ORDER[hook], in order, present or not. */
  stages: HookStage[];
}

export type FamilyPlan = Record<HookName, HookPlan>;

// A family's tables and chains are fixed once the loader has built them (lazy rules
// are parsed in place, inside their chains), so one plan serves every packet.
const PLANS = new WeakMap<FamilyRules, FamilyPlan>();
const NO_RULES = build(undefined);

export function familyPlan(rules: FamilyRules | undefined): FamilyPlan {
  if (!rules) return NO_RULES;
  let plan = PLANS.get(rules);
  if (plan === undefined) {
    plan = build(rules);
    PLANS.set(rules, plan);
  }
  return plan;
}

function build(rules: FamilyRules | undefined): FamilyPlan {
  const hookPlan = (hook: HookName): HookPlan => ({
    hook,
    natManip: NAT_MANIP[hook],
    stages: TABLE_ORDER[hook].map((name) => stage(name, rules?.tables.get(name), hook)),
  });
  return {
    PREROUTING: hookPlan('PREROUTING'),
    INPUT: hookPlan('INPUT'),
    FORWARD: hookPlan('FORWARD'),
    OUTPUT: hookPlan('OUTPUT'),
    POSTROUTING: hookPlan('POSTROUTING'),
  };
}

function stage(name: TableName, table: Table | undefined, hook: HookName): HookStage {
  const builtin = table?.chains.get(hook);
  return table && builtin?.builtin ? { name, table, builtin } : { name, table: null, builtin: null };
}
