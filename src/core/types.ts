/** Vocabulary shared by every core layer. Pure types, no behaviour. */

export type Family = 'ipv4' | 'ipv6';

export const HOOKS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const;
export type HookName = (typeof HOOKS)[number];

export const TABLES = ['raw', 'mangle', 'nat', 'filter', 'security'] as const;
export type TableName = (typeof TABLES)[number];

/** Three-valued logic: a match we cannot evaluate is 'unknown', never a guess. */
export type Tri = 'yes' | 'no' | 'unknown';

/** AND over three values: one 'no' decides; otherwise one 'unknown' taints. */
export function triAnd(a: Tri, b: Tri): Tri {
  if (a === 'no' || b === 'no') return 'no';
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return 'yes';
}

/** XOR with an inversion flag, as every iptables match does ("condition ^ invert"). */
export function triInvert(v: Tri, invert: boolean): Tri {
  if (!invert || v === 'unknown') return v;
  return v === 'yes' ? 'no' : 'yes';
}

export function boolTri(b: boolean): Tri {
  return b ? 'yes' : 'no';
}
