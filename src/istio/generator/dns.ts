/**
 * DNS capture (ISTIO_META_DNS_CAPTURE), three layouts (reference §1.5, §1.8):
 *  - 1.9-1.22: per-nameserver TCP REDIRECT inside ISTIO_OUTPUT (before the
 *    loopback RETURN); UDP owner RETURNs + REDIRECT directly in nat OUTPUT;
 *    raw OUTPUT/PREROUTING CT zones (1.10.3+), PREROUTING `-d` before 1.20, `-s` after.
 *  - 1.23-1.24: the UDP rules move into ISTIO_OUTPUT (reached by
 *    `-A OUTPUT -p udp -j ISTIO_OUTPUT`), raw gets an ISTIO_OUTPUT chain too.
 *  - 1.25+: everything in ISTIO_OUTPUT_DNS (nat and raw), raw ISTIO_INBOUND for replies;
 *    no UDP owner RETURNs, and no DNS rules at all without a nameserver or CAPTURE_ALL_DNS.
 * Goldens: dns-uid-gid, tproxy, ipv6-dns-outbound-owner-groups[-exclude].
 */
import type { Fams } from './builder.js';
import { DNS_PROXY_PORT, ISTIO_INBOUND, ISTIO_OUTPUT, ISTIO_OUTPUT_DNS, type GenContext } from './context.js';
import { ownerGroupMatches } from './outbound.js';

/** `-p tcp --dport 53 [-d S/32] -j REDIRECT --to-ports 15053` in ISTIO_OUTPUT (≤1.24). */
export function dnsTcpRules(ctx: GenContext, fams: Fams, chain = ISTIO_OUTPUT): void {
  const { b, dns } = ctx;
  if (dns.captureAll) {
    b.append(fams, 'nat', chain, '-p', 'tcp', '--dport', '53', '-j', 'REDIRECT', '--to-ports', DNS_PROXY_PORT);
    return;
  }
  if (fams !== 'v6') for (const s of dns.v4) b.append('v4', 'nat', chain, '-p', 'tcp', '--dport', '53', '-d', `${s}/32`, '-j', 'REDIRECT', '--to-ports', DNS_PROXY_PORT);
  if (fams !== 'v4') for (const s of dns.v6) b.append('v6', 'nat', chain, '-p', 'tcp', '--dport', '53', '-d', `${s}/128`, '-j', 'REDIRECT', '--to-ports', DNS_PROXY_PORT);
}

/** ≤1.24: the agent's own queries are not captured: UDP 53 RETURN per proxy UID/GID, then the owner-group rule (1.14+). */
function udpOwnerReturns(ctx: GenContext, fams: Fams, chain: string): void {
  const { b } = ctx;
  for (const u of ctx.uids) b.append(fams, 'nat', chain, '-p', 'udp', '--dport', '53', '-m', 'owner', '--uid-owner', u, '-j', 'RETURN');
  for (const g of ctx.gids) b.append(fams, 'nat', chain, '-p', 'udp', '--dport', '53', '-m', 'owner', '--gid-owner', g, '-j', 'RETURN');
  if (ctx.f.ownerGroups) {
    for (const m of ownerGroupMatches(ctx)) b.append(fams, 'nat', chain, '-p', 'udp', '--dport', '53', ...m, '-j', 'RETURN');
  }
}

/** `-p udp --dport 53 [-d S] -j REDIRECT --to-port 15053` (singular, as istio-iptables writes it). */
function udpRedirects(ctx: GenContext, fams: Fams, chain: string): void {
  const { b, dns } = ctx;
  if (dns.captureAll) {
    b.append(fams, 'nat', chain, '-p', 'udp', '--dport', '53', '-j', 'REDIRECT', '--to-port', DNS_PROXY_PORT);
    return;
  }
  if (fams !== 'v6') for (const s of dns.v4) b.append('v4', 'nat', chain, '-p', 'udp', '--dport', '53', '-d', `${s}/32`, '-j', 'REDIRECT', '--to-port', DNS_PROXY_PORT);
  if (fams !== 'v4') for (const s of dns.v6) b.append('v6', 'nat', chain, '-p', 'udp', '--dport', '53', '-d', `${s}/128`, '-j', 'REDIRECT', '--to-port', DNS_PROXY_PORT);
}

/** Conntrack zones: agent ↔ upstream in zone 1, app ↔ agent in zone 2 (PR 33572). */
function ownerZones(ctx: GenContext, fams: Fams, chain: string): void {
  const { b } = ctx;
  const pair = (flag: string, id: string): void => {
    b.append(fams, 'raw', chain, '-p', 'udp', '--dport', '53', '-m', 'owner', flag, id, '-j', 'CT', '--zone', '1');
    b.append(fams, 'raw', chain, '-p', 'udp', '--sport', DNS_PROXY_PORT, '-m', 'owner', flag, id, '-j', 'CT', '--zone', '2');
  };
  for (const u of ctx.uids) pair('--uid-owner', u);
  for (const g of ctx.gids) pair('--gid-owner', g);
}

/** UDP part for 1.9-1.24 (HandleDNSUDP + addConntrackZoneDNSUDP). */
export function dnsUdpRules(ctx: GenContext, fams: Fams): void {
  const { b, dns, f } = ctx;
  const inOutput = f.dnsUdpInIstioOutput;
  const natChain = inOutput ? ISTIO_OUTPUT : 'OUTPUT';
  if (inOutput) b.append(fams, 'nat', 'OUTPUT', '-p', 'udp', '-j', ISTIO_OUTPUT);
  udpOwnerReturns(ctx, fams, natChain);
  udpRedirects(ctx, fams, natChain);
  if (!f.dnsConntrackZones) return;
  const rawChain = inOutput ? ISTIO_OUTPUT : 'OUTPUT';
  if (inOutput) b.append(fams, 'raw', 'OUTPUT', '-p', 'udp', '-j', ISTIO_OUTPUT);
  ownerZones(ctx, fams, rawChain);
  if (dns.captureAll) {
    b.append(fams, 'raw', rawChain, '-p', 'udp', '--dport', '53', '-j', 'CT', '--zone', '2');
    b.append(fams, 'raw', 'PREROUTING', '-p', 'udp', '--sport', '53', '-j', 'CT', '--zone', '1');
    return;
  }
  // The reply rule matched `-d <server>` (never true for a reply) until 1.20 fixed it to `-s` (PR 46937).
  const dir = f.dnsRawSource ? '-s' : '-d';
  const perServer = (fam: 'v4' | 'v6', s: string, len: string): void => {
    b.append(fam, 'raw', rawChain, '-p', 'udp', '--dport', '53', '-d', `${s}/${len}`, '-j', 'CT', '--zone', '2');
    b.append(fam, 'raw', 'PREROUTING', '-p', 'udp', '--sport', '53', dir, `${s}/${len}`, '-j', 'CT', '--zone', '1');
  };
  if (fams !== 'v6') for (const s of dns.v4) perServer('v4', s, '32');
  if (fams !== 'v4') for (const s of dns.v6) perServer('v6', s, '128');
}

/**
 * 1.25+ (SetupDNSRedir, PR 53998): everything in ISTIO_OUTPUT_DNS. The nat jump
 * exists per family only when that family has nameservers (or all DNS is
 * captured); the raw jump always. No UDP owner RETURNs in nat ISTIO_OUTPUT_DNS:
 * UDP now enters ISTIO_OUTPUT, whose owner RETURNs come before the jump, so the
 * agent's own queries never reach it (goldens dns-uid-gid, tproxy, cni dns.txt
 * at 1.25.0, identical to 1.31.0-rc.0).
 */
export function dnsChainRules(ctx: GenContext): void {
  const { b, dns } = ctx;
  b.append('both', 'raw', 'OUTPUT', '-j', ISTIO_OUTPUT_DNS);
  if (dns.captureAll || dns.v4.length) b.append('v4', 'nat', ISTIO_OUTPUT, '-j', ISTIO_OUTPUT_DNS);
  if (dns.captureAll || dns.v6.length) b.append('v6', 'nat', ISTIO_OUTPUT, '-j', ISTIO_OUTPUT_DNS);
  dnsTcpRules(ctx, 'both', ISTIO_OUTPUT_DNS);
  udpRedirects(ctx, 'both', ISTIO_OUTPUT_DNS);
  ownerZones(ctx, 'both', ISTIO_OUTPUT_DNS);
  if (dns.captureAll) {
    b.append('both', 'raw', 'PREROUTING', '-j', ISTIO_INBOUND);
    b.append('both', 'raw', ISTIO_OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-j', 'CT', '--zone', '2');
    b.append('both', 'raw', ISTIO_INBOUND, '-p', 'udp', '--sport', '53', '-j', 'CT', '--zone', '1');
    return;
  }
  const family = (fam: 'v4' | 'v6', servers: string[], len: string): void => {
    if (servers.length === 0) return;
    b.append(fam, 'raw', 'PREROUTING', '-j', ISTIO_INBOUND);
    for (const s of servers) {
      b.append(fam, 'raw', ISTIO_OUTPUT_DNS, '-p', 'udp', '--dport', '53', '-d', `${s}/${len}`, '-j', 'CT', '--zone', '2');
      b.append(fam, 'raw', ISTIO_INBOUND, '-p', 'udp', '--sport', '53', '-s', `${s}/${len}`, '-j', 'CT', '--zone', '1');
    }
  };
  family('v4', dns.v4, '32');
  family('v6', dns.v6, '128');
}
