/**
 * The contract of a target module: options, parse, canonical save, and what it
 * does to the packet. Jumps and gotos to user chains are not modules; the walker handles them.
 */
import type { Address } from '../net/address.js';
import type { BuildCtx, EvalCtx, OptionSpec, ParsedOption } from '../matches/define.js';
import type { Packet, LocalSocket } from '../netfilter/packet.js';
import type { HookName, TableName, Family } from '../types.js';

export interface NatChange {
  /** 'dst' for REDIRECT/DNAT, 'src' for SNAT/MASQUERADE. */
  manip: 'dst' | 'src';
  addr: Address;
  /** New port, or null to keep the port. */
  port: number | null;
}

export type TargetOutcome =
  | { verdict: 'accept'; nat?: NatChange; socket?: LocalSocket; detail?: string }
  | { verdict: 'drop'; detail?: string }
  | { verdict: 'reject'; detail?: string }
  | { verdict: 'continue'; detail?: string }
  | { verdict: 'return' }
  | { verdict: 'unknown'; detail: string };

export interface TargetModule<O> {
  /** The name after `-j`. */
  name: string;
  options: OptionSpec[];
  families?: Family[];
  /** Tables the kernel accepts the target in (e.g. REDIRECT: nat). Default: all. Enforced at load. */
  tables?: TableName[];
  /**
   * Hooks the kernel accepts (e.g. TPROXY: PREROUTING). Default: all. Enforced at load for
   * built-in chains and for the user chains they reach (sources/iptables/hook-check.ts).
   */
  hooks?: HookName[];
  /**
   * The kernel tracks connections once a rule uses it (its checkentry calls nf_ct_netns_get),
   * or a function of the options when they decide (CT --notrack does not track).
   */
  tracksConnections?: boolean | ((o: O) => boolean);
  /** It rewrites the packet's addresses or ports (NAT): a kernel trace shows the new ones after it. */
  rewritesAddresses?: boolean;
  build(options: ParsedOption[], ctx: BuildCtx): O;
  /** Canonical text after `-j NAME` (may be empty). */
  save(o: O): string;
  /**
   * Apply the target: may change packet fields (mark, conn.mark, conn.zone) in place.
   * NAT is returned, not applied, so the engine can record and re-route.
   */
  apply(o: O, pkt: Packet, ctx: EvalCtx): TargetOutcome;
}

export function defineTarget<O>(t: TargetModule<O>): TargetModule<O> {
  return t;
}
