/**
 * `ipset save` and `ipset list` reading: both forms give the same sets, errors name
 * file:line, and no input makes the reader throw anything but an InputError.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { parseAddress } from '../../../src/core/net/address.js';
import { parseIpsets, testSet, type SetPacket } from '../../../src/core/net/ipset.js';

const DIR = join(import.meta.dirname, '../../fixtures/inputs/ipset');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

function pkt(dst: string, dport: number, proto = 'tcp', src = '10.244.1.5'): SetPacket {
  const d = parseAddress(dst)!;
  return { family: d.family, proto, src: parseAddress(src)!, dst: d, sport: 40000, dport };
}

describe('parseIpsets', () => {
  it('reads every set of an `ipset save`, with its type, family and line', () => {
    const sets = parseIpsets(read('kube-proxy-ipvs.save'), 'x');
    expect([...sets.values()].map((s) => [s.name, s.type, s.family, s.line])).toEqual([
      ['KUBE-CLUSTER-IP', 'hash:ip,port', 'ipv4', 1],
      ['KUBE-LOOP-BACK', 'hash:ip,port,ip', 'ipv4', 7],
      ['KUBE-NODE-PORT-TCP', 'bitmap:port', 'ipv4', 9],
      ['KUBE-LOAD-BALANCER-SOURCE-CIDR', 'hash:ip,port,net', 'ipv4', 12],
      ['KUBE-IPVS-IPS', 'hash:ip', 'ipv4', 14],
      ['cali40masq-ipam-pools', 'hash:net', 'ipv4', 17],
      ['cali40all-hosts-net', 'hash:net,port', 'ipv4', 20],
      ['KUBE-6-CLUSTER-IP', 'hash:ip,port', 'ipv6', 22],
      ['KUBE-ALL', 'hash:ip', 'ipv4', 24],
      ['KUBE-LISTS', 'list:set', 'ipv4', 26],
      ['KUBE-MACS', 'hash:mac', 'ipv4', 29],
    ]);
    expect(sets.get('KUBE-ALL')!.elements.map((e) => e.values.map((v) => ('base' in v ? `${v.base.text}/${v.prefix}` : '')))).toEqual([['192.0.2.1/32'], ['192.0.2.2/31'], ['192.0.2.4/31'], ['192.0.2.6/32']]);
    expect(sets.get('KUBE-LISTS')!.members).toEqual(['KUBE-IPVS-IPS', 'cali40masq-ipam-pools']);
  });

  it('`ipset list` gives the answers `ipset save` gives for the same sets', () => {
    const save = parseIpsets(read('kube-proxy-ipvs.save'), 's');
    const list = parseIpsets(read('list.txt'), 'l');
    const probes: Array<[string, SetPacket, Array<'src' | 'dst'>]> = [
      ['KUBE-CLUSTER-IP', pkt('10.96.0.1', 443), ['dst', 'dst']],
      ['KUBE-CLUSTER-IP', pkt('10.96.0.1', 80), ['dst', 'dst']],
      ['KUBE-CLUSTER-IP', pkt('10.96.0.10', 53, 'udp'), ['dst', 'dst']],
      ['KUBE-NODE-PORT-TCP', pkt('10.0.0.1', 30080), ['dst']],
      ['cali40masq-ipam-pools', pkt('10.244.9.9', 80), ['dst']],
      ['cali40masq-ipam-pools', pkt('10.244.8.9', 80), ['dst']],
      ['cali40masq-ipam-pools', pkt('10.245.8.9', 80), ['dst']],
    ];
    for (const [name, p, dirs] of probes) {
      expect(testSet(list.get(name)!, list, p, dirs)).toEqual(testSet(save.get(name)!, save, p, dirs));
    }
    expect(list.get('KUBE-CLUSTER-IP')!.line).toBe(1);
    expect(list.get('cali40masq-ipam-pools')!.elements.map((e) => e.nomatch)).toEqual([false, true]);
  });

  it('hash:ip with a netmask stores and looks up /N networks', () => {
    const sets = parseIpsets('create N hash:ip family inet netmask 24\nadd N 10.1.2.3\n', 'n');
    expect(testSet(sets.get('N')!, sets, pkt('10.1.2.200', 80), ['dst'])).toEqual({ r: 'match' });
    expect(testSet(sets.get('N')!, sets, pkt('10.1.3.1', 80), ['dst'])).toEqual({ r: 'miss' });
  });

  const errors: Array<[string, string, string]> = [
    ['a bad netmask', 'create N hash:ip netmask 40\n', 'f:1: ipset N: bad netmask "40"'],
    ['not ipset output', '*nat\n-A OUTPUT -j RETURN\n', 'f:1: not ipset output: expected "create NAME TYPE …", "add NAME ELEMENT" or an "ipset list" block, got "*nat"'],
    ['an add before its create', 'add A 10.0.0.1\n', 'f:1: "add A" before "create A"'],
    ['a set twice', 'create A hash:ip\ncreate A hash:net\n', 'f:2: ipset A is defined twice (first at line 1)'],
    ['a bad address', 'create A hash:ip\nadd A 10.0.0.300\n', 'f:2: ipset A: "10.0.0.300" in element "10.0.0.300" is not an IPv4 address or net'],
    ['the other family', 'create A hash:ip family inet6\nadd A 10.0.0.1\n', 'f:2: ipset A: "10.0.0.1" in element "10.0.0.1" is not an IPv6 address or net'],
    ['a bad port', 'create A hash:ip,port\nadd A 10.0.0.1,tcp:99999\n', 'f:2: ipset A: "tcp:99999" in element "10.0.0.1,tcp:99999" is not a port or proto:port'],
    ['too few parts', 'create A hash:ip,port\nadd A 10.0.0.1\n', 'f:2: ipset A: element "10.0.0.1" does not fit type hash:ip,port (2 parts)'],
    ['an unknown element option', 'create A hash:ip\nadd A 10.0.0.1 frobnicate\n', 'f:2: ipset A: unknown element option "frobnicate"'],
    ['an unknown family', 'create A hash:ip family ipx\n', 'f:1: ipset A: unknown family "ipx" (expected inet or inet6)'],
    ['a list block without a type', 'Name: A\nMembers:\n', 'f:1: ipset A: no "Type:" line'],
    ['nothing', '# nothing\n\n', 'f:1: no ipset sets found: expected `ipset save` or `ipset list` output'],
  ];
  for (const [name, text, want] of errors) {
    it(`error: ${name}`, () => {
      let err: unknown;
      try {
        parseIpsets(text, 'f');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).format()).toBe(want);
    });
  }

  it('never throws anything but an InputError on mutated input (2,000 mutations)', () => {
    const base = read('kube-proxy-ipvs.save') + read('list.txt');
    const pieces = [' ', ',', ':', '-', '/', '"', 'nomatch', 'timeout', '0', '65536', '::', 'inet6', '\n', 'tcp:', 'Members:', 'Name: X', 'create', 'add', '999.1.1.1', '1-0'];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 2000; k++) {
      let t = base;
      for (let j = 0; j < 3; j++) {
        const at = rand(t.length);
        t = rand(2) ? t.slice(0, at) + pieces[rand(pieces.length)]! + t.slice(at) : t.slice(0, at) + t.slice(at + 1 + rand(5));
      }
      try {
        parseIpsets(t, 'm');
      } catch (e) {
        if (!(e instanceof InputError)) throw new Error(`mutation ${k} threw ${String(e)}`);
        expect(e.line).not.toBeNull();
      }
    }
  });
});
