/**
 * Every target the engine models, listed explicitly. Jumps to user chains are
 * not targets; the walker handles them.
 */
import type { TargetModule } from './define.js';
import { acceptTarget, dropTarget, returnTarget } from './standard.js';
import { connmarkTarget } from './connmark.js';
import { ctTarget } from './ct.js';
import { dnatTarget } from './dnat.js';
import { logTarget } from './log.js';
import { markTarget } from './mark.js';
import { masqueradeTarget } from './masquerade.js';
import { nflogTarget } from './nflog.js';
import { redirectTarget } from './redirect.js';
import { rejectTarget } from './reject.js';
import { snatTarget } from './snat.js';
import { traceTarget } from './trace.js';
import { tproxyTarget } from './tproxy.js';

export const TARGETS = {
  ACCEPT: acceptTarget,
  DROP: dropTarget,
  RETURN: returnTarget,
  REJECT: rejectTarget,
  REDIRECT: redirectTarget,
  DNAT: dnatTarget,
  SNAT: snatTarget,
  MASQUERADE: masqueradeTarget,
  MARK: markTarget,
  CONNMARK: connmarkTarget,
  CT: ctTarget,
  LOG: logTarget,
  NFLOG: nflogTarget,
  TRACE: traceTarget,
  TPROXY: tproxyTarget,
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
  'IPMARK', 'TARPIT', 'DELUDE', 'CHAOS',
]);
