/**
 * `-j REDIRECT [--to-ports port[-port]] [--random]` (nat PREROUTING/OUTPUT).
 * Kernel nf_nat_redirect.c: in OUTPUT the new destination is loopback
 * (127.0.0.1 / ::1); elsewhere the first address of the incoming interface,
 * and a packet arriving on an interface without one is dropped.
 */
import { parseAddress } from '../net/address.js';
import { onlyOnce, valueOf } from '../matches/util.js';
import { defineTarget } from './define.js';
import { formatFlags, formatPorts, natAccept, parsePorts, readFlags, resolveNat, type NatFlags, type PortRange } from './nat.js';

export interface RedirectOptions {
  ports: PortRange | null;
  flags: NatFlags;
}

const LOOPBACK = { ipv4: parseAddress('127.0.0.1')!, ipv6: parseAddress('::1')! };

export const redirectTarget = defineTarget<RedirectOptions>({
  name: 'REDIRECT',
  options: [
    // getopt accepts any unambiguous prefix; `--to-port` is the one seen in the wild (Istio logs).
    { name: 'to-ports', aliases: ['to-port'], arg: true },
    { name: 'random', arg: false },
  ],
  tables: ['nat'],
  hooks: ['PREROUTING', 'OUTPUT'],
  tracksConnections: true,
  rewritesAddresses: true,
  build(options, ctx) {
    onlyOnce('REDIRECT', options);
    let ports: PortRange | null = null;
    for (const o of options) {
      if (o.name === 'to-ports') ports = parsePorts(valueOf('REDIRECT', o), ctx, false);
    }
    return { ports, flags: readFlags(options.map((o) => o.name)) };
  },
  save(o) {
    return [...(o.ports ? [`--to-ports ${formatPorts(o.ports)}`] : []), ...formatFlags(o.flags)].join(' ');
  },
  apply(o, pkt, ctx) {
    let addr;
    if (ctx.hook === 'OUTPUT') {
      addr = LOOPBACK[ctx.family];
    } else {
      if (pkt.inIface === null) return { verdict: 'unknown', detail: 'REDIRECT outside OUTPUT needs the incoming interface, and the packet has none' };
      addr = ctx.host.primaryAddress(pkt.inIface, ctx.family);
      if (!addr) return { verdict: 'drop', detail: `redirect: ${pkt.inIface} has no ${ctx.family === 'ipv4' ? 'IPv4' : 'IPv6'} address, so the kernel drops the packet` };
    }
    const { change, notes } = resolveNat('dst', { addrs: { min: addr, max: addr }, ports: o.ports }, o.flags, pkt);
    return natAccept('redirect', change, pkt, notes);
  },
});
