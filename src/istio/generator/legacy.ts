/**
 * Istio 1.5-1.11: IPv4 and IPv6 were built by separate code (reference §1.2,
 * §1.3; `run()` + `handleInboundIpv6Rules` in istio@1.10 tools/istio-iptables/pkg/cmd/run.go).
 * The IPv6 function is nat-only: no DNS, no TPROXY (IPv6 inbound uses REDIRECT
 * even in TPROXY mode), no loopback-include check, and with '*' it inserts
 * kube-virt RETURNs where IPv4 inserts ISTIO_REDIRECT jumps.
 */
import type { GenContext } from './context.js';
import { dnsTcpRules, dnsUdpRules } from './dns.js';
import { inboundPortsInclude, natCaptureChains } from './inbound.js';
import {
  excludeCidrRules,
  includeRules,
  kubevirtReturns,
  loopbackReturn,
  outboundPortExcludes,
  outboundPortsInclude,
  outputJump,
  ownerRules,
  passthroughReturn,
} from './outbound.js';
import { tproxyMarkRules } from './tproxy.js';

export function generateLegacy(ctx: GenContext): void {
  const { f, dns } = ctx;
  // 1.10+: short-circuit the virtual interfaces before anything else (both families).
  if (f.kubevirtReturnFirst) kubevirtReturns(ctx, 'both');
  natCaptureChains(ctx, 'v4', { inRedirectQuirk: true });
  inboundPortsInclude(ctx, 'v4', ctx.tproxy);
  outputJump(ctx, 'v4');
  outboundPortExcludes(ctx, 'v4');
  passthroughReturn(ctx, 'v4');
  ownerRules(ctx, 'v4', { dnsGuards: dns.on, loopbackCheck: f.loopbackIncludeCheck, tunnelGuard: false });
  if (dns.on) dnsTcpRules(ctx, 'v4');
  loopbackReturn(ctx, 'v4');
  excludeCidrRules(ctx, 'v4');
  outboundPortsInclude(ctx, 'v4');
  // 1.5: the RETURN inserts came right before the include rules (golden mode_tproxy at PR 19308).
  if (!f.kubevirtReturnFirst) kubevirtReturns(ctx, 'v4');
  includeRules(ctx, 'v4', { wildcardTarget: 'ISTIO_REDIRECT', trailingReturn: true });
  if (ctx.o.ipv6) legacyIpv6(ctx);
  if (dns.on) dnsUdpRules(ctx, 'v4');
  if (ctx.tproxy) tproxyMarkRules(ctx, 'v4');
}

function legacyIpv6(ctx: GenContext): void {
  natCaptureChains(ctx, 'v6', { inRedirectQuirk: false });
  inboundPortsInclude(ctx, 'v6', false);
  outputJump(ctx, 'v6');
  outboundPortExcludes(ctx, 'v6');
  passthroughReturn(ctx, 'v6');
  ownerRules(ctx, 'v6', { dnsGuards: false, loopbackCheck: false, tunnelGuard: false });
  loopbackReturn(ctx, 'v6');
  excludeCidrRules(ctx, 'v6');
  outboundPortsInclude(ctx, 'v6');
  includeRules(ctx, 'v6', { wildcardTarget: 'RETURN', trailingReturn: true });
}
