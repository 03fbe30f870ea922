/**
 * Inbound capture: the nat capture chains (ISTIO_INBOUND tunnel RETURN,
 * ISTIO_REDIRECT, ISTIO_IN_REDIRECT) and the PREROUTING → ISTIO_INBOUND
 * rules, in nat (REDIRECT) or mangle (TPROXY: ISTIO_DIVERT, ISTIO_TPROXY).
 * Reference §1.2-§1.4 (REDIRECT), §1.7 (TPROXY).
 */
import { FAMILY_VALUE, type Fams } from './builder.js';
import { ISTIO_DIVERT, ISTIO_IN_REDIRECT, ISTIO_INBOUND, ISTIO_REDIRECT, ISTIO_TPROXY, type GenContext } from './context.js';

/**
 * `ISTIO_INBOUND --dport 15008 RETURN` (1.7+, appended before the PREROUTING
 * jump, so it is rule 1 — §1.3), then the two REDIRECT chains.
 */
export function natCaptureChains(ctx: GenContext, fams: Fams, opts: { inRedirectQuirk: boolean }): void {
  const { b, f, o } = ctx;
  if (f.tunnelPort) b.append(fams, 'nat', ISTIO_INBOUND, '-p', 'tcp', '--dport', String(o.tunnelPort), '-j', 'RETURN');
  b.append(fams, 'nat', ISTIO_REDIRECT, '-p', 'tcp', '-j', 'REDIRECT', ctx.toPorts, String(o.outboundPort));
  // §1.2: 1.5 sent inbound to the outbound port unless -b was "*" (fixed in 1.6 by PR 22686); an empty -b
  // counts too (1.5 golden empty_parameter_golden.txt: ISTIO_IN_REDIRECT --to-port 15001).
  const quirk = opts.inRedirectQuirk && f.inRedirectToProxyPortUnlessWildcard && !ctx.inboundAll;
  b.append(fams, 'nat', ISTIO_IN_REDIRECT, '-p', 'tcp', '-j', 'REDIRECT', ctx.toPorts, String(quirk ? o.outboundPort : o.inboundPort));
}

/** handleInboundPortsInclude: nothing when includeInboundPorts is empty. */
export function inboundPortsInclude(ctx: GenContext, fams: Fams, tproxy: boolean): void {
  const { b, f, o } = ctx;
  if (!ctx.includeInbound) return;
  const mark = String(o.tproxyMark);
  let table: 'nat' | 'mangle' = 'nat';
  if (tproxy) {
    // §1.7: ISTIO_DIVERT marks and accepts; ISTIO_TPROXY hands new connections to Envoy.
    b.append(fams, 'mangle', ISTIO_DIVERT, '-j', 'MARK', '--set-mark', mark);
    b.append(fams, 'mangle', ISTIO_DIVERT, '-j', 'ACCEPT');
    // TPROXY --on-port was the outbound port until 1.8, the inbound capture port from 1.9 (PR 28457).
    const onPort = String(f.tproxyOnInboundPort ? o.inboundPort : o.outboundPort);
    b.appendFor(fams, ctx.loop4, '::1/128', 'mangle', ISTIO_TPROXY, '!', '-d', FAMILY_VALUE, '-p', 'tcp', '-j', 'TPROXY', '--tproxy-mark', `${mark}/0xffffffff`, '--on-port', onPort);
    table = 'mangle';
  }
  b.append(fams, table, 'PREROUTING', '-p', 'tcp', '-j', ISTIO_INBOUND);

  const established = (extra: string[]): void => {
    if (f.tproxyConntrack) {
      b.append(fams, 'mangle', ISTIO_INBOUND, '-p', 'tcp', ...extra, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', ISTIO_DIVERT);
    } else {
      b.append(fams, 'mangle', ISTIO_INBOUND, '-p', 'tcp', ...extra, '-m', 'socket', '-j', ISTIO_DIVERT);
    }
  };

  if (ctx.inboundAll) {
    // §1.2/§1.3: SSH is returned first (hard-coded until 1.12, removed in 1.13 by PR 36312).
    if (f.port22) b.append(fams, table, ISTIO_INBOUND, '-p', 'tcp', '--dport', '22', '-j', 'RETURN');
    for (const p of o.excludeInboundPorts) b.append(fams, table, ISTIO_INBOUND, '-p', 'tcp', '--dport', String(p), '-j', 'RETURN');
    if (tproxy) {
      established([]);
      b.append(fams, 'mangle', ISTIO_INBOUND, '-p', 'tcp', '-j', ISTIO_TPROXY);
    } else {
      b.append(fams, 'nat', ISTIO_INBOUND, '-p', 'tcp', '-j', ISTIO_IN_REDIRECT);
    }
    return;
  }
  for (const p of ctx.inboundPorts) {
    if (tproxy) {
      established(['--dport', p]);
      // The `-m socket` generators (1.5) appended the per-port socket rule twice (golden mode_tproxy at PR 19308).
      if (!f.tproxyConntrack) established(['--dport', p]);
      b.append(fams, 'mangle', ISTIO_INBOUND, '-p', 'tcp', '--dport', p, '-j', ISTIO_TPROXY);
    } else {
      b.append(fams, 'nat', ISTIO_INBOUND, '-p', 'tcp', '--dport', p, '-j', ISTIO_IN_REDIRECT);
    }
  }
}
