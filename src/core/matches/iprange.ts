/**
 * `-m iprange [!] --src-range a[-b] [!] --dst-range a[-b]` (revision 1): inclusive
 * address ranges. A single address means a-a (saved that way); a reversed range is
 * accepted with a warning by iptables and never matches.
 */
import { RuleSyntaxError } from '../errors.js';
import { parseAddress, type Address } from '../net/address.js';
import type { Packet } from '../netfilter/packet.js';
import { defineMatch, type BuildCtx, type ParsedOption } from './define.js';
import { onlyOnce, valueOf, type Neg } from './util.js';

export interface IpRange {
  from: Address;
  to: Address;
}

export interface IprangeOptions {
  src?: Neg<IpRange>;
  dst?: Neg<IpRange>;
}

function parseRange(opt: ParsedOption, ctx: BuildCtx): IpRange {
  const text = valueOf('iprange', opt);
  const dash = text.indexOf('-');
  const parts = dash < 0 ? [text, text] : [text.slice(0, dash), text.slice(dash + 1)];
  const [from, to] = parts.map((p) => {
    const a = parseAddress(p);
    if (!a) throw new RuleSyntaxError(`iprange: bad address "${p}" in --${opt.name} (expected ip[-ip], no host names)`);
    if (a.family !== ctx.family) throw new RuleSyntaxError(`iprange: "${p}" is not an ${ctx.family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
    return a;
  }) as [Address, Address];
  return { from, to };
}

function inside(r: IpRange, a: Address): boolean {
  return a.family === r.from.family && a.value >= r.from.value && a.value <= r.to.value;
}

function rangeText(r: IpRange): string {
  return `${r.from.text}-${r.to.text}`;
}

function explainOne(name: string, t: Neg<IpRange> | undefined, a: Address): string | null {
  if (!t) return null;
  return `${name} ${a.text} ${inside(t.value, a) ? 'in' : 'not in'} ${rangeText(t.value)}${t.invert ? ' (negated)' : ''}`;
}

function test(t: Neg<IpRange> | undefined, a: Address): boolean {
  return !t || inside(t.value, a) !== t.invert;
}

export const iprangeMatch = defineMatch<IprangeOptions>({
  name: 'iprange',
  options: [
    { name: 'src-range', arg: true, invertible: true },
    { name: 'dst-range', arg: true, invertible: true },
  ],
  build(options, ctx) {
    onlyOnce('iprange', options);
    const o: IprangeOptions = {};
    for (const opt of options) {
      const r = { value: parseRange(opt, ctx), invert: opt.invert };
      if (opt.name === 'src-range') o.src = r;
      else o.dst = r;
    }
    if (!o.src && !o.dst) throw new RuleSyntaxError('iprange: you must specify --src-range or --dst-range');
    return o;
  },
  save(o) {
    const parts: string[] = [];
    if (o.src) parts.push(`${o.src.invert ? '! ' : ''}--src-range ${rangeText(o.src.value)}`);
    if (o.dst) parts.push(`${o.dst.invert ? '! ' : ''}--dst-range ${rangeText(o.dst.value)}`);
    return parts.join(' ');
  },
  evaluate(o, pkt: Packet) {
    return test(o.src, pkt.src) && test(o.dst, pkt.dst) ? 'yes' : 'no';
  },
  explain(o, pkt) {
    return [explainOne('src', o.src, pkt.src), explainOne('dst', o.dst, pkt.dst)].filter((w) => w !== null).join('; ');
  },
});
