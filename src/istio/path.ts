/**
 * The summary path line in the blog's notation, e.g.
 * `Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 → ISTIO_REDIRECT → Envoy 15001 (Outbound) → …`.
 * It names every chain in which a rule matched (with RULE n where the chain has
 * more than one rule), the hooks where that happened, POSTROUTING/INPUT where a
 * connection passes un-redirected, and who receives each hop.
 */
import type { Ruleset } from '../core/ruleset/model.js';
import type { Hop } from '../core/trace.js';
import type { HookName } from '../core/types.js';
import { baseChainTest } from '../core/netfilter/hook-plan.js';
import { ROLE_PATH_LABEL, type ListenerRole } from './listeners.js';

export interface HopPathInfo {
  hop: Hop;
  origin: 'local' | 'remote';
  role: string | null;
  /** The port the receiving socket listens on (TPROXY leaves the packet's port unchanged). */
  listenerPort: number | null;
  /** True when a dst NAT (REDIRECT/DNAT) or TPROXY captured this hop. */
  captured: boolean;
  /** Label for where hop 1 starts. */
  startLabel: string;
}

function chainSize(ruleset: Ruleset, hop: Hop, table: string, chain: string): number {
  return ruleset.families[hop.family]?.tables.get(table as never)?.chains.get(chain)?.rules.length ?? 0;
}

function endLabel(info: HopPathInfo): string {
  const o = info.hop.outcome;
  switch (o.type) {
    case 'delivered': {
      const role = (info.role ?? 'app') as ListenerRole;
      const label = ROLE_PATH_LABEL[role] ?? ROLE_PATH_LABEL.app;
      return label(info.role === 'app' || !info.role ? o.port ?? null : info.listenerPort ?? o.port ?? null);
    }
    case 'egress':
      return 'Remote Pod';
    case 'forwarded':
      return `Forwarded via ${o.iface ?? '?'}`;
    case 'dropped':
      return 'DROP';
    case 'rejected':
      return 'REJECT';
    case 'unknown':
      return 'UNKNOWN';
    case 'hop-limit':
      return 'HOP LIMIT';
    case 'budget':
      return 'STOPPED (budget)';
  }
}

const DEFAULT_ARROW = '→';
const DEFAULT_SEPARATOR = ` ${DEFAULT_ARROW} `;

export function buildPath(ruleset: Ruleset, infos: HopPathInfo[], arrow = DEFAULT_ARROW): string {
  const tokens: string[] = [];
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i]!;
    if (i === 0) tokens.push(info.startLabel);
    pushHopTokens(ruleset, info, tokens);
  }
  return joined(tokens, arrow === DEFAULT_ARROW ? DEFAULT_SEPARATOR : ` ${arrow} `);
}

/** tokens.join(separator), by concatenation: the string is flattened once, when it is read, instead of copied here. */
function joined(tokens: string[], separator: string): string {
  let out = tokens.length ? tokens[0]! : '';
  for (let i = 1; i < tokens.length; i++) out = out + separator + tokens[i]!;
  return out;
}

function pushHopTokens(ruleset: Ruleset, info: HopPathInfo, tokens: string[]): void {
  const { hop } = info;
  const hopStart = tokens.length;
  const hooksSeen: HookName[] = [];
  let lastHook: HookName | null = null;
  const pushHook = (h: HookName) => {
    if (lastHook !== h) tokens.push(h);
    lastHook = h;
    if (!hooksSeen.includes(h)) hooksSeen.push(h);
  };
  const isBase = baseChainTest(ruleset.families[hop.family]);
  for (const s of hop.steps) {
    if (s.kind !== 'rule') continue;
    pushHook(s.hook);
    const size = chainSize(ruleset, hop, s.table, s.chain);
    // nat is Istio's table and goes unnamed; any other table is named.
    const prefix = s.table !== 'nat' ? `${s.table} ` : '';
    const isBuiltin = isBase(s);
    if (isBuiltin && size <= 1 && !prefix) continue;
    tokens.push(`${prefix}${s.chain}${size > 1 ? ` RULE ${s.rule}` : ''}`);
  }
  // Where a connection passes without being captured, show the hook that hands it on.
  const passed = hop.outcome.type === 'delivered' || hop.outcome.type === 'egress' || hop.outcome.type === 'forwarded';
  if (passed && !info.captured) {
    const finalHook: HookName = info.origin === 'local' || hop.outcome.type === 'forwarded' ? 'POSTROUTING' : 'INPUT';
    if (!hooksSeen.includes(finalHook)) {
      // A local packet crosses POSTROUTING before it loops back in over lo: put it there.
      const loopback = finalHook === 'POSTROUTING' ? tokens.indexOf('PREROUTING', hopStart) : -1;
      if (loopback >= 0) tokens.splice(loopback, 0, finalHook);
      else pushHook(finalHook);
    }
  }
  tokens.push(endLabel(info));
}
