/**
 * `-m socket [--transparent] [--nowildcard] [--restore-skmark]` (xt_socket, PREROUTING
 * and INPUT only), as Istio 1.5's TPROXY rules used it: does a local socket own this
 * packet? The kernel looks for an established socket first, then a listener; a
 * listener on the wildcard address is ignored unless --nowildcard (xt_socket.c: the
 * flag turns the wildcard check off; measured on 6.18 in raw, mangle and filter), and
 * with --transparent only IP_TRANSPARENT sockets count.
 *
 * The model knows listeners, and of established sockets only those the engine itself
 * follows (a handshake's client, when its SYN-ACK comes back), so the first packet of a
 * new connection is decided (no established socket can exist yet, the listener lookup
 * settles it), and a packet of such a known socket. Anything else is 'unknown'.
 */
import type { LocalSocket, Packet } from '../netfilter/packet.js';
import type { Tri } from '../types.js';
import { defineMatch, type EvalCtx } from './define.js';
import { onlyOnce } from './util.js';

export interface SocketOptions {
  transparent: boolean;
  nowildcard: boolean;
  restoreSkmark: boolean;
}

function isFirstPacket(pkt: Packet): boolean {
  const c = pkt.conn;
  return c.state === 'NEW' && !c.untracked && c.direction === 'ORIGINAL';
}

function lookup(pkt: Packet, ctx: EvalCtx): LocalSocket | null {
  if (pkt.dport === null) return null;
  return ctx.host.findListener(pkt.family, pkt.proto, pkt.dst, pkt.dport);
}

function decide(o: SocketOptions, pkt: Packet, ctx: EvalCtx, why: string[] | null): Tri {
  if (pkt.proto !== 'tcp' && pkt.proto !== 'udp') {
    if (pkt.proto === 'icmp' || pkt.proto === 'ipv6-icmp') {
      why?.push('ICMP errors are matched to the socket of the packet they quote, which is not modelled');
      return 'unknown';
    }
    why?.push(`no socket lookup for protocol ${pkt.proto}`);
    return 'no';
  }
  if (!isFirstPacket(pkt)) {
    const e = ctx.host.establishedSocket?.(pkt) ?? null;
    if (!e) {
      why?.push(`conntrack state ${pkt.conn.state}: established sockets are not modelled`);
      return 'unknown';
    }
    // An established socket is bound to its own address: never a wildcard.
    if (o.transparent && !e.transparent) {
      why?.push(`established socket (${e.label}) is not IP_TRANSPARENT`);
      return 'no';
    }
    why?.push(`established socket (${e.label}) owns it`);
    return 'yes';
  }
  const l = lookup(pkt, ctx);
  if (!l) {
    why?.push(`new connection: no established socket yet and no listener on ${pkt.dst.text}:${pkt.dport}`);
    return 'no';
  }
  if (l.address === null && !o.nowildcard) {
    why?.push(`new connection: the listener on port ${l.port} (${l.label}) is bound to the wildcard address, which -m socket ignores without --nowildcard`);
    return 'no';
  }
  if (o.transparent && !l.transparent) {
    why?.push(`new connection: the listener on port ${l.port} (${l.label}) is not IP_TRANSPARENT`);
    return 'no';
  }
  why?.push(`new connection: listener on ${l.address?.text ?? '*'}:${l.port} (${l.label}) owns it${o.restoreSkmark ? '; --restore-skmark would copy its socket mark (not modelled)' : ''}`);
  return 'yes';
}

export const socketMatch = defineMatch<SocketOptions>({
  name: 'socket',
  options: [
    { name: 'transparent', arg: false },
    { name: 'nowildcard', arg: false },
    { name: 'restore-skmark', arg: false },
  ],
  hooks: ['PREROUTING', 'INPUT'],
  build(options) {
    onlyOnce('socket', options);
    return {
      transparent: options.some((o) => o.name === 'transparent'),
      nowildcard: options.some((o) => o.name === 'nowildcard'),
      restoreSkmark: options.some((o) => o.name === 'restore-skmark'),
    };
  },
  save(o) {
    const parts: string[] = [];
    if (o.transparent) parts.push('--transparent');
    if (o.nowildcard) parts.push('--nowildcard');
    if (o.restoreSkmark) parts.push('--restore-skmark');
    return parts.join(' ');
  },
  evaluate(o, pkt, ctx) {
    return decide(o, pkt, ctx, null);
  },
  explain(o, pkt, ctx) {
    const why: string[] = [];
    decide(o, pkt, ctx, why);
    return why.join('; ');
  },
});
