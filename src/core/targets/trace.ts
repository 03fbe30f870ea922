/**
 * `-j TRACE`: ask netfilter to report every rule the packet matches from here on. No
 * options; it never changes the packet's path. xt_TRACE is raw-only, but iptables-nft
 * writes TRACE as nft's own `meta nftrace set 1`, which any table takes: measured with
 * iptables-restore 1.8.9 (nf_tables) on Linux 6.18, so no table is refused here.
 */
import { defineTarget } from './define.js';

export const traceTarget = defineTarget<Record<string, never>>({
  name: 'TRACE',
  options: [],
  build: () => ({}),
  save: () => '',
  apply: () => ({ verdict: 'continue', detail: 'trace: the kernel logs every rule this packet traverses from here on' }),
});
