/**
 * `-j TPROXY --on-port N [--on-ip addr] [--tproxy-mark v[/m]]` (mangle PREROUTING,
 * rules with a plain `-p tcp` or `-p udp`). Kernel xt_TPROXY.c: look for the
 * established socket of the packet's own tuple first (a handshake's reply meets its
 * client's socket), else a listener on --on-ip (else the incoming interface's first
 * address, else the packet's destination) and --on-port (0: the packet's port); when
 * one is found and it is transparent, set the mark, assign the socket and accept;
 * otherwise drop.
 * The packet header is not changed.
 */
import { RuleSyntaxError } from '../errors.js';
import { parseAddress, type Address } from '../net/address.js';
import type { Family } from '../types.js';
import { parseMarkMask } from '../matches/mark.js';
import { hex, onlyOnce, valueOf } from '../matches/util.js';
import { defineTarget } from './define.js';
import { hostPort, parsePortValue, xmark } from './options.js';

export interface TproxyOptions {
  family: Family;
  port: number;
  /** null: unspecified (0.0.0.0 / ::), the kernel then chooses. */
  addr: Address | null;
  markValue: number;
  markMask: number;
}

export const tproxyTarget = defineTarget<TproxyOptions>({
  name: 'TPROXY',
  options: [
    { name: 'on-port', arg: true },
    { name: 'on-ip', arg: true },
    { name: 'tproxy-mark', arg: true },
  ],
  tables: ['mangle'],
  hooks: ['PREROUTING'],
  build(options, ctx) {
    onlyOnce('TPROXY', options);
    if (!ctx.proto || ctx.proto.invert || (ctx.proto.value !== 'tcp' && ctx.proto.value !== 'udp')) {
      throw new RuleSyntaxError('TPROXY can only be used with -p tcp or -p udp');
    }
    const o: TproxyOptions = { family: ctx.family, port: -1, addr: null, markValue: 0, markMask: 0 };
    for (const opt of options) {
      switch (opt.name) {
        case 'on-port':
          o.port = parsePortValue(valueOf('TPROXY', opt), '--on-port');
          break;
        case 'on-ip': {
          const a = parseAddress(valueOf('TPROXY', opt));
          if (!a || a.family !== ctx.family) {
            throw new RuleSyntaxError(`invalid --on-ip "${opt.value}": expected an ${ctx.family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
          }
          o.addr = a.value === 0 || a.value === 0n ? null : a;
          break;
        }
        case 'tproxy-mark': {
          const m = parseMarkMask('TPROXY', valueOf('TPROXY', opt));
          o.markValue = m.value;
          o.markMask = m.mask;
          break;
        }
      }
    }
    if (o.port < 0) throw new RuleSyntaxError('TPROXY needs --on-port');
    return o;
  },
  save(o) {
    const ip = o.addr?.text ?? (o.family === 'ipv6' ? '::' : '0.0.0.0');
    return `--on-port ${o.port} --on-ip ${ip} --tproxy-mark ${hex(o.markValue)}/${hex(o.markMask)}`;
  },
  apply(o, pkt, ctx) {
    const port = o.port !== 0 ? o.port : pkt.dport;
    if (port === null) return { verdict: 'drop', detail: 'tproxy: the packet has no transport header to redirect' };
    let laddr = o.addr;
    let from = '--on-ip';
    if (!laddr && pkt.inIface !== null) {
      laddr = ctx.host.primaryAddress(pkt.inIface, ctx.family);
      from = `the first address of ${pkt.inIface}`;
    }
    if (!laddr) {
      laddr = pkt.dst;
      from = 'the packet destination';
    }
    const established = ctx.host.establishedSocket?.(pkt) ?? null;
    if (established) {
      if (!established.transparent) {
        return { verdict: 'drop', detail: `tproxy: the packet belongs to ${established.label}, which is not transparent (no IP_TRANSPARENT), so the kernel drops it` };
      }
      const before = pkt.mark;
      pkt.mark = xmark(pkt.mark, o.markValue, o.markMask);
      return { verdict: 'accept', socket: established, detail: `tproxy to ${established.label} (established), mark ${hex(before)} -> ${hex(pkt.mark)}` };
    }
    const where = `${pkt.proto} ${hostPort(laddr.text, port, laddr.family === 'ipv6')}`;
    const sock = ctx.host.findListener(ctx.family, pkt.proto, laddr, port);
    if (!sock) return { verdict: 'drop', detail: `tproxy: no socket listens on ${where} (${from}), so the kernel drops the packet` };
    if (!sock.transparent) {
      return { verdict: 'drop', detail: `tproxy: ${sock.label} on ${where} is not transparent (no IP_TRANSPARENT), so the kernel drops the packet` };
    }
    const before = pkt.mark;
    pkt.mark = xmark(pkt.mark, o.markValue, o.markMask);
    return { verdict: 'accept', socket: sock, detail: `tproxy to ${sock.label} on ${where}, mark ${hex(before)} -> ${hex(pkt.mark)}` };
  },
});
