/**
 * The kernel's hooks as data. Each hook runs a list of stages in ascending
 * priority: base chains (a table's entry chain, registered at the hook) and the
 * kernel's own steps between them (conntrack, confirmation). Priorities are the
 * kernel's (linux/netfilter_ipv4.h, lower runs first); traverse() only runs the
 * list, so nothing there knows a table by its name.
 *
 *                     locally generated
 *                            |
 *   in -> PREROUTING -> route -> INPUT -> socket     route -> OUTPUT -> route -> POSTROUTING -> out
 *                          \                                              /
 *                           `-----------> FORWARD -----------------------'
 *
 * Routing is not a hook stage: it runs between hooks (after PREROUTING, before
 * OUTPUT), and again inside OUTPUT where a base chain of kind route or nat
 * changed what routing reads (ip_route_me_harder, see REROUTE).
 */
import type { HookName, TableName } from '../types.js';

export const HOOK_NAMES: readonly HookName[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

/**
 * What the kernel does around a base chain of each kind (nft's chain types):
 * filter only filters; route (mangle OUTPUT) re-routes when the mark or an
 * address changed; nat runs for a connection's first packet only, as one
 * nat stage per hook, and at OUTPUT re-routes when it changed the destination.
 */
export type BaseChainKind = 'filter' | 'nat' | 'route';

/** A base chain as the kernel registers it. iptables names it after the hook; nftables names it freely. */
export interface BaseChainSpec {
  table: TableName;
  /** The chain's name in its table. */
  chain: string;
  hook: HookName;
  priority: number;
  kind: BaseChainKind;
}

/**
 * The kernel's own steps at a hook: conntrack attaches (or creates) the entry; nat applies a
 * connection's bindings (a reply's inverse ones) and, for a first packet, runs the nat base
 * chains of the hook, as one; confirm enters a new entry in the table.
 */
export type KernelStepName = 'conntrack' | 'nat' | 'confirm';

export interface KernelStepSpec {
  step: KernelStepName;
  hook: HookName;
  priority: number;
}

/**
 * enum nf_ip_hook_priorities, except security: `iptables` here is iptables-nft, whose nft.c
 * registers the security table's base chains at priority 150 (its comment says NF_IP_PRI_SECURITY,
 * but that is 50, where iptables-legacy registers it). So at INPUT, nat (srcnat 100) runs
 * before security (measured on Linux 6.18, iptables-nft 1.8.9).
 */
export const PRIORITY = {
  raw: -300,
  conntrack: -200,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 150,
  srcnat: 100,
  confirm: 2147483647,
} as const;

const base = (table: TableName, hook: HookName, priority: number, kind: BaseChainKind): BaseChainSpec => ({ table, chain: hook, hook, priority, kind });

/** iptables' tables as base chains: fixed priorities, each entry chain named after its hook. */
export const IPTABLES_BASE_CHAINS: readonly BaseChainSpec[] = [
  base('raw', 'PREROUTING', PRIORITY.raw, 'filter'),
  base('raw', 'OUTPUT', PRIORITY.raw, 'filter'),
  base('mangle', 'PREROUTING', PRIORITY.mangle, 'filter'),
  base('mangle', 'INPUT', PRIORITY.mangle, 'filter'),
  base('mangle', 'FORWARD', PRIORITY.mangle, 'filter'),
  // iptable_mangle's OUTPUT hook re-routes a packet whose mark or addresses it changed.
  base('mangle', 'OUTPUT', PRIORITY.mangle, 'route'),
  base('mangle', 'POSTROUTING', PRIORITY.mangle, 'filter'),
  base('nat', 'PREROUTING', PRIORITY.dstnat, 'nat'),
  base('nat', 'OUTPUT', PRIORITY.dstnat, 'nat'),
  base('nat', 'INPUT', PRIORITY.srcnat, 'nat'),
  base('nat', 'POSTROUTING', PRIORITY.srcnat, 'nat'),
  base('filter', 'INPUT', PRIORITY.filter, 'filter'),
  base('filter', 'FORWARD', PRIORITY.filter, 'filter'),
  base('filter', 'OUTPUT', PRIORITY.filter, 'filter'),
  base('security', 'INPUT', PRIORITY.security, 'filter'),
  base('security', 'FORWARD', PRIORITY.security, 'filter'),
  base('security', 'OUTPUT', PRIORITY.security, 'filter'),
];

/**
 * Conntrack looks the packet up where packets enter the stack; it confirms a new entry where they
 * leave it. nat's hook function is registered at all four nat hooks as soon as the family has one
 * nat base chain (nf_nat_register_fn), so bindings are applied even where no nat chain is declared.
 */
export const KERNEL_STEPS: readonly KernelStepSpec[] = [
  { step: 'conntrack', hook: 'PREROUTING', priority: PRIORITY.conntrack },
  { step: 'conntrack', hook: 'OUTPUT', priority: PRIORITY.conntrack },
  { step: 'nat', hook: 'PREROUTING', priority: PRIORITY.dstnat },
  { step: 'nat', hook: 'OUTPUT', priority: PRIORITY.dstnat },
  { step: 'nat', hook: 'INPUT', priority: PRIORITY.srcnat },
  { step: 'nat', hook: 'POSTROUTING', priority: PRIORITY.srcnat },
  { step: 'confirm', hook: 'INPUT', priority: PRIORITY.confirm },
  { step: 'confirm', hook: 'POSTROUTING', priority: PRIORITY.confirm },
];

/** nat rewrites the destination where a packet enters (PREROUTING, OUTPUT), the source where it leaves (INPUT, POSTROUTING). */
export const NAT_MANIP: Partial<Record<HookName, 'dst' | 'src'>> = {
  PREROUTING: 'dst',
  OUTPUT: 'dst',
  INPUT: 'src',
  POSTROUTING: 'src',
};

/**
 * What makes the kernel re-route a locally generated packet right after a base chain
 * (ip_route_me_harder; a failure drops the packet there): a route chain at OUTPUT
 * for a changed mark or address, a nat chain at OUTPUT for a changed destination.
 * The hook's `-o` stays the device chosen before OUTPUT; POSTROUTING gets the new one.
 */
export const REROUTE: Partial<Record<BaseChainKind, { hook: HookName; on: ReadonlyArray<'mark' | 'src' | 'dst'> }>> = {
  route: { hook: 'OUTPUT', on: ['mark', 'src', 'dst'] },
  nat: { hook: 'OUTPUT', on: ['dst'] },
};

/** The tables iptables registers at each hook, in the order they run (from IPTABLES_BASE_CHAINS). */
export const TABLE_ORDER: Record<HookName, readonly TableName[]> = {
  PREROUTING: tablesAt('PREROUTING'),
  INPUT: tablesAt('INPUT'),
  FORWARD: tablesAt('FORWARD'),
  OUTPUT: tablesAt('OUTPUT'),
  POSTROUTING: tablesAt('POSTROUTING'),
};

function tablesAt(hook: HookName): TableName[] {
  return inPriorityOrder(IPTABLES_BASE_CHAINS.filter((b) => b.hook === hook)).map((b) => b.table);
}

/**
 * Sort by ascending priority; at equal priority the one registered last runs first
 * (nf_register_net_hook inserts before entries of the same priority).
 */
export function inPriorityOrder<T extends { priority: number }>(registered: readonly T[]): T[] {
  return registered
    .map((item, order) => ({ item, order }))
    .sort((a, b) => a.item.priority - b.item.priority || b.order - a.order)
    .map((x) => x.item);
}
