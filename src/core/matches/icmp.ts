/**
 * `-p icmp [-m icmp] [!] --icmp-type NAME|TYPE[/CODE]` (IPv4 only). iptables-save
 * prints the number (`echo-request` saves as `8`, `port-unreachable` as `3/3`) and
 * keeps `any` (type 255 with every code), which the kernel treats as a wildcard.
 */
import { RuleSyntaxError } from '../errors.js';
import { defineMatch } from './define.js';
import { formatIcmpType, ICMP_NAMES, icmpTypeName, parseIcmpType, type IcmpTypeSpec } from './icmp-types.js';
import { onlyOnce, requireFamily, requireProto, valueOf } from './util.js';

export interface IcmpOptions {
  spec: IcmpTypeSpec;
  invert: boolean;
}

function isAny(s: IcmpTypeSpec): boolean {
  return s.type === 0xff;
}

export const icmpMatch = defineMatch<IcmpOptions>({
  name: 'icmp',
  options: [{ name: 'icmp-type', arg: true, invertible: true }],
  families: ['ipv4'],
  build(options, ctx) {
    requireFamily('icmp', ctx, 'ipv4');
    requireProto('icmp', ctx, 'icmp');
    onlyOnce('icmp', options);
    const opt = options[0];
    if (!opt) throw new RuleSyntaxError('icmp: --icmp-type is required');
    return { spec: parseIcmpType('icmp', 'icmp-type', valueOf('icmp', opt), ICMP_NAMES), invert: opt.invert };
  },
  save(o) {
    const s = o.spec;
    const text = s.type === 0xff && s.codeMin === 0 && s.codeMax === 0xff ? 'any' : formatIcmpType(s);
    return `${o.invert ? '! ' : ''}--icmp-type ${text}`;
  },
  evaluate(o, pkt) {
    // icmp_match: non-first fragments never match; type 255 matches every ICMP packet.
    if (pkt.proto !== 'icmp' || pkt.fragment) return 'no';
    if (isAny(o.spec)) return o.invert ? 'no' : 'yes';
    if (pkt.icmpType === null || pkt.icmpCode === null) return 'unknown';
    const hit = pkt.icmpType === o.spec.type && pkt.icmpCode >= o.spec.codeMin && pkt.icmpCode <= o.spec.codeMax;
    return hit !== o.invert ? 'yes' : 'no';
  },
  explain(o, pkt) {
    if (pkt.proto !== 'icmp') return `protocol ${pkt.proto} is not icmp`;
    const want = icmpTypeName(o.spec, ICMP_NAMES) ?? formatIcmpType(o.spec);
    const neg = o.invert ? ' (negated)' : '';
    if (isAny(o.spec)) return `icmp type any${neg}`;
    if (pkt.icmpType === null || pkt.icmpCode === null) return 'the packet\'s ICMP type/code is not known';
    const hit = pkt.icmpType === o.spec.type && pkt.icmpCode >= o.spec.codeMin && pkt.icmpCode <= o.spec.codeMax;
    return `icmp ${pkt.icmpType}/${pkt.icmpCode} ${hit ? 'is' : 'is not'} ${want}${neg}`;
  },
});
