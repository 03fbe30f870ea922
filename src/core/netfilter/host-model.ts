/** A host (or pod network namespace) as the engine needs it: routing plus listening sockets. */
import type { Address } from '../net/address.js';
import type { IpSets } from '../net/ipset.js';
import type { Family } from '../types.js';
import type { HostView, LocalSocket } from './packet.js';
import { addressType, primaryAddress, type RoutingModel } from './routing.js';

/** Account names the host resolves, as its /etc/passwd and /etc/group would. */
export interface OwnerNames {
  users: ReadonlyMap<string, number>;
  groups: ReadonlyMap<string, number>;
}

export interface Host {
  routing: RoutingModel;
  /** Sockets in listen state; first match wins, so list specific binds before wildcards. */
  listeners: LocalSocket[];
  /** Who answers on every other port (in a pod: the application), or null for none. */
  otherPorts: Omit<LocalSocket, 'port'> | null;
  /** Ports that otherPorts never covers (e.g. a port bound to localhost only). */
  reservedPorts?: number[];
  /** ipset sets for `-m set` (read by the CLI from --ipset files); absent when none were given. */
  ipsets?: IpSets;
  /** Names `-m owner --uid-owner NAME / --gid-owner NAME` resolve to; absent: only numbers (and root). */
  owners?: OwnerNames;
}

function socketMatches(s: LocalSocket, family: Family, proto: string, addr: Address, port: number): boolean {
  return (s.family === 'any' || s.family === family) && s.proto === proto && s.port === port && (s.address === null || (s.address.family === addr.family && s.address.value === addr.value));
}

/** The socket a connection to addr:port reaches, preferring an exact bind over a wildcard as the kernel does. */
export function findSocket(host: Host, family: Family, proto: string, addr: Address, port: number): LocalSocket | null {
  let wildcard: LocalSocket | null = null;
  for (const s of host.listeners) {
    if (!socketMatches(s, family, proto, addr, port)) continue;
    if (s.address !== null) return s;
    wildcard ??= s;
  }
  if (wildcard) return wildcard;
  const other = host.otherPorts;
  if (other && !(host.reservedPorts ?? []).includes(port) && (other.family === 'any' || other.family === family) && (other.proto === 'any' || other.proto === proto)) return { ...other, port };
  return null;
}

// A view only forwards to the host it was made for (reading host.routing at each call), so one view per host serves every trace.
const VIEWS = new WeakMap<Host, HostView>();

export function hostView(host: Host): HostView {
  let view = VIEWS.get(host);
  if (view === undefined) {
    view = {
      addressType: (addr, iface) => addressType(host.routing, addr, iface),
      primaryAddress: (iface, family) => primaryAddress(host.routing, iface, family),
      findListener: (family, proto, addr, port) => findSocket(host, family, proto, addr, port),
      ipsets: () => host.ipsets ?? null,
      ownerId: (kind, name) => (kind === 'uid' ? host.owners?.users : host.owners?.groups)?.get(name) ?? null,
    };
    VIEWS.set(host, view);
  }
  return view;
}
