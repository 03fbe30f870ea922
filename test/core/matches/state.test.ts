import { describe, expect, it } from 'vitest';
import { stateMatch } from '../../../src/core/matches/state.js';
import { conntrackMatch } from '../../../src/core/matches/conntrack.js';
import { ctx, makePacket, ruleOf, type PacketInit } from '../../helpers/packet.js';
import { matchTable, optionsOf } from './table.js';

/** A packet as a table after raw sees it: conntrack has attached its entry. */
const packetAfterConntrack = (init: PacketInit = {}) => makePacket({ attached: true, ...init });

matchTable(
  stateMatch,
  [
    { name: 'NEW connection', rule: '-m state --state NEW', want: 'yes', why: 'state NEW in NEW' },
    { name: 'established packet is not NEW', rule: '-m state --state NEW', pkt: { ctstate: 'ESTABLISHED' }, want: 'no', why: 'not in' },
    { name: 'negated, established packet', rule: '-m state ! --state NEW', pkt: { ctstate: 'ESTABLISHED' }, want: 'yes', why: '(negated)' },
    { name: 'negated, NEW connection', rule: '-m state ! --state NEW,INVALID', want: 'no' },
    { name: 'related packet', rule: '-m state --state RELATED,ESTABLISHED', pkt: { ctstate: 'RELATED' }, want: 'yes' },
    { name: 'untracked packet', rule: '-m state --state UNTRACKED', pkt: { ctstate: 'UNTRACKED' }, want: 'yes' },
    { name: 'invalid packet', rule: '-m state --state INVALID', pkt: { ctstate: 'INVALID' }, want: 'yes' },
    { name: 'a REDIRECTed connection is still NEW (DNAT is not a -m state state)', rule: '-m state --state NEW', pkt: () => { const p = packetAfterConntrack(); p.conn.dnatApplied = true; return p; }, want: 'yes', why: 'state NEW in NEW' },
    { name: 'invalid packet is not established', rule: '-m state --state ESTABLISHED', pkt: { ctstate: 'INVALID' }, want: 'no' },
  ],
  { kinds: ['yes', 'no'] },
);

describe('state as the alias of conntrack --ctstate', () => {
  it('agrees with -m conntrack --ctstate on every state', () => {
    for (const s of ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'] as const) {
      const pkt = packetAfterConntrack({ ctstate: s });
      for (const list of ['NEW', 'RELATED,ESTABLISHED', 'INVALID,UNTRACKED']) {
        const viaState = stateMatch.evaluate(optionsOf(stateMatch, `-m state --state ${list}`), pkt, ctx());
        const viaConntrack = conntrackMatch.evaluate(optionsOf(conntrackMatch, `-m conntrack --ctstate ${list}`), pkt, ctx());
        expect(viaState, `${s} vs ${list}`).toBe(viaConntrack);
      }
    }
  });
  it('is saved back as -m state, not -m conntrack', () => {
    expect(ruleOf('-m state --state ESTABLISHED,RELATED -j ACCEPT').text).toBe('-m state --state RELATED,ESTABLISHED -j ACCEPT');
  });
  it('does not accept the conntrack-only SNAT/DNAT states', () => {
    expect(() => ruleOf('-m state --state DNAT')).toThrow(/bad state/);
  });
});
