/** Run one rule's target on a packet: the shared plumbing of the target tests. */
import type { HostView, Packet } from '../../../src/core/netfilter/packet.js';
import type { TargetModule, TargetOutcome } from '../../../src/core/targets/define.js';
import type { Family, HookName, TableName } from '../../../src/core/types.js';
import { ctx, fakeHost, ruleOf } from '../../helpers/packet.js';

/** The target module and built options of a rule spec such as `-p tcp -j REDIRECT --to-ports 15001`. */
export function targetOf(spec: string, table: TableName, family: Family = 'ipv4'): { module: TargetModule<unknown>; options: unknown } {
  const rule = ruleOf(spec, table, family);
  if (rule.target.kind !== 'module') throw new Error(`"${spec}" has no modelled target (${rule.target.kind})`);
  return { module: rule.target.module, options: rule.target.options };
}

export interface RunOpts {
  table: TableName;
  hook: HookName;
  host?: HostView;
}

/** Parse `spec` for the packet's family and apply its target to `pkt` (which it may change). */
export function run(spec: string, pkt: Packet, o: RunOpts): TargetOutcome {
  const { module, options } = targetOf(spec, o.table, pkt.family);
  return module.apply(options, pkt, ctx(o.hook, o.table, pkt.family, o.host ?? fakeHost()));
}

/** The detail text of an outcome ('' when it has none). */
export function detailOf(out: TargetOutcome): string {
  return 'detail' in out && out.detail !== undefined ? out.detail : '';
}
