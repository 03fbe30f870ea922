/**
 * A flow as the user describes it (--src/--dst/--proto/--uid/--gid/--via),
 * resolved against the pod's addresses.
 */
import { UsageError } from '../core/errors.js';
import { isLoopback, parseAddress, sameAddress, type Address } from '../core/net/address.js';
import type { Family } from '../core/types.js';
import type { PodConfig } from './config.js';

export interface FlowInput {
  src?: string;
  dst?: string;
  proto?: string;
  uid?: number;
  gid?: number;
  groups?: number[];
  via?: string;
  inIface?: string;
  /** Title shown above the trace. */
  title?: string;
  /** Who sends hop 1, for the path line (e.g. "pilot-agent"); default derived from the uid. */
  actor?: string;
}

export interface Endpoint {
  addr: Address;
  port: number | null;
}

export interface Flow {
  family: Family;
  proto: 'tcp' | 'udp';
  src: Endpoint | null;
  dst: Endpoint;
  uid: number;
  gid: number;
  groups: number[];
  via: Endpoint | null;
  inIface: string | null;
  title: string;
  actor: string | null;
}

/** Deterministic ephemeral source port of hop 1 (hop n uses base + n - 1). */
export const EPHEMERAL_PORT_BASE = 40000;
export const DEFAULT_APP_UID = 1000;

interface RawEndpoint {
  host: string;
  port: number | null;
}

function splitEndpoint(text: string, flag: string): RawEndpoint {
  const parsePort = (p: string): number => {
    if (!/^\d+$/.test(p) || Number(p) > 65535) throw new UsageError(`${flag}: invalid port "${p}" in "${text}": expected 0-65535`);
    return Number(p);
  };
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracket) return { host: bracket[1]!, port: bracket[2] !== undefined ? parsePort(bracket[2]) : null };
  const colons = (text.match(/:/g) ?? []).length;
  if (colons === 1) {
    const [host, port] = text.split(':');
    return { host: host!, port: parsePort(port!) };
  }
  // Bare IPv6 (several colons) or a host without a port.
  return { host: text, port: null };
}

function resolveHost(raw: RawEndpoint, flag: string, pod: PodConfig, family: Family | null): Endpoint {
  if (raw.host === 'pod') {
    const fam = family ?? 'ipv4';
    const addr = fam === 'ipv6' ? pod.ipv6 : pod.ipv4;
    if (!addr) throw new UsageError(`${flag}: "pod" stands for the pod's IPv6 address, but none is set: add --pod-ip with an IPv6 address`);
    return { addr, port: raw.port };
  }
  const addr = parseAddress(raw.host);
  if (!addr) throw new UsageError(`${flag}: "${raw.host}" is not an IP address (expected IPv4, IPv6 as [addr]:port, or "pod")`);
  return { addr, port: raw.port };
}

export function isPodLocal(addr: Address, pod: PodConfig): boolean {
  if (isLoopback(addr)) return true;
  if (sameAddress(addr, pod.ipv4)) return true;
  if (pod.ipv6 && sameAddress(addr, pod.ipv6)) return true;
  if (addr.family === 'ipv6' && sameAddress(addr, pod.inboundBind6)) return true;
  return false;
}

export function resolveFlow(input: FlowInput, pod: PodConfig): Flow {
  if (!input.dst) throw new UsageError('missing --dst: give the destination as IP:PORT (e.g. --dst 10.244.2.7:9080)');
  const proto = (input.proto ?? 'tcp').toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp') throw new UsageError(`--proto: "${input.proto}" is not supported: expected tcp or udp`);
  const rawDst = splitEndpoint(input.dst, '--dst');
  const rawSrc = input.src ? splitEndpoint(input.src, '--src') : null;
  const rawVia = input.via ? splitEndpoint(input.via, '--via') : null;
  // A literal on either side fixes the family; "pod" follows it.
  const literalFamily = [rawDst, rawSrc, rawVia].map((r) => (r && r.host !== 'pod' ? parseAddress(r.host)?.family : undefined)).find((f) => f);
  const family: Family | null = literalFamily ?? null;
  const dst = resolveHost(rawDst, '--dst', pod, family);
  if (dst.port === null) throw new UsageError(`--dst: "${input.dst}" has no port: expected IP:PORT (IPv6: [addr]:port)`);
  const src = rawSrc ? resolveHost(rawSrc, '--src', pod, family ?? dst.addr.family) : null;
  const via = rawVia ? resolveHost(rawVia, '--via', pod, family ?? dst.addr.family) : null;
  if (via && via.port === null) via.port = dst.port;
  for (const [name, ep] of [['--src', src], ['--via', via]] as const) {
    if (ep && ep.addr.family !== dst.addr.family) throw new UsageError(`${name} and --dst mix IPv4 and IPv6; a flow stays in one family`);
  }
  const uid = input.uid ?? DEFAULT_APP_UID;
  const gid = input.gid ?? uid;
  for (const [name, v] of [['--uid', uid], ['--gid', gid]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 4294967294) throw new UsageError(`${name}: "${v}" is not a valid id (0-4294967294)`);
  }
  if (input.inIface !== undefined && !/^[A-Za-z0-9_.:@-]{1,15}$/.test(input.inIface)) {
    throw new UsageError(`--in-iface: "${input.inIface}" is not a valid interface name (1-15 characters)`);
  }
  const fmt = (e: Endpoint) => (e.addr.family === 'ipv6' ? `[${e.addr.text}]` : e.addr.text) + (e.port === null ? '' : `:${e.port}`);
  const title = input.title ?? `${proto} ${src ? fmt(src) : 'pod'} -> ${fmt(dst)}${src && !isPodLocal(src.addr, pod) ? '' : ` (uid ${uid}, gid ${gid})`}${via ? ` via ${fmt(via)}` : ''}`;
  return {
    family: dst.addr.family,
    proto,
    src,
    dst,
    uid,
    gid,
    groups: input.groups ?? [],
    via,
    inIface: input.inIface ?? null,
    title,
    actor: input.actor ?? null,
  };
}

export function formatEndpoint(addr: Address, port: number | null): string {
  const host = addr.family === 'ipv6' ? `[${addr.text}]` : addr.text;
  return port === null ? addr.text : `${host}:${port}`;
}
