/**
 * The little protocol between the harness (parent) and its stand-in processes (children).
 *
 * The parent starts `ip netns exec <ns> <node> standin.js '<StandinArgs as JSON>'`. The child
 * drops to the requested uid/gid before it opens any socket (so the kernel's owner match sees
 * exactly that identity), then reports what happens as one JSON object per line on stdout.
 * The child exits when its stdin closes, so it never outlives a parent that died abruptly.
 *
 * Types only: both sides import this with `import type`.
 */

export type Proto = 'tcp' | 'udp';
export type FamilyName = 'ipv4' | 'ipv6';

export interface Endpoint {
  address: string;
  port: number;
}

/** Accept TCP connections / receive UDP datagrams on one port and report each one. */
export interface ListenArgs {
  mode: 'listen';
  family: FamilyName;
  proto: Proto;
  port: number;
  /** Bind address; default the family's wildcard (0.0.0.0, or :: with IPV6_V6ONLY). */
  address?: string;
  uid: number;
  gid: number;
  /**
   * TCP only: the listening socket already exists (made transparent by transparent.ts) and
   * is passed as the file descriptor number in argv[3].
   */
  inheritedFd?: boolean;
}

/** Open one connection (TCP handshake, or one UDP datagram), report, exit. */
export interface ConnectArgs {
  mode: 'connect';
  proto: Proto;
  /** Local address to bind before connecting (e.g. 127.0.0.6). */
  src?: string;
  /** Local port to bind before connecting; default: ephemeral. */
  sport?: number;
  dst: string;
  dport: number;
  uid: number;
  gid: number;
  /** Give up a TCP connect after this long (a dropped SYN never gets an answer). */
  timeoutMs: number;
}

/**
 * Stay running as root; for each line "<n>" read on stdin, send one UDP datagram to the probe
 * address for n (see probeAddress in nftrace.ts). The trace table drops it before any iptables
 * chain sees it; the parent only watches for its trace event.
 */
export interface ProbeArgs {
  mode: 'probe';
  /** Probe addresses are `${prefix}.${n >> 8 & 255}.${n & 255}`. */
  prefix: string;
  port: number;
}

export type StandinArgs = ListenArgs | ConnectArgs | ProbeArgs;

export type StandinEvent =
  | { type: 'started'; pid: number; uid: number; gid: number }
  | { type: 'ready'; local: Endpoint }
  /** A TCP connection was accepted, or a UDP datagram received. */
  | { type: 'accepted'; proto: Proto; local: Endpoint; remote: Endpoint }
  /** A TCP handshake completed, or a UDP datagram was sent. */
  | { type: 'connected'; proto: Proto; local: Endpoint; remote: Endpoint }
  | { type: 'connect-failed'; proto: Proto; code: string; message: string }
  | { type: 'probe-sent'; n: number }
  | { type: 'error'; message: string };
