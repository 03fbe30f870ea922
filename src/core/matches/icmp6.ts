/**
 * `-p ipv6-icmp [-m icmp6] [!] --icmpv6-type NAME|TYPE[/CODE]` (IPv6 only; the rule
 * parser loads it implicitly for `-p ipv6-icmp`/`-p icmpv6`). Saved numerically,
 * e.g. `echo-request` as `128`; there is no `any` wildcard in ICMPv6.
 */
import { RuleSyntaxError } from '../errors.js';
import { defineMatch } from './define.js';
import { formatIcmpType, ICMPV6_NAMES, icmpTypeName, parseIcmpType, type IcmpTypeSpec } from './icmp-types.js';
import { onlyOnce, requireFamily, requireProto, valueOf } from './util.js';

export interface Icmp6Options {
  spec: IcmpTypeSpec;
  invert: boolean;
}

function hit(o: Icmp6Options, type: number, code: number): boolean {
  return type === o.spec.type && code >= o.spec.codeMin && code <= o.spec.codeMax;
}

export const icmp6Match = defineMatch<Icmp6Options>({
  name: 'icmp6',
  // xtables_find_match maps these spellings to icmp6.
  aliases: ['icmpv6', 'ipv6-icmp'],
  options: [{ name: 'icmpv6-type', arg: true, invertible: true }],
  families: ['ipv6'],
  build(options, ctx) {
    requireFamily('icmp6', ctx, 'ipv6');
    requireProto('icmp6', ctx, 'ipv6-icmp');
    onlyOnce('icmp6', options);
    const opt = options[0];
    if (!opt) throw new RuleSyntaxError('icmp6: --icmpv6-type is required');
    return { spec: parseIcmpType('icmp6', 'icmpv6-type', valueOf('icmp6', opt), ICMPV6_NAMES), invert: opt.invert };
  },
  save(o) {
    return `${o.invert ? '! ' : ''}--icmpv6-type ${formatIcmpType(o.spec)}`;
  },
  evaluate(o, pkt) {
    if (pkt.proto !== 'ipv6-icmp' || pkt.fragment) return 'no';
    if (pkt.icmpType === null || pkt.icmpCode === null) return 'unknown';
    return hit(o, pkt.icmpType, pkt.icmpCode) !== o.invert ? 'yes' : 'no';
  },
  explain(o, pkt) {
    if (pkt.proto !== 'ipv6-icmp') return `protocol ${pkt.proto} is not ipv6-icmp`;
    if (pkt.icmpType === null || pkt.icmpCode === null) return 'the packet\'s ICMPv6 type/code is not known';
    const want = icmpTypeName(o.spec, ICMPV6_NAMES) ?? formatIcmpType(o.spec);
    return `icmpv6 ${pkt.icmpType}/${pkt.icmpCode} ${hit(o, pkt.icmpType, pkt.icmpCode) ? 'is' : 'is not'} ${want}${o.invert ? ' (negated)' : ''}`;
  },
});
