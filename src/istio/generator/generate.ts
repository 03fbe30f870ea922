/**
 * generateRules: the iptables-restore input istio-iptables (istio-init) or the
 * istio-cni plugin feeds per family, in Istio's order of operations, plus the
 * `ip` commands it runs and notes on what was assumed.
 */
import type { IstioOptions } from './options.js';
import { buildContext } from './context.js';
import { generateLegacy } from './legacy.js';
import { generateModern } from './modern.js';
import { ipCommands } from './tproxy.js';
import { validateOptions } from './validate.js';
import { formatRelease } from './version.js';

export interface GeneratedRules {
  /** Exactly the iptables-restore input per family; ipv6 is null unless options.ipv6. */
  restore: { ipv4: string; ipv6: string | null };
  /** Policy routing for TPROXY and the IPv6 `::6` address, as `ip` commands. */
  ipCommands: string[];
  notes: string[];
}

export function generateRules(o: IstioOptions): GeneratedRules {
  const { release, f, notes } = validateOptions(o);
  const ctx = buildContext(o, release, f, notes);
  if (f.unifiedIpv6) generateModern(ctx);
  else generateLegacy(ctx);
  const render = { declareJumpTargets: f.declareJumpTargets };
  const ipv4 = ctx.b.render('ipv4', render);
  const ipv6 = o.ipv6 ? ctx.b.render('ipv6', render) : null;
  const manyTables = ctx.b.tables('ipv4').length > 1 || (o.ipv6 && ctx.b.tables('ipv6').length > 1);
  if (!f.sortedTables && manyTables) {
    notes.push(
      `istio-iptables ${formatRelease(release)} wrote the tables of its restore input in Go map order (random per run); they are listed alphabetically here`,
    );
  }
  return { restore: { ipv4, ipv6 }, ipCommands: ipCommands(ctx), notes };
}
