/** Which built-in chains each table has (iptables(8), "TABLES"). */
import type { HookName, TableName } from '../types.js';

export const BUILTIN_CHAINS: Record<TableName, readonly HookName[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** The longest built-in chain name (POSTROUTING): longer names are user chains without a search. */
const LONGEST = Math.max(...Object.values(BUILTIN_CHAINS).flat().map((name) => name.length));

export function isBuiltinChain(table: TableName, chain: string): chain is HookName {
  return chain.length <= LONGEST && (BUILTIN_CHAINS[table] as readonly string[]).includes(chain);
}
