/**
 * `-m set [!] --match-set NAME FLAG[,FLAG…]` (xt_set revision 4) with `--return-nomatch`,
 * `! --update-counters`, `! --update-subcounters` and the element counter tests
 * `[!] --packets-eq N`, `--packets-lt N`, `--packets-gt N` (and `--bytes-*`).
 *
 * The sets come from the host (the CLI reads --ipset files); without them, or for a
 * name they lack, the rule is unknown and the reason names the set. Element counters
 * are runtime state: a test on them is unknown once the element is found.
 */
import { RuleSyntaxError } from '../errors.js';
import { testSet, type Direction } from '../net/ipset.js';
import type { Packet } from '../netfilter/packet.js';
import type { Tri } from '../types.js';
import { defineMatch, type EvalCtx } from './define.js';
import { onlyOnce, parseUInt, valueOf } from './util.js';

interface CounterTest {
  op: 'eq' | 'ne' | 'lt' | 'gt';
  value: number;
}

export interface SetOptions {
  name: string;
  dirs: Direction[];
  invert: boolean;
  returnNomatch: boolean;
  skipCounters: boolean;
  skipSubcounters: boolean;
  packets: CounterTest | null;
  bytes: CounterTest | null;
}

/** IPSET_DIM_MAX: the kernel takes at most six direction flags. */
const MAX_DIRS = 6;
/** Sets are named in at most IPSET_MAXNAMELEN - 1 characters. */
const MAX_NAME = 31;

function counter(kind: 'packets' | 'bytes', o: SetOptions, name: string, value: string | null, invert: boolean): void {
  const op = name.slice(kind.length + 1) as 'eq' | 'lt' | 'gt';
  if (o[kind]) throw new RuleSyntaxError(`set: only one of --${kind}-eq, --${kind}-lt, --${kind}-gt may be given`);
  if (invert && op !== 'eq') throw new RuleSyntaxError(`set: --${name} cannot be negated (only --${kind}-eq can)`);
  const n = parseUInt(value ?? '', Number.MAX_SAFE_INTEGER);
  if (n === null) throw new RuleSyntaxError(`set: --${name} needs a non-negative number, got "${value ?? ''}"`);
  o[kind] = { op: invert ? 'ne' : op, value: n };
}

function counterText(kind: string, c: CounterTest | null): string | null {
  if (!c) return null;
  return c.op === 'ne' ? `! --${kind}-eq ${c.value}` : `--${kind}-${c.op} ${c.value}`;
}

type Found = { r: 'match' | 'nomatch' | 'miss' } | { r: 'unknown'; why: string };

function lookup(o: SetOptions, pkt: Packet, ctx: EvalCtx): Found {
  const sets = ctx.host.ipsets();
  if (sets === null) return { r: 'unknown', why: `ipset ${o.name} is not known: give --ipset FILE with \`ipset save\` output` };
  const set = sets.get(o.name);
  if (!set) return { r: 'unknown', why: `ipset ${o.name} is not known: it is not in the --ipset file` };
  return testSet(set, sets, pkt, o.dirs);
}

export const setMatch = defineMatch<SetOptions>({
  name: 'set',
  options: [
    { name: 'match-set', aliases: ['set'], arg: true, argCount: 2, invertible: true },
    { name: 'return-nomatch', arg: false },
    { name: 'update-counters', arg: false, invertible: true },
    { name: 'update-subcounters', arg: false, invertible: true },
    { name: 'packets-eq', arg: true, invertible: true },
    { name: 'packets-lt', arg: true },
    { name: 'packets-gt', arg: true },
    { name: 'bytes-eq', arg: true, invertible: true },
    { name: 'bytes-lt', arg: true },
    { name: 'bytes-gt', arg: true },
  ],
  build(options) {
    onlyOnce('set', options);
    const o: SetOptions = { name: '', dirs: [], invert: false, returnNomatch: false, skipCounters: false, skipSubcounters: false, packets: null, bytes: null };
    for (const opt of options) {
      switch (opt.name) {
        case 'match-set': {
          const [name, flags] = valueOf('set', opt).split(' ');
          if (!name || !flags) throw new RuleSyntaxError('set: --match-set needs a set name and flags (src, dst, comma-separated)');
          if (name.length > MAX_NAME) throw new RuleSyntaxError(`set: set name "${name}" is longer than ${MAX_NAME} characters`);
          const dirs = flags.split(',');
          if (dirs.length > MAX_DIRS) throw new RuleSyntaxError(`set: at most ${MAX_DIRS} flags in "${flags}"`);
          for (const d of dirs) if (d !== 'src' && d !== 'dst') throw new RuleSyntaxError(`set: bad flag "${d}" in "${flags}" (expected src or dst)`);
          o.name = name;
          o.dirs = dirs as Direction[];
          o.invert = opt.invert;
          break;
        }
        case 'return-nomatch':
          o.returnNomatch = true;
          break;
        case 'update-counters':
          o.skipCounters = opt.invert;
          break;
        case 'update-subcounters':
          o.skipSubcounters = opt.invert;
          break;
        default:
          counter(opt.name.startsWith('packets') ? 'packets' : 'bytes', o, opt.name, opt.value, opt.invert);
      }
    }
    if (o.name === '') throw new RuleSyntaxError('set: you must specify --match-set NAME FLAGS');
    return o;
  },
  save(o) {
    const parts = [`${o.invert ? '! ' : ''}--match-set ${o.name} ${o.dirs.join(',')}`];
    if (o.returnNomatch) parts.push('--return-nomatch');
    if (o.skipCounters) parts.push('! --update-counters');
    if (o.skipSubcounters) parts.push('! --update-subcounters');
    for (const c of [counterText('packets', o.packets), counterText('bytes', o.bytes)]) if (c) parts.push(c);
    return parts.join(' ');
  },
  evaluate(o, pkt, ctx): Tri {
    const f = lookup(o, pkt, ctx);
    if (f.r === 'unknown') return 'unknown';
    const found = f.r === 'match' || (f.r === 'nomatch' && o.returnNomatch);
    // The element's counters are compared only once it is found; they are runtime state.
    if (found && (o.packets || o.bytes)) return 'unknown';
    return found !== o.invert ? 'yes' : 'no';
  },
  explain(o, pkt, ctx) {
    const f = lookup(o, pkt, ctx);
    if (f.r === 'unknown') return f.why;
    const what = o.dirs.map((d, i) => `${d}${i === 0 ? ` ${d === 'src' ? pkt.src.text : pkt.dst.text}` : ''}`).join(',');
    const found = f.r === 'match' || (f.r === 'nomatch' && o.returnNomatch);
    const how = f.r === 'nomatch' ? (o.returnNomatch ? 'hits a nomatch entry (--return-nomatch: a match)' : 'hits a nomatch entry') : f.r === 'match' ? 'in' : 'not in';
    const counters = found && (o.packets || o.bytes) ? '; the element counter test depends on traffic so far (not modelled)' : '';
    return `${what} ${how} ipset ${o.name}${o.invert ? ' (negated)' : ''}${counters}`;
  },
});
