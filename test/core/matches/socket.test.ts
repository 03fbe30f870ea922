import { describe, expect, it } from 'vitest';
import { socketMatch } from '../../../src/core/matches/socket.js';
import type { LocalSocket } from '../../../src/core/netfilter/packet.js';
import { addr, fakeHost, ruleOf } from '../../helpers/packet.js';
import { matchTable } from './table.js';

const envoyInbound: LocalSocket = { family: 'any', proto: 'tcp', address: null, port: 15006, transparent: true, label: 'Envoy inbound' };
const boundApp: LocalSocket = { family: 'ipv4', proto: 'tcp', address: addr('10.244.1.5'), port: 9080, transparent: false, label: 'app' };
const boundTransparent: LocalSocket = { ...boundApp, port: 9090, transparent: true, label: 'transparent app' };
const host = fakeHost([envoyInbound, boundApp, boundTransparent]);
const inbound = { src: '10.244.2.7', dst: '10.244.1.5', in: 'eth0' };

// -m socket takes no "!": the table covers yes, no and unknown.
matchTable(
  socketMatch,
  [
    { name: 'first packet, nothing listens', rule: '-p tcp -m socket', hook: 'PREROUTING', host, pkt: { ...inbound, dport: 8080 }, want: 'no', why: 'no listener' },
    { name: 'first packet, wildcard listener is ignored', rule: '-p tcp -m socket', hook: 'PREROUTING', host, pkt: { ...inbound, dport: 15006 }, want: 'no', why: 'wildcard' },
    { name: 'first packet, wildcard listener with --nowildcard', rule: '-p tcp -m socket --nowildcard', hook: 'PREROUTING', host, pkt: { ...inbound, dport: 15006 }, want: 'yes' },
    { name: 'first packet, listener bound to the address', rule: '-p tcp -m socket', hook: 'PREROUTING', host, pkt: { ...inbound, dport: 9080 }, want: 'yes', why: 'owns it' },
    { name: '--transparent needs IP_TRANSPARENT', rule: '-p tcp -m socket --transparent', hook: 'PREROUTING', host, pkt: { ...inbound, dport: 9080 }, want: 'no', why: 'not IP_TRANSPARENT' },
    { name: '--transparent listener', rule: '-p tcp -m socket --transparent', hook: 'PREROUTING', host, pkt: { ...inbound, dport: 9090 }, want: 'yes' },
    { name: 'established packets: sockets are not modelled', rule: '-p tcp -m socket', hook: 'PREROUTING', host, pkt: { ...inbound, ctstate: 'ESTABLISHED' }, want: 'unknown', why: 'not modelled' },
    { name: 'ICMP errors quote another packet', rule: '-m socket', hook: 'PREROUTING', host, pkt: { ...inbound, proto: 'icmp' }, want: 'unknown' },
    { name: 'no socket lookup for GRE', rule: '-m socket', hook: 'PREROUTING', host, pkt: { ...inbound, proto: 'gre' }, want: 'no' },
  ],
  { negatable: false },
);

describe('socket parsing', () => {
  it('saves flags in a fixed order and takes no "!"', () => {
    expect(ruleOf('-m socket --restore-skmark --transparent', 'mangle').text).toBe('-m socket --transparent --restore-skmark');
    expect(() => ruleOf('-m socket ! --transparent', 'mangle')).toThrow(/not allowed/);
  });
});
