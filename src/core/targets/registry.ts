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

