/**
 * The packet as netfilter sees it at one point of its path, plus the
 * conntrack entry it belongs to. Targets mutate it; matches only read it.
 */
import type { IpSets } from '../net/ipset.js';
import type { Address } from '../net/address.js';
import type { Family } from '../types.js';

export interface SocketOwner {
  uid: number;
  gid: number;
  /** Supplementary groups, consulted only by `--suppl-groups`. */
  groups: number[];
}

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED' | 'SNAT' | 'DNAT';

export interface Tuple {
  src: Address;
  dst: Address;
  sport: number | null;
  dport: number | null;
}

/** conntrack-lite: what the kernel keeps per connection that rules can observe. */
export interface Connection {
  /** Original-direction tuple: what the first packet looked like before any NAT. */
  original: Tuple;
  /** conntrack has attached this entry to the packet (after raw, at the first hook); a looped-back packet keeps it. */
  attached: boolean;
  /** Set once nat has run for that manip type (DNAT at PREROUTING/OUTPUT, SNAT at INPUT/POSTROUTING). */
  dnatDone: boolean;
  snatDone: boolean;
  dnatApplied: boolean;
  snatApplied: boolean;
  mark: number;
  zone: number;
  /** Zone was set by a CT target; only the first CT --zone takes effect (measured). */
  zoneSet: boolean;
  untracked: boolean;
  /** 'ORIGINAL' for the first packet of a hop; replies are not traced. */
  direction: 'ORIGINAL' | 'REPLY';
  state: CtState;
}

export interface Packet {
  family: Family;
  /** Lower-case protocol name: tcp, udp, icmp, ipv6-icmp, sctp, or a number as text. */
  proto: string;
  src: Address;
  dst: Address;
  sport: number | null;
  dport: number | null;
  icmpType: number | null;
  icmpCode: number | null;
  /** Incoming interface (PREROUTING, INPUT, FORWARD), else null. */
  inIface: string | null;
  /** Outgoing interface (FORWARD, OUTPUT, POSTROUTING), else null. */
  outIface: string | null;
  /** The sending socket's owner; null when the packet has no local socket. */
  owner: SocketOwner | null;
  /** skb->mark */
  mark: number;
  /** A TCP SYN without ACK for a new TCP connection. */
  tcpFlags: string[];
  fragment: boolean;
  conn: Connection;
}

/** Address classes as `-m addrtype` names them. */
export type AddrType =
  | 'UNSPEC'
  | 'UNICAST'
  | 'LOCAL'
  | 'BROADCAST'
  | 'ANYCAST'
  | 'MULTICAST'
  | 'BLACKHOLE'
  | 'UNREACHABLE'
  | 'PROHIBIT'
  | 'THROW'
  | 'NAT'
  | 'XRESOLVE';

export interface LocalSocket {
  family: Family | 'any';
  proto: string;
  /** Bound address; null means the wildcard address. */
  address: Address | null;
  port: number;
  transparent: boolean;
  /** Who listens: free text for the trace, e.g. "Envoy inbound (15006)". */
  label: string;
  /** A machine-readable role the layer above assigns (e.g. 'envoy-outbound'); the core never reads it. */
  role?: string;
  /**
   * Who runs the listener. The kernel's owner match sees it on the listener's SYN-ACK (the
   * request socket's listener, measured on 6.18); absent: the SYN-ACK is taken to have no owner.
   */
  owner?: SocketOwner;
}

/** What matches and targets may ask about the host: read-only. */
export interface HostView {
  /** RTN_* class of an address, as the routing tables see it (optionally limited to one interface). */
  addressType(addr: Address, iface: string | null): AddrType;
  /** First address of an interface in a family (REDIRECT in PREROUTING, MASQUERADE). */
  primaryAddress(iface: string, family: Family): Address | null;
  /** A listening socket for TPROXY's lookup; null when none is bound there. */
  findListener(family: Family, proto: string, addr: Address, port: number): LocalSocket | null;
  /**
   * The established socket a packet of an existing connection belongs to, where the engine
   * knows it (the client's socket, for a handshake's reply); null or absent when it does not.
   */
  establishedSocket?(pkt: Packet): LocalSocket | null;
  /** The ipset sets the user gave (--ipset), or null when none were given. */
  ipsets(): IpSets | null;
  /** The id of a user (uid) or group (gid) name, as the host's account files give it; null when unknown. */
  ownerId?(kind: 'uid' | 'gid', name: string): number | null;
}
