/**
 * `-m multiport [!] --dports|--sports|--ports p1,p2,a:b,…` (revision 1, with ranges).
 * Up to 15 port slots; a range `a:b` takes two and needs a < b (libxt_multiport.c
 * parse_multi_ports_v1). Valid only with `-p tcp|udp|udplite|dccp|sctp`, not negated.
 */
import { RuleSyntaxError } from '../errors.js';
import { defineMatch } from './define.js';
import { parsePort, type PortRange } from './ports.js';
import { valueOf } from './util.js';

export type MultiportDirection = 'sports' | 'dports' | 'ports';

export interface MultiportOptions {
  direction: MultiportDirection;
  /** Single ports are ranges with from === to; `pair` records whether it was written `a:b`. */
  ranges: Array<PortRange & { pair: boolean }>;
  invert: boolean;
}

/** XT_MULTI_PORTS: slots in the kernel structure. */
const MAX_SLOTS = 15;
const PROTOS = ['tcp', 'udp', 'udplite', 'dccp', 'sctp'];

function parseList(text: string, option: string): MultiportOptions['ranges'] {
  const out: MultiportOptions['ranges'] = [];
  let slots = 0;
  for (const item of text.split(',')) {
    if (slots >= MAX_SLOTS) throw new RuleSyntaxError(`multiport: too many ports in --${option} (at most ${MAX_SLOTS}, a range counts as two)`);
    const colon = item.indexOf(':');
    if (colon < 0) {
      if (item === '') throw new RuleSyntaxError(`multiport: empty port in --${option} "${text}"`);
      const p = parsePort(item);
      out.push({ from: p, to: p, pair: false });
      slots += 1;
      continue;
    }
    if (slots === MAX_SLOTS - 1) throw new RuleSyntaxError(`multiport: too many ports in --${option} (at most ${MAX_SLOTS}, a range counts as two)`);
    const from = parsePort(item.slice(0, colon));
    const to = parsePort(item.slice(colon + 1));
    if (from >= to) throw new RuleSyntaxError(`multiport: invalid port range "${item}": the first port must be below the second`);
    out.push({ from, to, pair: true });
    slots += 2;
  }
  return out;
}

/** ports_match_v1 without the inversion: does any listed port or range cover the packet? */
function anyHit(o: MultiportOptions, src: number, dst: number): boolean {
  const ranges = o.ranges;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    if (o.direction !== 'dports' && src >= r.from && src <= r.to) return true;
    if (o.direction !== 'sports' && dst >= r.from && dst <= r.to) return true;
  }
  return false;
}

export const multiportMatch = defineMatch<MultiportOptions>({
  name: 'multiport',
  options: [
    { name: 'sports', aliases: ['source-ports'], arg: true, invertible: true },
    { name: 'dports', aliases: ['destination-ports'], arg: true, invertible: true },
    { name: 'ports', arg: true, invertible: true },
  ],
  build(options, ctx) {
    if (options.length === 0) throw new RuleSyntaxError('multiport: no ports specified (use --sports, --dports or --ports)');
    if (options.length > 1) throw new RuleSyntaxError('multiport: only one of --sports, --dports, --ports per -m multiport');
    const p = ctx.proto;
    if (p?.invert) throw new RuleSyntaxError('multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP (not with "! -p")');
    if (!p || p.value === 'all') throw new RuleSyntaxError("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
    if (!PROTOS.includes(p.value)) throw new RuleSyntaxError(`multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP, not -p ${p.value}`);
    const opt = options[0]!;
    return {
      direction: opt.name as MultiportDirection,
      ranges: parseList(valueOf('multiport', opt), opt.name),
      invert: opt.invert,
    };
  },
  save(o) {
    const list = o.ranges.map((r) => (r.pair ? `${r.from}:${r.to}` : String(r.from))).join(',');
    return `${o.invert ? '! ' : ''}--${o.direction} ${list}`;
  },
  evaluate(o, pkt) {
    // multiport_mt: non-first fragments and packets without a port header never match.
    if (pkt.fragment || pkt.sport === null || pkt.dport === null) return 'no';
    return anyHit(o, pkt.sport, pkt.dport) !== o.invert ? 'yes' : 'no';
  },
  explain(o, pkt) {
    const list = o.ranges.map((r) => (r.pair ? `${r.from}:${r.to}` : String(r.from))).join(',');
    if (pkt.fragment || pkt.sport === null || pkt.dport === null) return 'packet has no ports: multiport never matches';
    const which = o.direction === 'sports' ? `sport ${pkt.sport}` : o.direction === 'dports' ? `dport ${pkt.dport}` : `sport ${pkt.sport}/dport ${pkt.dport}`;
    const hit = anyHit(o, pkt.sport, pkt.dport);
    return `${which} ${hit ? 'in' : 'not in'} {${list}}${o.invert ? ' (negated)' : ''}`;
  },
});
