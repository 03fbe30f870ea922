/**
 * Hooks and the order in which tables run at each, as data. Order follows
 * the registration priorities in linux/netfilter_ipv4.h (lower runs first):
 * raw -300, mangle -150, nat DNAT -100, filter 0, security 50, nat SNAT 100.
 *
 *                     locally generated
 *                            |
 *   in -> PREROUTING -> route -> INPUT -> socket     route -> OUTPUT -> route -> POSTROUTING -> out
 *                          \                                              /
 *                           `-----------> FORWARD -----------------------'
 */
import type { HookName, TableName } from '../types.js';

export const TABLE_ORDER: Record<HookName, readonly TableName[]> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'security', 'nat'],
  FORWARD: ['mangle', 'filter', 'security'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter', 'security'],
  POSTROUTING: ['mangle', 'nat'],
};

/** nat manipulates the destination at PREROUTING/OUTPUT and the source at INPUT/POSTROUTING. */
export const NAT_MANIP: Partial<Record<HookName, 'dst' | 'src'>> = {
  PREROUTING: 'dst',
  OUTPUT: 'dst',
  INPUT: 'src',
  POSTROUTING: 'src',
};
