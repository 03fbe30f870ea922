/**
 * `-j SNAT --to-source [ipaddr[-ipaddr]][:port[-port]] [--random] [--random-fully] [--persistent]`
 * (nat POSTROUTING/INPUT). Returns the source binding; the engine applies it.
 */
import { defineMappingTarget } from './nat.js';

export const snatTarget = defineMappingTarget({
  name: 'SNAT',
  option: 'to-source',
  manip: 'src',
  hooks: ['POSTROUTING', 'INPUT'],
  flags: ['random', 'random-fully', 'persistent'],
  allowOffset: false,
});
