/**
 * TPROXY mode beyond the inbound chains (reference §1.7): mark save/restore
 * with CONNMARK (1.9+), the 1338 mark for Envoy's calls to its own pod IP and
 * the three `-I ISTIO_INBOUND n` inserts (1.11+), and the policy-routing
 * commands istio-iptables runs next to iptables-restore. Also the IPv6
 * `::6/128` address (§3.3) and drop-invalid.
 */
import { FAMILY_VALUE, type Fams } from './builder.js';
import { ISTIO_DROP, ISTIO_INBOUND, OUTBOUND_MARK, type GenContext } from './context.js';

export function tproxyMarkRules(ctx: GenContext, fams: Fams): void {
  const { b, f, o } = ctx;
  if (!f.tproxyConnmark) return; // 1.5-1.8: only ISTIO_DIVERT / ISTIO_TPROXY (`-m socket`).
  const mark = String(o.tproxyMark);
  // Save the mark set by Envoy's original_src filter on the connection, restore it on the app's replies.
  b.append(fams, 'mangle', 'PREROUTING', '-p', 'tcp', '-m', 'mark', '--mark', mark, '-j', 'CONNMARK', '--save-mark');
  if (f.tproxy1338) {
    b.append(fams, 'mangle', 'OUTPUT', '-p', 'tcp', '-o', 'lo', '-m', 'mark', '--mark', mark, '-j', 'RETURN');
    for (const u of ctx.uids) {
      b.appendFor(fams, ctx.loop4, '::1/128', 'mangle', 'OUTPUT', '!', '-d', FAMILY_VALUE, '-p', 'tcp', '-o', 'lo', '-m', 'owner', '--uid-owner', u, '-j', 'MARK', '--set-mark', OUTBOUND_MARK);
    }
    for (const g of ctx.gids) {
      b.appendFor(fams, ctx.loop4, '::1/128', 'mangle', 'OUTPUT', '!', '-d', FAMILY_VALUE, '-p', 'tcp', '-o', 'lo', '-m', 'owner', '--gid-owner', g, '-j', 'MARK', '--set-mark', OUTBOUND_MARK);
    }
  }
  b.append(fams, 'mangle', 'OUTPUT', '-p', 'tcp', '-m', 'connmark', '--mark', mark, '-j', 'CONNMARK', '--restore-mark');
  // Inserted after every append, so they end up first in ISTIO_INBOUND (§1.7, §2.3 item 3).
  b.insert(fams, 'mangle', ISTIO_INBOUND, 1, '-p', 'tcp', '-m', 'mark', '--mark', mark, '-j', 'RETURN');
  if (f.tproxy1338) {
    if (fams !== 'v6') b.insert('v4', 'mangle', ISTIO_INBOUND, 2, '-p', 'tcp', '-s', '127.0.0.6/32', '-i', 'lo', '-j', 'RETURN');
    if (fams !== 'v4') b.insert('v6', 'mangle', ISTIO_INBOUND, 2, '-p', 'tcp', '-s', '::6/128', '-i', 'lo', '-j', 'RETURN');
    b.insert(fams, 'mangle', ISTIO_INBOUND, 3, '-p', 'tcp', '-i', 'lo', '-m', 'mark', '!', '--mark', OUTBOUND_MARK, '-j', 'RETURN');
  }
}

/** Drop packets conntrack calls INVALID (golden drop-invalid): direct DROP ≤1.24, ISTIO_DROP chain 1.25+. */
export function dropInvalidRules(ctx: GenContext): void {
  const { b, f } = ctx;
  if (f.dropChain) {
    b.append('both', 'mangle', 'PREROUTING', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', ISTIO_DROP);
    b.append('both', 'mangle', ISTIO_DROP, '-j', 'DROP');
  } else {
    b.append('both', 'mangle', 'PREROUTING', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
  }
}

/**
 * Commands run besides iptables-restore: `ip -6 addr add ::6/128 dev lo` for
 * IPv6 (configureIPv6Addresses), and the TPROXY policy routing
 * (configureTProxyRoutes; IPv6 twins once IPv6 TPROXY existed, 1.12+).
 */
export function ipCommands(ctx: GenContext): string[] {
  const { o, f } = ctx;
  const out: string[] = [];
  if (o.ipv6) out.push('ip -6 addr add ::6/128 dev lo');
  if (ctx.tproxy && ctx.includeInbound) {
    const fams = o.ipv6 && f.unifiedIpv6 ? ['inet', 'inet6'] : ['inet'];
    for (const fam of fams) out.push(`ip -f ${fam} rule add fwmark ${o.tproxyMark} lookup ${o.tproxyTable}`);
    for (const fam of fams) out.push(`ip -f ${fam} route add local default dev lo table ${o.tproxyTable}`);
  }
  return out;
}
