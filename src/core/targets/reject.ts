/**
 * `-j REJECT [--reject-with type]`: drop the packet and answer with an ICMP
 * error or a TCP RST. The kernel (ipt_REJECT.c / ip6t_REJECT.c) allows it in
 * the filter table's INPUT/FORWARD/OUTPUT only, and `tcp-reset` only in rules
 * with a plain `-p tcp`. iptables-save always prints the type.
 */
import { RuleSyntaxError } from '../errors.js';
import type { Family } from '../types.js';
import { onlyOnce, valueOf } from '../matches/util.js';
import { defineTarget } from './define.js';

export interface RejectOptions {
  with: string;
}

interface RejectType {
  name: string;
  alias: string;
  what: string;
}

/**
 * Per family, in libip(6)t_REJECT.c's table order: the first entry whose name or
 * alias starts with the given text (case-insensitively) wins, as iptables parses it.
 */
const TYPES: Record<Family, RejectType[]> = {
  ipv4: [
    { name: 'icmp-net-unreachable', alias: 'net-unreach', what: 'ICMP network unreachable' },
    { name: 'icmp-host-unreachable', alias: 'host-unreach', what: 'ICMP host unreachable' },
    { name: 'icmp-proto-unreachable', alias: 'proto-unreach', what: 'ICMP protocol unreachable' },
    { name: 'icmp-port-unreachable', alias: 'port-unreach', what: 'ICMP port unreachable' },
    { name: 'icmp-net-prohibited', alias: 'net-prohib', what: 'ICMP network prohibited' },
    { name: 'icmp-host-prohibited', alias: 'host-prohib', what: 'ICMP host prohibited' },
    { name: 'tcp-reset', alias: 'tcp-rst', what: 'TCP RST' },
    { name: 'icmp-admin-prohibited', alias: 'admin-prohib', what: 'ICMP administratively prohibited' },
  ],
  ipv6: [
    { name: 'icmp6-no-route', alias: 'no-route', what: 'ICMPv6 no route' },
    { name: 'icmp6-adm-prohibited', alias: 'adm-prohibited', what: 'ICMPv6 administratively prohibited' },
    { name: 'icmp6-addr-unreachable', alias: 'addr-unreach', what: 'ICMPv6 address unreachable' },
    { name: 'icmp6-port-unreachable', alias: 'port-unreach', what: 'ICMPv6 port unreachable' },
    { name: 'tcp-reset', alias: 'tcp-reset', what: 'TCP RST' },
    { name: 'icmp6-policy-fail', alias: 'policy-fail', what: 'ICMPv6 policy fail' },
    { name: 'icmp6-reject-route', alias: 'reject-route', what: 'ICMPv6 reject route' },
  ],
};

const DEFAULT: Record<Family, string> = { ipv4: 'icmp-port-unreachable', ipv6: 'icmp6-port-unreachable' };

function lookup(family: Family, text: string): RejectType {
  const t = text.toLowerCase();
  const found = TYPES[family].find((r) => r.name.startsWith(t) || r.alias.startsWith(t));
  if (!found) throw new RuleSyntaxError(`unknown reject type "${text}"; valid: ${TYPES[family].map((r) => r.name).join(', ')}`);
  return found;
}

export const rejectTarget = defineTarget<RejectOptions>({
  name: 'REJECT',
  options: [{ name: 'reject-with', arg: true }],
  tables: ['filter'],
  hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
  build(options, ctx) {
    onlyOnce('REJECT', options);
    const opt = options[0];
    const type = opt ? lookup(ctx.family, valueOf('REJECT', opt)).name : DEFAULT[ctx.family];
    if (type === 'tcp-reset' && (ctx.proto?.value !== 'tcp' || ctx.proto.invert)) {
      throw new RuleSyntaxError('REJECT --reject-with tcp-reset is only valid with -p tcp');
    }
    return { with: type };
  },
  save(o) {
    return `--reject-with ${o.with}`;
  },
  apply(o, pkt) {
    const type = TYPES[pkt.family].find((r) => r.name === o.with);
    return { verdict: 'reject', detail: `reject with ${type?.what ?? o.with}` };
  },
});
