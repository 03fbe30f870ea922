import { describe, expect, it } from 'vitest';
import { commentMatch, MAX_COMMENT_BYTES } from '../../../src/core/matches/comment.js';
import { ruleOf } from '../../helpers/packet.js';
import { matchTable } from './table.js';

// A comment cannot be negated and cannot fail: the table shows it matches whatever the packet.
matchTable(
  commentMatch,
  [
    { name: 'any packet', rule: '-m comment --comment istio', want: 'yes', why: 'always matches' },
    { name: 'untracked udp from nowhere', rule: '-m comment --comment "x y"', pkt: { proto: 'udp', ctstate: 'UNTRACKED', noSocket: true }, want: 'yes' },
    { name: 'IPv6', rule: '-m comment --comment v6', family: 'ipv6', want: 'yes' },
  ],
  { kinds: ['yes'], negatable: false },
);

describe('comment text', () => {
  it('quotes like xtables_save_string', () => {
    expect(ruleOf('-m comment --comment "default/kubernetes:https"').text).toBe('-m comment --comment "default/kubernetes:https"');
    expect(ruleOf('-m comment --comment plain-word_1').text).toBe('-m comment --comment plain-word_1');
    expect(ruleOf('-m comment --comment "say \\"hi\\""').text).toBe('-m comment --comment "say \\"hi\\""');
  });
  it('accepts 255 bytes and refuses 256', () => {
    expect(() => ruleOf(`-m comment --comment ${'a'.repeat(MAX_COMMENT_BYTES)}`)).not.toThrow();
    expect(() => ruleOf(`-m comment --comment ${'a'.repeat(MAX_COMMENT_BYTES + 1)}`)).toThrow(/at most 255/);
  });
  it('counts bytes, not characters', () => {
    expect(() => ruleOf(`-m comment --comment ${'é'.repeat(128)}`)).toThrow(/256 bytes/);
  });
  it('cannot be negated', () => {
    expect(() => ruleOf('-m comment ! --comment x')).toThrow(/not allowed/);
  });
});
