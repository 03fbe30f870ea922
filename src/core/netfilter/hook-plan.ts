/**
 * What each hook runs in one family's rules, prepared once from the data in
 * hooks.ts: the base chains the rules register there and the kernel's own steps,
 * in priority order. traverse() runs these stages; the layers above ask the plan
 * which chains are base chains instead of assuming a chain named after its hook.
 */
import type { Chain, FamilyRules, Table } from '../ruleset/model.js';
import type { Family, HookName } from '../types.js';
import { HOOK_NAMES, inPriorityOrder, IPTABLES_BASE_CHAINS, KERNEL_STEPS, NAT_MANIP, type BaseChainSpec, type KernelStepName } from './hooks.js';

/** A base chain of the rules: where a walk starts, with its table and policy. */
export interface BaseChain extends BaseChainSpec {
  family: Family;
  policy: 'ACCEPT' | 'DROP';
  tableRef: Table;
  chainRef: Chain;
}

/** Every stage has every field (one object shape, which keeps the per-packet loop fast). */
interface StageFields {
  priority: number;
  step: KernelStepName | null;
  base: BaseChain | null;
  chains: BaseChain[];
}

export type HookStage =
  | (StageFields & { type: 'chain'; base: BaseChain })
  | (StageFields & { type: 'kernel'; step: Exclude<KernelStepName, 'nat'> })
  /** nat's hook function, with the nat base chains it runs (in their order) for a first packet. */
  | (StageFields & { type: 'nat' });

export interface HookPlan {
  hook: HookName;
  /** What nat rewrites at this hook: the destination at PREROUTING/OUTPUT, the source at INPUT/POSTROUTING. */
  natManip: 'dst' | 'src' | undefined;
  /** Base chains and kernel steps, in the order the kernel runs them. */
  stages: HookStage[];
  /** The base chain of each table at this hook (iptables: one per table). */
  byTable: Map<string, BaseChain>;
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

/** The base chains the rules register at `hook`, in the order they run. */
export function baseChains(rules: FamilyRules | undefined, hook: HookName): BaseChain[] {
  const out: BaseChain[] = [];
  for (const s of familyPlan(rules)[hook].stages) {
    if (s.type === 'chain') out.push(s.base);
    else if (s.type === 'nat') out.push(...s.chains);
  }
  return out;
}

/** The base chain of `table` at `hook`, if the rules register one. */
export function baseChainOf(rules: FamilyRules | undefined, hook: HookName, table: string): BaseChain | null {
  return familyPlan(rules)[hook].byTable.get(table) ?? null;
}

/** Is `chain` of `table` the base chain that `hook` enters (as opposed to a chain reached by a jump)? */
export function isBaseChain(rules: FamilyRules | undefined, hook: HookName, table: string, chain: string): boolean {
  return baseChainOf(rules, hook, table)?.chain === chain;
}

/** isBaseChain for one family's rules, with the plan looked up once (for callers that ask per step). */
export function baseChainTest(rules: FamilyRules | undefined): (s: { hook: HookName; table: string; chain: string }) => boolean {
  const plan = familyPlan(rules);
  return (s) => plan[s.hook].byTable.get(s.table)?.chain === s.chain;
}

/** iptables registers a table's base chain where the table has the built-in chain of that hook (an undeclared one is not traversed). */
function registered(rules: FamilyRules): BaseChain[] {
  const out: BaseChain[] = [];
  for (const spec of IPTABLES_BASE_CHAINS) {
    const table = rules.tables.get(spec.table);
    const chain = table?.chains.get(spec.chain);
    if (!table || !chain?.builtin) continue;
    out.push({ ...spec, family: rules.family, policy: chain.policy ?? 'ACCEPT', tableRef: table, chainRef: chain });
  }
  return out;
}

function build(rules: FamilyRules | undefined): FamilyPlan {
  const chains = rules ? registered(rules) : [];
  const hasNat = chains.some((b) => b.kind === 'nat');
  const hookPlan = (hook: HookName): HookPlan => {
    const stages: HookStage[] = [];
    const here = inPriorityOrder(chains.filter((b) => b.hook === hook));
    for (const k of KERNEL_STEPS) {
      if (k.hook !== hook) continue;
      if (k.step !== 'nat') stages.push({ type: 'kernel', priority: k.priority, step: k.step, base: null, chains: [] });
      else if (hasNat) stages.push({ type: 'nat', priority: k.priority, step: 'nat', base: null, chains: here.filter((b) => b.kind === 'nat') });
    }
    const byTable = new Map<string, BaseChain>();
    for (const b of here) {
      if (b.kind !== 'nat') stages.push({ type: 'chain', priority: b.priority, step: null, base: b, chains: [] });
      if (!byTable.has(b.table)) byTable.set(b.table, b);
    }
    return { hook, natManip: NAT_MANIP[hook], stages: inPriorityOrder(stages), byTable };
  };
  return Object.fromEntries(HOOK_NAMES.map((h) => [h, hookPlan(h)])) as FamilyPlan;
}
