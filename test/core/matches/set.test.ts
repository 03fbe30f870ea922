import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setMatch } from '../../../src/core/matches/set.js';
import { parseIpsets } from '../../../src/core/net/ipset.js';
import { fakeHost, ruleOf } from '../../helpers/packet.js';
import { matchTable } from './table.js';

const SAVE = join(import.meta.dirname, '../../fixtures/inputs/ipset/kube-proxy-ipvs.save');
const sets = parseIpsets(readFileSync(SAVE, 'utf8'), 'kube-proxy-ipvs.save');
const host = fakeHost([], sets);

matchTable(setMatch, [
  { name: 'service VIP and port in a hash:ip,port', rule: '-m set --match-set KUBE-CLUSTER-IP dst,dst', pkt: { dst: '10.96.0.1', dport: 443 }, host, want: 'yes', why: 'dst 10.96.0.1,dst in ipset KUBE-CLUSTER-IP' },
  { name: 'the port decides', rule: '-m set --match-set KUBE-CLUSTER-IP dst,dst', pkt: { dst: '10.96.0.1', dport: 80 }, host, want: 'no', why: 'not in ipset KUBE-CLUSTER-IP' },
  { name: 'the protocol is part of the element', rule: '-m set --match-set KUBE-CLUSTER-IP dst,dst', pkt: { proto: 'udp', dst: '10.96.0.10', dport: 53 }, host, want: 'yes' },
  { name: 'negated, not in the set', rule: '-m set ! --match-set KUBE-CLUSTER-IP dst,dst', pkt: { dst: '10.96.0.2', dport: 443 }, host, want: 'yes', why: '(negated)' },
  { name: 'negated, in the set', rule: '-m set ! --match-set KUBE-IPVS-IPS dst', pkt: { dst: '10.96.0.10' }, host, want: 'no' },
  { name: 'fewer flags than dimensions never match', rule: '-m set --match-set KUBE-CLUSTER-IP dst', pkt: { dst: '10.96.0.1', dport: 443 }, host, want: 'no' },
  { name: 'three dimensions: hash:ip,port,ip', rule: '-m set --match-set KUBE-LOOP-BACK dst,dst,src', pkt: { src: '10.244.1.5', dst: '10.244.1.5', dport: 9080 }, host, want: 'yes' },
  { name: 'hash:ip,port,net', rule: '-m set --match-set KUBE-LOAD-BALANCER-SOURCE-CIDR dst,dst,src', pkt: { src: '198.51.100.7', dst: '203.0.113.10', dport: 443 }, host, want: 'yes' },
  { name: 'bitmap:port with a range', rule: '-m set --match-set KUBE-NODE-PORT-TCP dst', pkt: { dport: 31381 }, host, want: 'yes' },
  { name: 'hash:net', rule: '-m set --match-set cali40masq-ipam-pools dst', pkt: { dst: '10.244.2.7' }, host, want: 'yes' },
  { name: 'a nomatch entry excludes', rule: '-m set --match-set cali40masq-ipam-pools dst', pkt: { dst: '10.244.9.7' }, host, want: 'no', why: 'nomatch' },
  { name: '--return-nomatch turns it into a match', rule: '-m set --match-set cali40masq-ipam-pools dst --return-nomatch', pkt: { dst: '10.244.9.7' }, host, want: 'yes', why: '--return-nomatch' },
  { name: 'hash:net,port', rule: '-m set --match-set cali40all-hosts-net src,dst', pkt: { src: '192.168.1.20', dport: 179 }, host, want: 'yes' },
  { name: 'an address range element', rule: '-m set --match-set KUBE-ALL dst', pkt: { dst: '192.0.2.5' }, host, want: 'yes' },
  { name: 'list:set: any member', rule: '-m set --match-set KUBE-LISTS dst', pkt: { dst: '10.244.3.3' }, host, want: 'yes' },
  { name: 'another family never matches', rule: '-m set --match-set KUBE-6-CLUSTER-IP dst,dst', pkt: { dst: '10.96.0.1', dport: 443 }, host, want: 'no' },
  { name: 'IPv6 set', rule: '-m set --match-set KUBE-6-CLUSTER-IP dst,dst', family: 'ipv6', pkt: { src: 'fd00:10:244:1::5', dst: 'fd00:10:96::1', dport: 443 }, host, want: 'yes' },
  { name: 'no --ipset given: unknown, naming the set', rule: '-m set --match-set KUBE-CLUSTER-IP dst,dst', want: 'unknown', why: 'ipset KUBE-CLUSTER-IP is not known: give --ipset FILE with `ipset save` output' },
  { name: 'a set the file lacks', rule: '-m set ! --match-set KUBE-NOPE dst', host, want: 'unknown', why: 'ipset KUBE-NOPE is not known: it is not in the --ipset file' },
  { name: 'a type not modelled', rule: '-m set --match-set KUBE-MACS src', host, want: 'unknown', why: 'ipset KUBE-MACS has type hash:mac, which is not modelled' },
  { name: 'an element counter test once found', rule: '-m set --match-set KUBE-IPVS-IPS dst --packets-gt 0', pkt: { dst: '10.96.0.1' }, host, want: 'unknown', why: 'counter' },
  { name: 'a counter test on an element not found', rule: '-m set --match-set KUBE-IPVS-IPS dst --packets-gt 0', pkt: { dst: '10.96.0.3' }, host, want: 'no' },
]);

describe('set parsing', () => {
  it('saves the options in libxt_set order', () => {
    expect(ruleOf('-m set --packets-gt 3 ! --update-counters --return-nomatch --match-set A src,dst').text).toBe('-m set --match-set A src,dst --return-nomatch ! --update-counters --packets-gt 3');
  });
  it('reads the old --set spelling', () => {
    expect(ruleOf('-m set --set A src').text).toBe('-m set --match-set A src');
  });
  it('rejects bad flags and missing names', () => {
    expect(() => ruleOf('-m set --match-set A up')).toThrow(/bad flag "up"/);
    expect(() => ruleOf('-m set --return-nomatch')).toThrow(/--match-set/);
  });
});
