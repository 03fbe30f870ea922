/**
 * `-j MASQUERADE [--to-ports port[-port]] [--random] [--random-fully]` (nat POSTROUTING).
 * Kernel nf_nat_masquerade.c: the new source is an address of the outgoing
 * interface; with none, the packet is dropped ("... ate my IP address").
 */
import { onlyOnce, valueOf } from '../matches/util.js';
import { defineTarget } from './define.js';
import { formatFlags, formatPorts, natAccept, parsePorts, readFlags, resolveNat, type NatFlags, type PortRange } from './nat.js';

export interface MasqueradeOptions {
  ports: PortRange | null;
  flags: NatFlags;
}

export const masqueradeTarget = defineTarget<MasqueradeOptions>({
  name: 'MASQUERADE',
  options: [
    { name: 'to-ports', aliases: ['to-port'], arg: true },
    { name: 'random', arg: false },
    { name: 'random-fully', arg: false },
  ],
  tables: ['nat'],
  hooks: ['POSTROUTING'],
  tracksConnections: true,
  rewritesAddresses: true,
  build(options, ctx) {
    onlyOnce('MASQUERADE', options);
    let ports: PortRange | null = null;
    for (const o of options) {
      if (o.name === 'to-ports') ports = parsePorts(valueOf('MASQUERADE', o), ctx, false);
    }
    return { ports, flags: readFlags(options.map((o) => o.name)) };
  },
  save(o) {
    return [...(o.ports ? [`--to-ports ${formatPorts(o.ports)}`] : []), ...formatFlags(o.flags)].join(' ');
  },
  apply(o, pkt, ctx) {
    // A locally generated packet from 0.0.0.0 is not meant to be masqueraded.
    if (pkt.family === 'ipv4' && pkt.conn.original.src.value === 0) {
      return { verdict: 'accept', detail: 'masquerade: source 0.0.0.0 is left alone' };
    }
    if (pkt.outIface === null) return { verdict: 'unknown', detail: 'MASQUERADE needs the outgoing interface, and the packet has none' };
    const addr = ctx.host.primaryAddress(pkt.outIface, ctx.family);
    if (!addr) return { verdict: 'drop', detail: `masquerade: ${pkt.outIface} has no ${ctx.family === 'ipv4' ? 'IPv4' : 'IPv6'} address, so the kernel drops the packet` };
    const { change, notes } = resolveNat('src', { addrs: { min: addr, max: addr }, ports: o.ports }, o.flags, pkt);
    return natAccept('masquerade', change, pkt, notes);
  },
});
