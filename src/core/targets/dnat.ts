/**
 * `-j DNAT --to-destination [ipaddr[-ipaddr]][:port[-port[/base]]] [--random] [--persistent]`
 * (nat PREROUTING/OUTPUT). Returns the destination binding; the engine applies it.
 */
import { defineMappingTarget } from './nat.js';

export const dnatTarget = defineMappingTarget({
  name: 'DNAT',
  option: 'to-destination',
  manip: 'dst',
  hooks: ['PREROUTING', 'OUTPUT'],
  flags: ['random', 'persistent'],
  allowOffset: true,
});
