import { describe, expect, it } from 'vitest';
import { tcpMatch } from '../../../src/core/matches/tcp.js';
import { ruleOf } from '../../helpers/packet.js';
import { matchTable } from './table.js';

matchTable(tcpMatch, [
  { name: 'dport equal', rule: '-p tcp --dport 9080', pkt: { dport: 9080 }, want: 'yes', why: 'dport 9080 = 9080' },
  { name: 'dport differs', rule: '-p tcp --dport 22', pkt: { dport: 9080 }, want: 'no', why: 'dport 9080 ≠ 22' },
  { name: 'negated dport differs', rule: '-p tcp ! --dport 22', pkt: { dport: 9080 }, want: 'yes', why: '(negated)' },
  { name: 'negated dport equal', rule: '-p tcp ! --dport 9080', pkt: { dport: 9080 }, want: 'no' },
  { name: 'sport in range', rule: '-p tcp --sport 1024:65535', pkt: { sport: 40000 }, want: 'yes', why: '∈' },
  { name: 'sport below range', rule: '-p tcp --sport 1024:65535', pkt: { sport: 80 }, want: 'no', why: '∉' },
  { name: 'SYN only', rule: '-p tcp --syn', pkt: { tcpFlags: ['SYN'] }, want: 'yes' },
  { name: 'SYN+ACK is not --syn', rule: '-p tcp --syn', pkt: { tcpFlags: ['SYN', 'ACK'] }, want: 'no' },
  { name: 'SYN+ACK is ! --syn', rule: '-p tcp ! --syn', pkt: { tcpFlags: ['SYN', 'ACK'] }, want: 'yes' },
  { name: 'COMP flag outside MASK never matches', rule: '-p tcp --tcp-flags SYN SYN,ACK', pkt: { tcpFlags: ['SYN', 'ACK'] }, want: 'no' },
  { name: 'udp packet never matches -m tcp', rule: '-p tcp ! --dport 22', pkt: { proto: 'udp' }, want: 'no', why: 'not tcp' },
  { name: 'tcp options are not modelled', rule: '-p tcp --tcp-option 2', want: 'unknown', why: 'not modelled' },
  { name: 'negated tcp option is still unknown', rule: '-p tcp ! --tcp-option 2', want: 'unknown' },
  { name: 'a failing port decides over an unknown option', rule: '-p tcp --dport 22 --tcp-option 2', pkt: { dport: 9080 }, want: 'no' },
]);

describe('tcp parsing', () => {
  it('needs -p tcp', () => {
    expect(() => ruleOf('-m tcp --dport 22')).toThrow(/requires "-p tcp"/);
    expect(() => ruleOf('! -p tcp -m tcp --dport 22')).toThrow(/requires "-p tcp"/);
  });
  it('leaves the full port range out of the save text', () => {
    expect(ruleOf('-p tcp --sport 0:65535').text).toBe('-p tcp -m tcp');
  });
  it('rejects a second --dport', () => {
    expect(() => ruleOf('-p tcp --dport 1 --dport 2')).toThrow(/only be used once/);
  });
});
