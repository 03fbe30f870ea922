/**
 * `-m statistic --mode random [!] --probability P` or `--mode nth [!] --every N [--packet P]`.
 * In general neither can be decided for one packet: evaluate() is 'unknown', and
 * statisticProbability() gives the chance of a match so a caller can branch. The
 * certain cases are decided (certainty()): xt_statistic matches random mode when
 * `(get_random_u32() & 0x7FFFFFFF) < probability`, so a stored 0 never matches and
 * the largest stored value, 2^31 (`--probability 1`), always does; nth mode with
 * `--every 1` matches every packet. `!` flips these like any other answer.
 *
 * The kernel stores the probability as round(P * 2^31) and iptables-save prints
 * that back with 11 decimals (`--probability 0.5` saves as `0.50000000000`,
 * `0.1` as `0.10000000009`); nth mode always saves `--packet`.
 */
import { RuleSyntaxError } from '../errors.js';
import type { Tri } from '../types.js';
import { defineMatch } from './define.js';
import { onlyOnce, parseUInt, UINT32_MAX, valueOf } from './util.js';

export type StatisticOptions =
  | { mode: 'random'; /** round(p * 2^31), as the kernel keeps it */ scaled: number; invert: boolean }
  | { mode: 'nth'; every: number; packet: number; invert: boolean };

const TWO_31 = 0x80000000;

/** printf("%.11f", scaled / 2^31), computed exactly (glibc rounds the exact binary value half-to-even). */
export function formatProbability(scaled: number): string {
  const num = BigInt(scaled) * 10n ** 11n;
  const den = BigInt(TWO_31);
  let q = num / den;
  const rem = num % den;
  if (rem * 2n > den || (rem * 2n === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(12, '0');
  return `${s.slice(0, -11)}.${s.slice(-11)}`;
}

/** Probability that the match says yes for a packet, after any `!`. */
export function statisticProbability(o: StatisticOptions): number {
  const p = o.mode === 'random' ? o.scaled / TWO_31 : 1 / o.every;
  return o.invert ? 1 - p : p;
}

/** 'yes'/'no' when the match is certain whatever the random number or counter, else null. */
export function statisticCertainty(o: StatisticOptions): Tri | null {
  let always: boolean;
  if (o.mode === 'random') {
    if (o.scaled === 0) always = false;
    else if (o.scaled >= TWO_31) always = true;
    else return null;
  } else {
    // The per-rule packet counter is unknown state, except that every 1 counts every packet.
    if (o.every !== 1) return null;
    always = true;
  }
  return always !== o.invert ? 'yes' : 'no';
}

function parseProbability(text: string): number {
  if (!/^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new RuleSyntaxError(`statistic: bad --probability "${text}" (expected a number from 0 to 1)`);
  const p = Number(text);
  if (!(p >= 0 && p <= 1)) throw new RuleSyntaxError(`statistic: --probability ${text} is outside 0..1`);
  // lround(0x80000000 * p): halves round away from zero, which Math.round does for positive values.
  return Math.round(TWO_31 * p);
}

export const statisticMatch = defineMatch<StatisticOptions>({
  name: 'statistic',
  probability: statisticProbability,
  options: [
    { name: 'mode', arg: true },
    { name: 'probability', arg: true, invertible: true },
    { name: 'every', arg: true, invertible: true },
    { name: 'packet', arg: true },
  ],
  build(options) {
    onlyOnce('statistic', options);
    let mode: string | undefined;
    let scaled: number | undefined;
    let every: number | undefined;
    let packet: number | undefined;
    let invert = false;
    for (const opt of options) {
      const text = valueOf('statistic', opt);
      if (opt.invert) invert = true;
      switch (opt.name) {
        case 'mode':
          if (text !== 'random' && text !== 'nth') throw new RuleSyntaxError(`statistic: bad mode "${text}" (expected random or nth)`);
          mode = text;
          break;
        case 'probability':
          scaled = parseProbability(text);
          break;
        case 'every': {
          const n = parseUInt(text, UINT32_MAX);
          if (n === null || n < 1) throw new RuleSyntaxError(`statistic: bad --every "${text}" (expected 1-4294967295)`);
          every = n;
          break;
        }
        case 'packet': {
          const n = parseUInt(text, UINT32_MAX);
          if (n === null) throw new RuleSyntaxError(`statistic: bad --packet "${text}"`);
          packet = n;
          break;
        }
      }
    }
    if (mode === undefined) throw new RuleSyntaxError('statistic: --mode is required');
    if (scaled !== undefined && (every !== undefined || packet !== undefined)) {
      throw new RuleSyntaxError('statistic: --probability cannot be combined with --every/--packet');
    }
    if (mode === 'random') {
      if (scaled === undefined) throw new RuleSyntaxError('statistic: --probability must be specified when using random mode');
      return { mode, scaled, invert };
    }
    if (every === undefined) throw new RuleSyntaxError('statistic: --every must be specified when using nth mode');
    // iptables 1.8 refuses --every alone ('option "--every" also requires "--packet"'; measured).
    if (packet === undefined) throw new RuleSyntaxError('statistic: option "--every" also requires "--packet"');
    if (packet > every - 1) throw new RuleSyntaxError(`statistic: --packet ${packet} must be between 0 and ${every - 1} (--every - 1)`);
    return { mode: 'nth', every, packet, invert };
  },
  save(o) {
    const bang = o.invert ? '! ' : '';
    if (o.mode === 'random') return `--mode random ${bang}--probability ${formatProbability(o.scaled)}`;
    return `--mode nth ${bang}--every ${o.every} --packet ${o.packet}`;
  },
  evaluate(o) {
    return statisticCertainty(o) ?? 'unknown';
  },
  explain(o) {
    const certain = statisticCertainty(o);
    if (certain !== null) {
      const what = o.mode === 'random' ? `random match with probability ${formatProbability(o.scaled)}` : 'every 1st packet';
      return `${what}${o.invert ? ' (negated)' : ''}: ${certain === 'yes' ? 'matches every packet' : 'never matches'}`;
    }
    const chance = `${(statisticProbability(o) * 100).toPrecision(4).replace(/\.?0+$/, '')}%`;
    if (o.mode === 'random') {
      return `random match with probability ${formatProbability(o.scaled)}${o.invert ? ' (negated)' : ''}: matches ${chance} of packets, cannot be decided per packet`;
    }
    return `every ${o.every}th packet (counter starts at ${o.packet})${o.invert ? ' (negated)' : ''}: matches ${chance} of packets, the packet counter is not modelled`;
  },
});
