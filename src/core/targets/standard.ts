/** The standard verdicts: ACCEPT, DROP, RETURN (and QUEUE, which we cannot follow). */
import { defineTarget } from './define.js';

export const acceptTarget = defineTarget<Record<string, never>>({
  name: 'ACCEPT',
  options: [],
  build: () => ({}),
  save: () => '',
  apply: () => ({ verdict: 'accept' }),
});

export const dropTarget = defineTarget<Record<string, never>>({
  name: 'DROP',
  options: [],
  // iptables refuses DROP in nat: 'The "nat" table is not intended for filtering, the use
  // of DROP is therefore inhibited.' (measured, iptables-nft 1.8.9).
  tables: ['raw', 'mangle', 'filter', 'security'],
  build: () => ({}),
  save: () => '',
  apply: () => ({ verdict: 'drop' }),
});

export const returnTarget = defineTarget<Record<string, never>>({
  name: 'RETURN',
  options: [],
  build: () => ({}),
  save: () => '',
  apply: () => ({ verdict: 'return' }),
});
