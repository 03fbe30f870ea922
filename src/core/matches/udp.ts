/** `-m udp` (also loaded implicitly by `-p udp --dport …`): source and destination ports. */
import { triAnd } from '../types.js';
import { defineMatch } from './define.js';
import { explainPort, portOption, portTri, savePortOption, type PortRange } from './ports.js';
import { onlyOnce, requireProto, type Neg } from './util.js';

export interface UdpOptions {
  sport?: Neg<PortRange>;
  dport?: Neg<PortRange>;
}

export const udpMatch = defineMatch<UdpOptions>({
  name: 'udp',
  options: [
    { name: 'sport', aliases: ['source-port'], arg: true, invertible: true },
    { name: 'dport', aliases: ['destination-port'], arg: true, invertible: true },
  ],
  build(options, ctx) {
    requireProto('udp', ctx, 'udp');
    onlyOnce('udp', options);
    const o: UdpOptions = {};
    for (const opt of options) {
      if (opt.name === 'sport') o.sport = portOption(opt);
      else if (opt.name === 'dport') o.dport = portOption(opt);
    }
    return o;
  },
  save(o) {
    return [savePortOption('sport', o.sport), savePortOption('dport', o.dport)].filter((s) => s !== '').join(' ');
  },
  evaluate(o, pkt) {
    // udp_mt: non-first fragments never match.
    if (pkt.proto !== 'udp' || pkt.fragment) return 'no';
    return triAnd(portTri(o.sport, pkt.sport), portTri(o.dport, pkt.dport));
  },
  explain(o, pkt) {
    if (pkt.proto !== 'udp') return `protocol ${pkt.proto} is not udp`;
    if (pkt.fragment) return 'non-first fragment: udp never matches';
    const why = [explainPort('sport', o.sport, pkt.sport), explainPort('dport', o.dport, pkt.dport)].filter((w) => w !== null);
    return why.length > 0 ? why.join('; ') : 'any udp packet';
  },
});
