/**
 * Option checks before generation: well-formed values, and no option that the
 * chosen Istio release did not have (the error names the release that
 * introduced it).
 */
import { UsageError } from '../../core/errors.js';
import { addressFamily, isValidIstioCidr } from './cidr.js';
import type { IstioOptions } from './options.js';
import { features, formatRelease, introducedIn, ISTIO_VERSIONS, parseIstioVersion, representativeRelease, type Features, type Release } from './version.js';

const IFACE = /^[A-Za-z0-9_.:@+-]{1,15}$/;
const GROUP = /^[A-Za-z0-9_.-]+$/;

function checkPort(name: string, p: unknown): void {
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) {
    throw new UsageError(`${name}: ${JSON.stringify(p)} is not a port: expected an integer 1-65535`);
  }
}

function checkPorts(name: string, ps: readonly unknown[]): void {
  for (const p of ps) checkPort(name, p);
}

function checkIds(name: string, ids: readonly unknown[]): void {
  if (ids.length === 0) throw new UsageError(`${name}: expected at least one id (Istio's default is 1337)`);
  for (const id of ids) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw new UsageError(`${name}: ${JSON.stringify(id)} is not a uid/gid: expected a non-negative integer`);
    }
  }
}

function checkCidrs(name: string, list: readonly string[]): void {
  for (const c of list) {
    if (!isValidIstioCidr(c)) throw new UsageError(`${name}: "${c}" is not a CIDR: expected ADDRESS/LENGTH such as 10.0.0.0/8 or 2001:db8::/32`);
  }
}

function checkIfaces(name: string, list: readonly string[]): void {
  for (const i of list) if (!IFACE.test(i)) throw new UsageError(`${name}: "${i}" is not an interface name (1-15 characters, no spaces or commas)`);
}

function introduced(what: string, since: string, r: Release): never {
  throw new UsageError(`${what} was introduced in Istio ${since}; it does not exist in ${formatRelease(r)}`);
}

export interface Validated {
  release: Release;
  f: Features;
  notes: string[];
}

export function resolveRelease(o: IstioOptions): Release {
  if (!(ISTIO_VERSIONS as readonly string[]).includes(o.version)) {
    throw new UsageError(`version: "${o.version}" is not a layout: expected one of ${ISTIO_VERSIONS.join(', ')} (or give release: "1.x.y")`);
  }
  if (o.release === undefined) return representativeRelease(o.version);
  const parsed = parseIstioVersion(o.release);
  if (parsed.version !== o.version) {
    throw new UsageError(`release ${o.release} belongs to the ${parsed.version} layout, not ${o.version}`);
  }
  return parsed.release;
}

export function validateOptions(o: IstioOptions): Validated {
  const release = resolveRelease(o);
  const f = features(release);
  const notes: string[] = [...(o.templateNotes ?? [])];
  const r = release;

  if (o.installer !== 'init' && o.installer !== 'cni') throw new UsageError(`installer: "${String(o.installer)}": expected init or cni`);
  if (o.mode !== 'REDIRECT' && o.mode !== 'TPROXY') throw new UsageError(`mode: "${String(o.mode)}": expected REDIRECT or TPROXY`);
  checkIds('proxyUid', o.proxyUid);
  checkIds('proxyGid', o.proxyGid);
  checkPort('outboundPort', o.outboundPort);
  checkPort('inboundPort', o.inboundPort);
  checkPort('tunnelPort', o.tunnelPort);
  if (o.includeOutboundIPRanges !== '*') checkCidrs('includeOutboundIPRanges', o.includeOutboundIPRanges);
  checkCidrs('excludeOutboundIPRanges', o.excludeOutboundIPRanges);
  if (o.includeInboundPorts !== '*') checkPorts('includeInboundPorts', o.includeInboundPorts);
  checkPorts('excludeInboundPorts', o.excludeInboundPorts);
  checkPorts('includeOutboundPorts', o.includeOutboundPorts);
  checkPorts('excludeOutboundPorts', o.excludeOutboundPorts);
  checkIfaces('rerouteVirtualInterfaces', o.rerouteVirtualInterfaces);
  checkIfaces('excludeInterfaces', o.excludeInterfaces);
  for (const s of o.dnsServers) {
    if (addressFamily(s) === null) throw new UsageError(`dnsServers: "${s}" is not an IP address (nameserver lines of /etc/resolv.conf are addresses)`);
  }
  if (o.ownerGroupsInclude !== '*') for (const g of o.ownerGroupsInclude) if (!GROUP.test(g)) throw new UsageError(`ownerGroupsInclude: "${g}" is not a group name or id`);
  for (const g of o.ownerGroupsExclude) if (!GROUP.test(g)) throw new UsageError(`ownerGroupsExclude: "${g}" is not a group name or id`);
  if (!isValidIstioCidr(o.loopbackCidr) || !o.loopbackCidr.startsWith('127.')) {
    throw new UsageError(`loopbackCidr: "${o.loopbackCidr}" is not an IPv4 loopback CIDR such as 127.0.0.1/32 or 127.0.0.1/8`);
  }
  for (const [name, v] of [['tproxyMark', o.tproxyMark], ['tproxyTable', o.tproxyTable]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 0xffffffff) throw new UsageError(`${name}: ${v} is not a positive integer`);
  }

  // Options that a release did not have.
  if (o.installer === 'cni' && !f.cni) {
    throw new UsageError(`installer cni: the istio-cni plugin of ${formatRelease(r)} is not modelled; the CNI layout is modelled from Istio ${introducedIn('cni')}`);
  }
  if (o.tunnelPort !== 15008 && !f.tunnelPortOption) introduced('the tunnel port (-e, 15008)', introducedIn('tunnelPortOption'), r);
  if (o.dnsCapture && !f.dns) {
    throw new UsageError(
      `DNS capture was introduced in Istio 1.7 and took its current form (nameserver REDIRECTs to 15053) in 1.9; ${formatRelease(r)} is not modelled with it`,
    );
  }
  if (o.includeOutboundPorts.length && !f.includeOutboundPorts) introduced('includeOutboundPorts (-q)', introducedIn('includeOutboundPorts'), r);
  if (o.excludeInterfaces.length && !f.excludeInterfaces) introduced('excludeInterfaces (-c)', introducedIn('excludeInterfaces'), r);
  if (o.dropInvalid && !f.dropInvalid) introduced('drop-invalid (INVALID_DROP)', introducedIn('dropInvalid'), r);
  if ((o.ownerGroupsInclude !== '*' || o.ownerGroupsExclude.length) && !f.ownerGroups) {
    introduced('owner groups (ISTIO_OUTBOUND_OWNER_GROUPS / ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE)', introducedIn('ownerGroups'), r);
  }
  if (o.loopbackCidr !== '127.0.0.1/32' && !f.loopbackCidr) introduced('a configurable loopback CIDR (ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR)', introducedIn('loopbackCidr'), r);

  // Facts worth saying about what was generated.
  if (f.interpolated) {
    notes.push(`Istio ${formatRelease(r)} is interpolated between the 1.5 and 1.10 generators (not checked against a golden of that release)`);
  }
  if (o.installer === 'cni' && o.dnsCapture) notes.push('istio-cni sets CaptureAllDNS whenever DNS capture is on: port-53 rules carry no nameserver address');
  if (o.installer !== 'cni' && o.captureAllDns && !o.dnsCapture) notes.push('captureAllDns has no effect without dnsCapture');
  if (o.includeInboundPorts !== '*' && o.excludeInboundPorts.length) {
    notes.push('excludeInboundPorts only applies when includeInboundPorts is "*": ignored (as istio-iptables does)');
  }
  if (o.ownerGroupsInclude !== '*' && o.ownerGroupsInclude.length === 0 && f.ownerGroups) {
    notes.push('ownerGroupsInclude is an empty list: istio-iptables then RETURNs every remaining connection (`-A ISTIO_OUTPUT -j RETURN`), so nothing is captured outbound');
  }
  if (o.ownerGroupsInclude !== '*' && o.ownerGroupsExclude.length) {
    notes.push('ownerGroupsExclude is ignored when ownerGroupsInclude is a list (as istio-iptables does)');
  }
  if (o.mode === 'TPROXY' && o.ipv6 && !f.unifiedIpv6) {
    notes.push(`before 1.12 istio-iptables had no IPv6 TPROXY rules: IPv6 inbound is captured with nat REDIRECT even in TPROXY mode`);
  }
  if (o.dnsCapture && o.ipv6 && !f.unifiedIpv6) notes.push('before 1.12 istio-iptables generated no IPv6 DNS rules');
  if (o.dnsCapture && !f.dnsConntrackZones) notes.push(`no raw-table CT zone rules: they arrived in 1.10.3 / 1.11 (${formatRelease(r)} generated)`);
  if (o.mode === 'TPROXY' && f.tproxyConnmark && !f.tproxy1338) {
    notes.push('TPROXY mangle rules of 1.9-1.10 (CONNMARK and the mark-1337 RETURN insert, without the 1338 marks of 1.11) are reconstructed from the 1.11 change, not from a golden');
  }
  if (o.ipv6 && r.minor < 10) notes.push(`the IPv6 rules of ${formatRelease(r)} follow the separate IPv6 function of 1.10-1.11 (not checked against a golden)`);
  return { release, f, notes };
}
