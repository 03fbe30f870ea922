/** `-m tcp` (also loaded implicitly by `-p tcp --dport …`): ports and flags. */
import { RuleSyntaxError } from '../errors.js';
import { boolTri, triAnd, triInvert, type Tri } from '../types.js';
import { defineMatch } from './define.js';
import { explainPort, portOption, portTri, savePortOption, type PortRange } from './ports.js';
import { onlyOnce, requireProto, type Neg } from './util.js';

export { portOption } from './ports.js';

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

/** (flags & mask) == comp, without allocating: a COMP flag outside MASK can never be matched. */
function flagsHit(mask: string[], comp: string[], flags: string[]): boolean {
  for (const f of comp) if (!mask.includes(f)) return false;
  for (const f of mask) if (flags.includes(f) !== comp.includes(f)) return false;
  return true;
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
  build(options, ctx) {
    requireProto('tcp', ctx, 'tcp');
    onlyOnce('tcp', options);
    if (options.some((x) => x.name === 'syn') && options.some((x) => x.name === 'tcp-flags')) {
      throw new RuleSyntaxError('tcp: --syn and --tcp-flags cannot be combined');
    }
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
    const sport = savePortOption('sport', o.sport);
    const dport = savePortOption('dport', o.dport);
    if (sport) parts.push(sport);
    if (dport) parts.push(dport);
    if (o.flags) parts.push(`${neg(o.flags)}--tcp-flags ${flagText(o.flags.value.mask)} ${flagText(o.flags.value.comp)}`);
    if (o.option) parts.push(`${neg(o.option)}--tcp-option ${o.option.value}`);
    return parts.join(' ');
  },
  evaluate(o, pkt) {
    if (pkt.proto !== 'tcp' || pkt.fragment) return 'no';
    let r: Tri = 'yes';
    r = triAnd(r, portTri(o.sport, pkt.sport));
    r = triAnd(r, portTri(o.dport, pkt.dport));
    if (o.flags) r = triAnd(r, triInvert(boolTri(flagsHit(o.flags.value.mask, o.flags.value.comp, pkt.tcpFlags)), o.flags.invert));
    // TCP options are not part of the modelled packet.
    if (o.option) r = triAnd(r, 'unknown');
    return r;
  },
  explain(o, pkt) {
    if (pkt.proto !== 'tcp') return `protocol ${pkt.proto} is not tcp`;
    const why: string[] = [];
    for (const w of [explainPort('sport', o.sport, pkt.sport), explainPort('dport', o.dport, pkt.dport)]) if (w) why.push(w);
    if (o.flags) why.push(`flags ${pkt.tcpFlags.join(',') || 'none'} vs ${flagText(o.flags.value.comp)} of ${flagText(o.flags.value.mask)}`);
    if (o.option) why.push('TCP options are not modelled');
    return why.join('; ');
  },
});
