import { describe, expect, it } from 'vitest';
import { formatProbability, statisticMatch, statisticProbability } from '../../../src/core/matches/statistic.js';
import { ruleOf } from '../../helpers/packet.js';
import { matchTable, optionsOf } from './table.js';

// A random or every-nth match cannot be decided for one packet (unknown, with the odds in the
// reason), except when it is certain: xt_statistic matches random mode when
// (random & 0x7FFFFFFF) < stored, so a stored 0 never matches and 2^31 (probability 1) always
// does; nth --every 1 matches every packet (checked on the kernel: random-reproducers.test.ts).
matchTable(
  statisticMatch,
  [
    { name: 'probability 0 never matches', rule: '-m statistic --mode random --probability 0.00000000000', want: 'no', why: 'never matches' },
    { name: 'a probability that rounds to 0', rule: '-m statistic --mode random --probability 0.0000000001', want: 'no', why: 'never matches' },
    { name: '! probability 1 never matches', rule: '-m statistic --mode random ! --probability 1.00000000000', want: 'no', why: '(negated): never matches' },
    { name: '! every 1 never matches', rule: '-m statistic --mode nth ! --every 1 --packet 0', want: 'no', why: 'never matches' },
    { name: 'probability 1 always matches', rule: '-m statistic --mode random --probability 1', want: 'yes', why: 'matches every packet' },
    { name: 'a probability that rounds to 1', rule: '-m statistic --mode random --probability 0.9999999999', want: 'yes', why: 'matches every packet' },
    { name: '! probability 0 always matches', rule: '-m statistic --mode random ! --probability 0', want: 'yes', why: 'matches every packet' },
    { name: 'every 1 always matches', rule: '-m statistic --mode nth --every 1 --packet 0', want: 'yes', why: 'matches every packet' },
    { name: 'the smallest non-zero probability is still a chance', rule: '-m statistic --mode random --probability 0.0000000003', want: 'unknown', why: 'cannot be decided' },
    { name: 'random half', rule: '-m statistic --mode random --probability 0.5', want: 'unknown', why: 'probability 0.50000000000' },
    { name: 'negated random', rule: '-m statistic --mode random ! --probability 0.25', want: 'unknown', why: 'matches 75% of packets' },
    { name: 'kube-proxy style thirds', rule: '-m statistic --mode random --probability 0.33333333349', pkt: { proto: 'udp' }, want: 'unknown', why: '33.33%' },
    { name: 'every second packet', rule: '-m statistic --mode nth --every 2 --packet 0', want: 'unknown', why: 'counter is not modelled' },
    { name: 'negated nth', rule: '-m statistic --mode nth ! --every 4 --packet 1', want: 'unknown', why: '(negated)' },
  ],
  { kinds: ['yes', 'no', 'unknown'] },
);

describe('statistic probability', () => {
  it('is quantised to 1/2^31 and printed with 11 decimals', () => {
    expect(formatProbability(Math.round(0.5 * 2 ** 31))).toBe('0.50000000000');
    expect(formatProbability(Math.round(0.1 * 2 ** 31))).toBe('0.10000000009');
    expect(formatProbability(2 ** 31)).toBe('1.00000000000');
    expect(formatProbability(0)).toBe('0.00000000000');
  });
  it('rounds exact ties to even like printf', () => {
    // 2^19 / 2^31 = 1/4096 = 0.000244140625 exactly: the 12th decimal is a tie.
    expect(formatProbability(2 ** 19)).toBe('0.00024414062');
    expect(formatProbability(3 * 2 ** 19)).toBe('0.00073242188');
  });
  it('gives the chance of a match for branching, after "!"', () => {
    expect(statisticProbability(optionsOf(statisticMatch, '-m statistic --mode random --probability 0.25'))).toBeCloseTo(0.25, 10);
    expect(statisticProbability(optionsOf(statisticMatch, '-m statistic --mode random ! --probability 0.25'))).toBeCloseTo(0.75, 10);
    expect(statisticProbability(optionsOf(statisticMatch, '-m statistic --mode nth --every 4 --packet 0'))).toBe(0.25);
  });
  it('checks mode and option combinations', () => {
    expect(() => ruleOf('-m statistic --mode random')).toThrow(/--probability must be specified/);
    expect(() => ruleOf('-m statistic --mode nth --every 2 --packet 2')).toThrow(/between 0 and 1/);
    expect(() => ruleOf('-m statistic --mode random --probability 2')).toThrow(/outside 0..1/);
  });
});
