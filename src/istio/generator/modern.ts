/**
 * Istio 1.12+: one code path for both families (AppendRule / AppendVersionedRule;
 * istio@1.13 tools/istio-iptables/pkg/capture/run.go `Run()`, istio@main the same
 * file, reference §1.4, §1.6-§1.8). Order of operations as Run() emits them.
 */
import type { GenContext } from './context.js';
import { dnsChainRules, dnsTcpRules, dnsUdpRules } from './dns.js';
import { inboundPortsInclude, natCaptureChains } from './inbound.js';
import {
  excludeCidrRules,
  excludeInterfaceRules,
  includeRules,
  kubevirtReturns,
  loopbackReturn,
  outboundPortExcludes,
  outboundPortsInclude,
  outputJump,
  ownerGroupRules,
  ownerRules,
  passthroughReturn,
} from './outbound.js';
import { dropInvalidRules, tproxyMarkRules } from './tproxy.js';

export function generateModern(ctx: GenContext): void {
  const { f, dns, o } = ctx;
  excludeInterfaceRules(ctx);
  kubevirtReturns(ctx, 'both');
  if (o.dropInvalid) dropInvalidRules(ctx);
  natCaptureChains(ctx, 'both', { inRedirectQuirk: false });
  inboundPortsInclude(ctx, 'both', ctx.tproxy);
  outputJump(ctx, 'both');
  outboundPortExcludes(ctx, 'both');
  passthroughReturn(ctx, 'both');
  ownerRules(ctx, 'both', { dnsGuards: dns.on, loopbackCheck: true, tunnelGuard: f.inRedirectTunnelGuard });
  ownerGroupRules(ctx, 'both');
  if (dns.on) {
    if (f.dnsChain) dnsChainRules(ctx);
    else dnsTcpRules(ctx, 'both');
  }
  loopbackReturn(ctx, 'both');
  excludeCidrRules(ctx, 'both');
  outboundPortsInclude(ctx, 'both');
  includeRules(ctx, 'v4', { wildcardTarget: 'ISTIO_REDIRECT', trailingReturn: !f.noTrailingReturn });
  includeRules(ctx, 'v6', { wildcardTarget: 'ISTIO_REDIRECT', trailingReturn: !f.noTrailingReturn });
  if (dns.on && !f.dnsChain) dnsUdpRules(ctx, 'both');
  if (ctx.tproxy) tproxyMarkRules(ctx, 'both');
}
