/**
 * Every target the engine models, listed explicitly. Jumps to user chains are
 * not targets; the walker handles them.
 */
import type { TargetModule } from './define.js';
import { acceptTarget, dropTarget, returnTarget } from './standard.js';

export const TARGETS = {
  ACCEPT: acceptTarget,
  DROP: dropTarget,
  RETURN: returnTarget,
} satisfies Record<string, TargetModule<any>>;

const BY_NAME = new Map<string, TargetModule<any>>(
  (Object.values(TARGETS) as TargetModule<any>[]).map((t) => [t.name, t]),
);

export function findTarget(name: string): TargetModule<any> | undefined {
  return BY_NAME.get(name);
}

/**
 * Target extensions that exist in iptables but are not modelled. A `-j` to one
 * of these is kept verbatim and evaluates to unknown; any other unresolved name
 * is a jump to a missing chain, which iptables-restore rejects.
 */
export const UNMODELLED_TARGETS = new Set([
  'AUDIT', 'CHECKSUM', 'CLASSIFY', 'CLUSTERIP', 'CONNSECMARK', 'DSCP', 'ECN', 'HL', 'HMARK',
  'IDLETIMER', 'LED', 'NETMAP', 'NFQUEUE', 'NOTRACK', 'QUEUE', 'RATEEST', 'SECMARK', 'SET',
  'SYNPROXY', 'TCPMSS', 'TCPOPTSTRIP', 'TEE', 'TOS', 'TTL', 'ULOG', 'DNPT', 'SNPT', 'MIRROR',
  'IPMARK', 'TARPIT', 'DELUDE', 'CHAOS', 'NOTRACK',
]);
