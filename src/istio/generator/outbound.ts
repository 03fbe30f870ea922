/**
 * Outbound capture: OUTPUT → ISTIO_OUTPUT and the ISTIO_OUTPUT chain itself
 * (port exclusions, the 127.0.0.6 RETURN, one owner-rule triple per UID and
 * per GID, owner groups, the loopback RETURN, CIDR exclusions, included ports
 * and ranges). Reference §1.2-§1.4, §1.8, cheat-sheet §1.10.
 */
import { FAMILY_VALUE, type Fams } from './builder.js';
import { ISTIO_IN_REDIRECT, ISTIO_OUTPUT, ISTIO_REDIRECT, type GenContext } from './context.js';

/** `-A OUTPUT -p tcp -j ISTIO_OUTPUT` (≤1.24) or `-A OUTPUT -j ISTIO_OUTPUT` (1.25+, PR 53998, §1.8). */
export function outputJump(ctx: GenContext, fams: Fams): void {
  if (ctx.f.dnsChain) ctx.b.append(fams, 'nat', 'OUTPUT', '-j', ISTIO_OUTPUT);
  else ctx.b.append(fams, 'nat', 'OUTPUT', '-p', 'tcp', '-j', ISTIO_OUTPUT);
}

/** excludeOutboundPorts: first ISTIO_OUTPUT rules; a udp twin per port since 1.25 (§1.8, §1.10). */
export function outboundPortExcludes(ctx: GenContext, fams: Fams): void {
  for (const p of ctx.o.excludeOutboundPorts) {
    ctx.b.append(fams, 'nat', ISTIO_OUTPUT, '-p', 'tcp', '--dport', String(p), '-j', 'RETURN');
    if (ctx.f.dnsChain) ctx.b.append(fams, 'nat', ISTIO_OUTPUT, '-p', 'udp', '--dport', String(p), '-j', 'RETURN');
  }
}

/** `-o lo -s 127.0.0.6/32 -j RETURN` (::6/128 for IPv6): Envoy's inbound passthrough bind (§1.1, §3.3). */
export function passthroughReturn(ctx: GenContext, fams: Fams): void {
  ctx.b.appendFor(fams, '127.0.0.6/32', '::6/128', 'nat', ISTIO_OUTPUT, '-o', 'lo', '-s', FAMILY_VALUE, '-j', 'RETURN');
}

export interface OwnerVariant {
  /** DNS capture on: `! --dport 53` guards (the uid ISTIO_IN_REDIRECT rule and both `! --owner` RETURNs). */
  dnsGuards: boolean;
  /** Omit the `-o lo ! --uid/gid-owner RETURN` rules when includeOutboundIPRanges holds a loopback range. */
  loopbackCheck: boolean;
  /** `-p tcp ! --dport 15008` (and `-m multiport ! --dports 53,15008` with DNS) on the ISTIO_IN_REDIRECT rules (1.18+). */
  tunnelGuard: boolean;
}

/**
 * The rule triple per UID, then per GID (§1.2: rules 2-4 and 5-7 of the
 * 9-rule chain). With several UIDs/GIDs each gets its own triple (golden
 * ip-range: GID=1,2 UID=3,4).
 */
export function ownerRules(ctx: GenContext, fams: Fams, v: OwnerVariant): void {
  const { b, o } = ctx;
  const tunnel = String(o.tunnelPort);
  const dropLoopbackReturn = v.loopbackCheck && ctx.include.hasLoopback;
  const triple = (flag: '--uid-owner' | '--gid-owner', id: string, inRedirectGuard: string[]): void => {
    b.appendFor(fams, ctx.loop4, '::1/128', 'nat', ISTIO_OUTPUT, '-o', 'lo', '!', '-d', FAMILY_VALUE, ...inRedirectGuard, '-m', 'owner', flag, id, '-j', ISTIO_IN_REDIRECT);
    if (!dropLoopbackReturn) {
      if (v.dnsGuards) b.append(fams, 'nat', ISTIO_OUTPUT, '-o', 'lo', '-p', 'tcp', '!', '--dport', '53', '-m', 'owner', '!', flag, id, '-j', 'RETURN');
      else b.append(fams, 'nat', ISTIO_OUTPUT, '-o', 'lo', '-m', 'owner', '!', flag, id, '-j', 'RETURN');
    }
    b.append(fams, 'nat', ISTIO_OUTPUT, '-m', 'owner', flag, id, '-j', 'RETURN');
  };
  for (const uid of ctx.uids) {
    let guard: string[] = [];
    if (v.dnsGuards) guard = v.tunnelGuard ? ['-p', 'tcp', '-m', 'multiport', '!', '--dports', `53,${tunnel}`] : ['-p', 'tcp', '!', '--dport', '53'];
    else if (v.tunnelGuard) guard = ['-p', 'tcp', '!', '--dport', tunnel];
    triple('--uid-owner', uid, guard);
  }
  for (const gid of ctx.gids) {
    // The GID ISTIO_IN_REDIRECT rule never had the port-53 guard (§1.5 rule 5).
    triple('--gid-owner', gid, v.tunnelGuard ? ['-p', 'tcp', '!', '--dport', tunnel] : []);
  }
}

/** The owner-group arguments: `-m owner --gid-owner G` per excluded group, or `! --gid-owner` for every included group. */
export function ownerGroupMatches(ctx: GenContext): string[][] {
  if (ctx.groups.except) return ctx.groups.values.map((g) => ['-m', 'owner', '--gid-owner', g]);
  return [ctx.groups.values.flatMap((g) => ['-m', 'owner', '!', '--gid-owner', g])];
}

/** Owner groups (1.14+, goldens outbound-owner-groups[-exclude]). Default '*' emits nothing. */
export function ownerGroupRules(ctx: GenContext, fams: Fams): void {
  if (!ctx.f.ownerGroups) return;
  for (const m of ownerGroupMatches(ctx)) ctx.b.append(fams, 'nat', ISTIO_OUTPUT, ...m, '-j', 'RETURN');
}

/** `-d 127.0.0.1/32 -j RETURN` (the loopback CIDR from 1.21; ::1/128 for IPv6). */
export function loopbackReturn(ctx: GenContext, fams: Fams): void {
  ctx.b.appendFor(fams, ctx.loop4, '::1/128', 'nat', ISTIO_OUTPUT, '-d', FAMILY_VALUE, '-j', 'RETURN');
}

/** excludeOutboundIPRanges: `-d CIDR -j RETURN`, each family gets its own ranges. */
export function excludeCidrRules(ctx: GenContext, fams: Fams): void {
  if (fams !== 'v6') for (const c of ctx.exclude.v4) ctx.b.append('v4', 'nat', ISTIO_OUTPUT, '-d', ctx.cidr(c), '-j', 'RETURN');
  if (fams !== 'v4') for (const c of ctx.exclude.v6) ctx.b.append('v6', 'nat', ISTIO_OUTPUT, '-d', ctx.cidr(c), '-j', 'RETURN');
}

/** includeOutboundPorts: `-p tcp --dport N -j ISTIO_REDIRECT` (golden outbound-ports-include). */
export function outboundPortsInclude(ctx: GenContext, fams: Fams): void {
  for (const p of ctx.o.includeOutboundPorts) ctx.b.append(fams, 'nat', ISTIO_OUTPUT, '-p', 'tcp', '--dport', String(p), '-j', ISTIO_REDIRECT);
}

/** kube-virt / reroute interfaces: `-I PREROUTING 1 -i IF -j RETURN` per interface (golden kube-virt-interfaces). */
export function kubevirtReturns(ctx: GenContext, fams: Fams): void {
  for (const i of ctx.o.rerouteVirtualInterfaces) ctx.b.insert(fams, 'nat', 'PREROUTING', 1, '-i', i, '-j', 'RETURN');
}

/**
 * includeOutboundIPRanges for one family (handleOutboundIncludeRules): '*' =
 * final `-j ISTIO_REDIRECT` plus `-I PREROUTING 1 -i IF -j <wildcardTarget>`;
 * a list = `-I PREROUTING 1 -i IF -d C -j ISTIO_REDIRECT` and `-d C -j
 * ISTIO_REDIRECT` per range, then `-j RETURN` (≤1.22). The separate IPv6
 * function of ≤1.11 inserted RETURN (not ISTIO_REDIRECT) for '*'.
 */
export function includeRules(ctx: GenContext, fam: 'v4' | 'v6', opts: { wildcardTarget: string; trailingReturn: boolean }): void {
  const { b, o } = ctx;
  const inc = ctx.include;
  if (inc.wildcard) {
    b.append(fam, 'nat', ISTIO_OUTPUT, '-j', ISTIO_REDIRECT);
    for (const i of o.rerouteVirtualInterfaces) b.insert(fam, 'nat', 'PREROUTING', 1, '-i', i, '-j', opts.wildcardTarget);
    return;
  }
  const ranges = fam === 'v4' ? inc.v4 : inc.v6;
  if (ranges.length === 0) return;
  for (const c of ranges) {
    for (const i of o.rerouteVirtualInterfaces) b.insert(fam, 'nat', 'PREROUTING', 1, '-i', i, '-d', ctx.cidr(c), '-j', ISTIO_REDIRECT);
    b.append(fam, 'nat', ISTIO_OUTPUT, '-d', ctx.cidr(c), '-j', ISTIO_REDIRECT);
  }
  if (opts.trailingReturn) b.append(fam, 'nat', ISTIO_OUTPUT, '-j', 'RETURN');
}

/** excludeInterfaces (1.12+, golden basic-exclude-nic): nat, and mangle in TPROXY mode. */
export function excludeInterfaceRules(ctx: GenContext): void {
  const { b, o } = ctx;
  for (const i of o.excludeInterfaces) {
    b.append('both', 'nat', 'PREROUTING', '-i', i, '-j', 'RETURN');
    b.append('both', 'nat', 'OUTPUT', '-o', i, '-j', 'RETURN');
  }
  if (ctx.tproxy) {
    for (const i of o.excludeInterfaces) {
      b.append('both', 'mangle', 'PREROUTING', '-i', i, '-j', 'RETURN');
      b.append('both', 'mangle', 'OUTPUT', '-o', i, '-j', 'RETURN');
    }
  }
}
