/** `-m tcp` (also loaded implicitly by `-p tcp --dport …`): ports and flags. */
import { RuleSyntaxError } from '../errors.js';
import { boolTri, triAnd, triInvert, type Tri } from '../types.js';
import { defineMatch, type ParsedOption } from './define.js';
import { formatPortRange, inRange, parsePortRange, type PortRange } from './ports.js';

interface Neg<T> {
  value: T;
  invert: boolean;
}

export interface TcpOptions {
  sport?: Neg<PortRange>;
  dport?: Neg<PortRange>;
  flags?: Neg<{ mask: string[]; comp: string[] }>;
  option?: Neg<number>;
}

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];

function parseFlagList(text: string): string[] {
  const upper = text.toUpperCase();
  if (upper === 'ALL') return [...FLAG_NAMES];
  if (upper === 'NONE') return [];
  const flags = upper.split(',');
  for (const f of flags) {
    if (!FLAG_NAMES.includes(f)) throw new RuleSyntaxError(`unknown TCP flag "${f}"`);
  }
  return FLAG_NAMES.filter((f) => flags.includes(f));
}

function flagText(list: string[]): string {
  if (list.length === FLAG_NAMES.length) return 'FIN,SYN,RST,PSH,ACK,URG';
  if (list.length === 0) return 'NONE';
  return list.join(',');
}

export function portOption(o: ParsedOption): Neg<PortRange> {
  if (o.value === null) throw new RuleSyntaxError(`--${o.name} needs a port`);
  return { value: parsePortRange(o.value), invert: o.invert };
}

export const tcpMatch = defineMatch<TcpOptions>({
  name: 'tcp',
  options: [
    { name: 'sport', aliases: ['source-port', 'source-ports'], arg: true, invertible: true },
    { name: 'dport', aliases: ['destination-port', 'destination-ports'], arg: true, invertible: true },
    { name: 'tcp-flags', arg: true, argCount: 2, invertible: true },
    { name: 'syn', arg: false, invertible: true },
    { name: 'tcp-option', arg: true, invertible: true },
  ],
  build(options) {
    const o: TcpOptions = {};
    for (const opt of options) {
      switch (opt.name) {
        case 'sport':
          o.sport = portOption(opt);
          break;
        case 'dport':
          o.dport = portOption(opt);
          break;
        case 'syn':
          o.flags = { value: { mask: ['FIN', 'SYN', 'RST', 'ACK'], comp: ['SYN'] }, invert: opt.invert };
          break;
        case 'tcp-flags': {
          // The value token holds "MASK COMP" joined by the parser for two-argument options.
          const [mask, comp] = (opt.value ?? '').split(' ');
          if (mask === undefined || comp === undefined) throw new RuleSyntaxError('--tcp-flags needs MASK and COMP');
          o.flags = { value: { mask: parseFlagList(mask), comp: parseFlagList(comp) }, invert: opt.invert };
          break;
        }
        case 'tcp-option': {
          const n = Number(opt.value);
          if (!Number.isInteger(n) || n < 0 || n > 255) throw new RuleSyntaxError(`invalid --tcp-option "${opt.value}"`);
          o.option = { value: n, invert: opt.invert };
          break;
        }
      }
    }
    return o;
  },
  save(o) {
    const parts: string[] = [];
    const neg = (n: { invert: boolean }) => (n.invert ? '! ' : '');
    if (o.sport) parts.push(`${neg(o.sport)}--sport ${formatPortRange(o.sport.value)}`);
    if (o.dport) parts.push(`${neg(o.dport)}--dport ${formatPortRange(o.dport.value)}`);
    if (o.flags) parts.push(`${neg(o.flags)}--tcp-flags ${flagText(o.flags.value.mask)} ${flagText(o.flags.value.comp)}`);
    if (o.option) parts.push(`${neg(o.option)}--tcp-option ${o.option.value}`);
    return parts.join(' ');
  },
  evaluate(o, pkt) {
    if (pkt.proto !== 'tcp' || pkt.fragment) return 'no';
    let r: Tri = 'yes';
    if (o.sport) r = triAnd(r, triInvert(boolTri(pkt.sport !== null && inRange(o.sport.value, pkt.sport)), o.sport.invert));
    if (o.dport) r = triAnd(r, triInvert(boolTri(pkt.dport !== null && inRange(o.dport.value, pkt.dport)), o.dport.invert));
    if (o.flags) {
      const set = o.flags.value.mask.filter((f) => pkt.tcpFlags.includes(f));
      const ok = set.length === o.flags.value.comp.length && set.every((f) => o.flags!.value.comp.includes(f));
      r = triAnd(r, triInvert(boolTri(ok), o.flags.invert));
    }
    // TCP options are not part of the modelled packet.
    if (o.option) r = triAnd(r, 'unknown');
    return r;
  },
  explain(o, pkt) {
    if (pkt.proto !== 'tcp') return `protocol ${pkt.proto} is not tcp`;
    const why: string[] = [];
    if (o.sport) why.push(`sport ${pkt.sport} ${o.sport.invert ? 'vs ! ' : 'vs '}${formatPortRange(o.sport.value)}`);
    if (o.dport) why.push(`dport ${pkt.dport} ${o.dport.invert ? 'vs ! ' : 'vs '}${formatPortRange(o.dport.value)}`);
    if (o.flags) why.push(`flags ${pkt.tcpFlags.join(',') || 'none'} vs ${flagText(o.flags.value.comp)} of ${flagText(o.flags.value.mask)}`);
    if (o.option) why.push('TCP options are not modelled');
    return why.join('; ');
  },
});
