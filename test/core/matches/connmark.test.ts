import { describe, expect, it } from 'vitest';
import { connmarkMatch } from '../../../src/core/matches/connmark.js';
import { ruleOf } from '../../helpers/packet.js';
import { matchTable } from './table.js';

matchTable(
  connmarkMatch,
  [
    { name: 'connection marked by CONNMARK --save-mark', rule: '-m connmark --mark 1337', pkt: { ctmark: 1337 }, want: 'yes', why: 'connmark 0x539 = 0x539' },
    { name: 'unmarked connection', rule: '-m connmark --mark 1337', pkt: { ctmark: 0 }, want: 'no' },
    { name: 'negated, unmarked', rule: '-m connmark ! --mark 1337', pkt: { ctmark: 0 }, want: 'yes', why: '(negated)' },
    { name: 'negated, marked', rule: '-m connmark ! --mark 1337', pkt: { ctmark: 1337 }, want: 'no' },
    { name: 'packet mark is not the connection mark', rule: '-m connmark --mark 1337', pkt: { mark: 1337, ctmark: 0 }, want: 'no' },
    { name: 'masked', rule: '-m connmark --mark 0x500/0xf00', pkt: { ctmark: 0x539 }, want: 'yes' },
    { name: 'untracked packets have no connection mark, even negated', rule: '-m connmark ! --mark 1', pkt: { ctstate: 'UNTRACKED' }, want: 'no', why: 'no conntrack entry' },
    { name: 'invalid packets have no connection mark', rule: '-m connmark --mark 0', pkt: { ctstate: 'INVALID' }, want: 'no' },
  ],
  { kinds: ['yes', 'no'] },
);

describe('connmark save', () => {
  it('uses the mark save format', () => {
    expect(ruleOf('-m connmark ! --mark 1337/65535').text).toBe('-m connmark ! --mark 0x539/0xffff');
  });
});
