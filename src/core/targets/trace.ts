/**
 * `-j TRACE` (raw table): ask netfilter to report every rule the packet
 * matches from here on. No options; it never changes the packet's path.
 */
import { defineTarget } from './define.js';

export const traceTarget = defineTarget<Record<string, never>>({
  name: 'TRACE',
  options: [],
  tables: ['raw'],
  build: () => ({}),
  save: () => '',
  apply: () => ({ verdict: 'continue', detail: 'trace: the kernel logs every rule this packet traverses from here on' }),
});
