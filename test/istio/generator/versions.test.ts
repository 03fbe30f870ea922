/**
 * Version parsing, per-version differences (reference §1.2-§1.10) as final
 * chain contents, option checks and release gating.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { defaultIstioOptions, features, generateRules, NEWEST_KNOWN, NEWEST_LAYOUT, parseIstioVersion } from '../../../src/istio/generator/index.js';
import { introducedIn } from '../../../src/istio/generator/version.js';
import { chainRules, gen, opts } from './helpers.js';

describe('parseIstioVersion', () => {
  it.each([
    ['1.5', '1.5', 5, 0],
    ['1.5.2', '1.5', 5, 2],
    ['1.7.0', '1.5', 7, 0],
    ['1.10', '1.10', 10, 0],
    ['1.11.3', '1.10', 11, 3],
    ['v1.12.9', '1.10', 12, 9],
    ['1.13.1', '1.13', 13, 1],
    ['1.17', '1.13', 17, 0],
    ['1.20.2', '1.18', 20, 2],
    ['1.23.2', '1.23', 23, 2],
    ['1.24.0-beta.1', '1.24', 24, 0],
    ['1.25', '1.25', 25, 0],
    ['1.28.0', '1.25', 28, 0],
    ['1.31.0-rc.0', '1.25', 31, 0],
  ] as const)('%s -> layout %s', (text, layout, minor, patch) => {
    expect(parseIstioVersion(text)).toEqual({ version: layout, release: { minor, patch } });
  });
  it.each([['1.4.6'], ['2.0'], ['latest-ish'], ['1']])('rejects %s', (text) => {
    expect(() => parseIstioVersion(text)).toThrow(UsageError);
  });
  it('says why 1.4 is not supported, naming the known range', () => {
    expect(() => parseIstioVersion('1.4')).toThrow(new RegExp(`known: 1\\.5 … 1\\.${NEWEST_KNOWN.minor}\\).*6-rule ISTIO_OUTPUT.*earliest supported release is 1\\.5`));
  });
  const next = `1.${NEWEST_KNOWN.minor + 1}`;
  it.each([['1.99'], [next], [`${next}.0-alpha.0`]])('refuses %s, newer than the newest known, naming the range', (text) => {
    const n = NEWEST_KNOWN.minor;
    expect(() => parseIstioVersion(text)).toThrow(`is not known (known: 1.5 … 1.${n}; "current" is 1.${n})`);
  });
  it.each([['current'], ['main'], ['latest'], ['master']])('%s is the newest known release, in one place', (text) => {
    expect(parseIstioVersion(text)).toEqual({ version: NEWEST_LAYOUT, release: { ...NEWEST_KNOWN } });
  });
  it('the release table says when each detail arrived, patch releases included', () => {
    expect(introducedIn('ownerGroups')).toBe('1.14');
    expect(introducedIn('rerouteVirtualInterfacesAnnotation')).toBe('1.25');
    expect(features({ minor: 10, patch: 2 }).dnsConntrackZones).toBe(false);
    expect(features({ minor: 10, patch: 3 }).dnsConntrackZones).toBe(true);
    // Set at one release, changed back at a later one: 1.23-1.24 only.
    expect([22, 23, 24, 25].map((minor) => features({ minor, patch: 0 }).dnsUdpInIstioOutput)).toEqual([false, true, true, false]);
    expect([5, 6, 9, 10].map((minor) => features({ minor, patch: 0 }).interpolated)).toEqual([false, true, true, false]);
  });
});

describe('ISTIO_INBOUND (nat) by version, default sidecar (§1.2-§1.8)', () => {
  const inbound = (v: Parameters<typeof opts>[0], release?: string): string[] =>
    chainRules(gen(opts(v, release ? { release } : {})).v4, 'nat', 'ISTIO_INBOUND');
  it.each([
    ['1.5', undefined, ['-p tcp --dport 22 -j RETURN', '-p tcp --dport 15090 -j RETURN', '-p tcp --dport 15020 -j RETURN', '-p tcp -j ISTIO_IN_REDIRECT']],
    [
      '1.10',
      undefined,
      ['-p tcp --dport 15008 -j RETURN', '-p tcp --dport 22 -j RETURN', '-p tcp --dport 15090 -j RETURN', '-p tcp --dport 15021 -j RETURN', '-p tcp --dport 15020 -j RETURN', '-p tcp -j ISTIO_IN_REDIRECT'],
    ],
    [
      '1.10',
      '1.12.0',
      ['-p tcp --dport 15008 -j RETURN', '-p tcp --dport 22 -j RETURN', '-p tcp --dport 15090 -j RETURN', '-p tcp --dport 15021 -j RETURN', '-p tcp --dport 15020 -j RETURN', '-p tcp -j ISTIO_IN_REDIRECT'],
    ],
    ...(['1.13', '1.18', '1.23', '1.24', '1.25'] as const).map(
      (v) => [v, undefined, ['-p tcp --dport 15008 -j RETURN', '-p tcp --dport 15090 -j RETURN', '-p tcp --dport 15021 -j RETURN', '-p tcp --dport 15020 -j RETURN', '-p tcp -j ISTIO_IN_REDIRECT']] as const,
    ),
  ] as const)('%s (release %s)', (v, release, expected) => {
    expect(inbound(v, release)).toEqual(expected);
  });
});

describe('ISTIO_OUTPUT by version (cheat sheet §1.10)', () => {
  it('the 9-rule chain of 1.5-1.17; 1.18+ guards the ISTIO_IN_REDIRECT rules with ! --dport 15008', () => {
    for (const v of ['1.5', '1.10', '1.13'] as const) {
      const out = chainRules(gen(opts(v)).v4, 'nat', 'ISTIO_OUTPUT');
      expect(out).toHaveLength(9);
      expect(out[1]).toBe('-o lo ! -d 127.0.0.1/32 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT');
    }
    for (const v of ['1.18', '1.23', '1.24', '1.25'] as const) {
      const out = chainRules(gen(opts(v)).v4, 'nat', 'ISTIO_OUTPUT');
      expect(out).toHaveLength(9);
      expect(out[1]).toBe('-o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT');
      expect(out[4]).toBe('-o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT');
    }
  });

  it('OUTPUT jumps for TCP only until 1.24, for every protocol from 1.25', () => {
    expect(chainRules(gen(opts('1.24')).v4, 'nat', 'OUTPUT')).toEqual(['-p tcp -j ISTIO_OUTPUT']);
    expect(chainRules(gen(opts('1.25')).v4, 'nat', 'OUTPUT')).toEqual(['-j ISTIO_OUTPUT']);
  });

  it('DNS capture with one nameserver: rule 8 is the TCP REDIRECT (1.9-1.24) or the ISTIO_OUTPUT_DNS jump (1.25+)', () => {
    const dns = { dnsCapture: true, dnsServers: ['10.96.0.10'] };
    const o13 = chainRules(gen(opts('1.13', dns)).v4, 'nat', 'ISTIO_OUTPUT');
    expect(o13).toHaveLength(10);
    expect(o13[7]).toBe('-p tcp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-ports 15053');
    expect(o13[1]).toBe('-o lo ! -d 127.0.0.1/32 -p tcp ! --dport 53 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT');
    const o18 = chainRules(gen(opts('1.18', dns)).v4, 'nat', 'ISTIO_OUTPUT');
    expect(o18[1]).toBe('-o lo ! -d 127.0.0.1/32 -p tcp -m multiport ! --dports 53,15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT');
    // 1.23-1.24: the UDP rules follow the final jump inside ISTIO_OUTPUT.
    const o23 = chainRules(gen(opts('1.23', dns)).v4, 'nat', 'ISTIO_OUTPUT');
    expect(o23.slice(7)).toEqual([
      '-p tcp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-ports 15053',
      '-d 127.0.0.1/32 -j RETURN',
      '-j ISTIO_REDIRECT',
      '-p udp --dport 53 -m owner --uid-owner 1337 -j RETURN',
      '-p udp --dport 53 -m owner --gid-owner 1337 -j RETURN',
      '-p udp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-port 15053',
    ]);
    expect(chainRules(gen(opts('1.23', dns)).v4, 'nat', 'OUTPUT')).toEqual(['-p tcp -j ISTIO_OUTPUT', '-p udp -j ISTIO_OUTPUT']);
    const o25 = chainRules(gen(opts('1.25', dns)).v4, 'nat', 'ISTIO_OUTPUT');
    expect(o25).toHaveLength(10);
    expect(o25[7]).toBe('-j ISTIO_OUTPUT_DNS');
    // With three nameservers 1.13 grows by one rule per server, 1.25 does not.
    const three = { dnsCapture: true, dnsServers: ['10.96.0.10', '10.96.0.11', '10.96.0.12'] };
    expect(chainRules(gen(opts('1.13', three)).v4, 'nat', 'ISTIO_OUTPUT')).toHaveLength(12);
    expect(chainRules(gen(opts('1.25', three)).v4, 'nat', 'ISTIO_OUTPUT')).toHaveLength(10);
  });

  it('raw PREROUTING reply rule: -d before 1.20, -s from 1.20; CT zones from 1.10.3', () => {
    const dns = { dnsCapture: true, dnsServers: ['10.96.0.10'] };
    expect(chainRules(gen(opts('1.18', { ...dns, release: '1.19.0' })).v4, 'raw', 'PREROUTING')).toEqual(['-p udp --sport 53 -d 10.96.0.10/32 -j CT --zone 1']);
    expect(chainRules(gen(opts('1.18', { ...dns, release: '1.20.0' })).v4, 'raw', 'PREROUTING')).toEqual(['-p udp --sport 53 -s 10.96.0.10/32 -j CT --zone 1']);
    const r1010 = gen(opts('1.10', { ...dns, release: '1.10.2' }));
    expect(r1010.v4).not.toContain('* raw');
    expect(r1010.notes.join('\n')).toMatch(/CT zone rules/);
    expect(gen(opts('1.10', { ...dns, release: '1.10.3' })).v4).toContain('* raw');
  });

  it('include ranges end with -j RETURN until 1.22, not from 1.23 (PR 51352)', () => {
    const inc = { includeOutboundIPRanges: ['10.0.0.0/8'] };
    expect(chainRules(gen(opts('1.18', inc)).v4, 'nat', 'ISTIO_OUTPUT').slice(-2)).toEqual(['-d 10.0.0.0/8 -j ISTIO_REDIRECT', '-j RETURN']);
    expect(chainRules(gen(opts('1.23', inc)).v4, 'nat', 'ISTIO_OUTPUT').slice(-1)).toEqual(['-d 10.0.0.0/8 -j ISTIO_REDIRECT']);
  });

  it('CIDRs: masked to the network by the net.IPNet generators, printed as written by the netip ones', () => {
    const inc = { includeOutboundIPRanges: ['10.1.2.3/8'] };
    expect(gen(opts('1.13', inc)).v4).toContain('-A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT');
    expect(gen(opts('1.25', inc)).v4).toContain('-A ISTIO_OUTPUT -d 10.1.2.3/8 -j ISTIO_REDIRECT');
  });

  it('one rule triple per UID and per GID (golden ip-range: UID=3,4 GID=1,2)', () => {
    const out = chainRules(gen(opts('1.25', { proxyUid: [3, 4], proxyGid: [1, 2] })).v4, 'nat', 'ISTIO_OUTPUT');
    expect(out).toHaveLength(1 + 4 * 3 + 2);
    expect(out.filter((r) => r.includes('--uid-owner 4'))).toHaveLength(3);
  });

  it('a loopback include range drops the `-o lo ! --owner` RETURNs from 1.9; 1.5 had no such check', () => {
    const inc = { includeOutboundIPRanges: ['127.1.2.3/32'] };
    expect(chainRules(gen(opts('1.13', inc)).v4, 'nat', 'ISTIO_OUTPUT').filter((r) => r.includes('-o lo -m owner !'))).toEqual([]);
    expect(chainRules(gen(opts('1.5', inc)).v4, 'nat', 'ISTIO_OUTPUT').filter((r) => r.includes('-o lo -m owner !'))).toHaveLength(2);
  });

  it('kube-virt interfaces: the later ISTIO_REDIRECT inserts end up above the RETURN inserts (§2.3)', () => {
    const r = gen(opts('1.25', { rerouteVirtualInterfaces: ['eth1', 'eth2'] }));
    expect(chainRules(r.v4, 'nat', 'PREROUTING')).toEqual([
      '-i eth2 -j ISTIO_REDIRECT',
      '-i eth1 -j ISTIO_REDIRECT',
      '-i eth2 -j RETURN',
      '-i eth1 -j RETURN',
      '-p tcp -j ISTIO_INBOUND',
    ]);
  });

  it('1.10-1.11 IPv6: separate function, kube-virt RETURN twice with "*" (istio@1.11 cmd/run.go handleInboundIpv6Rules)', () => {
    const r = gen(opts('1.10', { rerouteVirtualInterfaces: ['eth0'], ipv6: true }));
    expect(chainRules(r.v4, 'nat', 'PREROUTING')).toEqual(['-i eth0 -j ISTIO_REDIRECT', '-i eth0 -j RETURN', '-p tcp -j ISTIO_INBOUND']);
    expect(chainRules(r.v6!, 'nat', 'PREROUTING')).toEqual(['-i eth0 -j RETURN', '-i eth0 -j RETURN', '-p tcp -j ISTIO_INBOUND']);
  });

  it('excludeInterfaces (1.12+): nat RETURNs before the Istio jumps, mangle too in TPROXY mode (golden basic-exclude-nic, tproxy)', () => {
    const r = gen(opts('1.25', { excludeInterfaces: ['not-istio-nic'] }));
    expect(chainRules(r.v4, 'nat', 'PREROUTING')).toEqual(['-i not-istio-nic -j RETURN', '-p tcp -j ISTIO_INBOUND']);
    expect(chainRules(r.v4, 'nat', 'OUTPUT')).toEqual(['-o not-istio-nic -j RETURN', '-j ISTIO_OUTPUT']);
    expect(r.v4).not.toContain('* mangle');
    expect(chainRules(gen(opts('1.25', { excludeInterfaces: ['x0'], mode: 'TPROXY' })).v4, 'mangle', 'PREROUTING')[0]).toBe('-i x0 -j RETURN');
  });

  it('includeOutboundPorts after the exclusions, before the include ranges (golden outbound-ports-include)', () => {
    const out = chainRules(gen(opts('1.25', { includeOutboundPorts: [32000, 31000], includeOutboundIPRanges: [] })).v4, 'nat', 'ISTIO_OUTPUT');
    expect(out.slice(-3)).toEqual(['-d 127.0.0.1/32 -j RETURN', '-p tcp --dport 32000 -j ISTIO_REDIRECT', '-p tcp --dport 31000 -j ISTIO_REDIRECT']);
  });

  it('includeInboundPorts and includeOutboundIPRanges empty disable capture', () => {
    const r = gen(opts('1.25', { includeInboundPorts: [], includeOutboundIPRanges: [] }));
    expect(chainRules(r.v4, 'nat', 'PREROUTING')).toEqual([]);
    expect(chainRules(r.v4, 'nat', 'ISTIO_OUTPUT').at(-1)).toBe('-d 127.0.0.1/32 -j RETURN');
  });
});

describe('TPROXY by version (§1.7)', () => {
  const mangle = (v: Parameters<typeof opts>[0], release?: string) => gen(opts(v, { mode: 'TPROXY', ...(release ? { release } : {}) }));

  it('1.5: -m socket, on-port 15001, no CONNMARK', () => {
    const r = mangle('1.5');
    expect(chainRules(r.v4, 'mangle', 'ISTIO_INBOUND')).toEqual([
      '-p tcp --dport 22 -j RETURN',
      '-p tcp --dport 15090 -j RETURN',
      '-p tcp --dport 15020 -j RETURN',
      '-p tcp -m socket -j ISTIO_DIVERT',
      '-p tcp -j ISTIO_TPROXY',
    ]);
    expect(chainRules(r.v4, 'mangle', 'ISTIO_TPROXY')).toEqual(['! -d 127.0.0.1/32 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15001']);
    expect(r.v4).not.toContain('CONNMARK');
  });

  it('1.10: conntrack, CONNMARK and the mark RETURN insert, no 1338 marks', () => {
    const r = mangle('1.10');
    expect(chainRules(r.v4, 'mangle', 'ISTIO_INBOUND')[0]).toBe('-p tcp -m mark --mark 1337 -j RETURN');
    expect(r.v4).not.toContain('1338');
    expect(chainRules(r.v4, 'mangle', 'OUTPUT')).toEqual(['-p tcp -m connmark --mark 1337 -j CONNMARK --restore-mark']);
    expect(r.notes.join('\n')).toMatch(/reconstructed/);
  });

  it('1.11+: 1338 marks and three inserts; IPv6 TPROXY only from 1.12', () => {
    const r11 = gen(opts('1.10', { mode: 'TPROXY', release: '1.11.0', ipv6: true }));
    expect(chainRules(r11.v4, 'mangle', 'ISTIO_INBOUND').slice(0, 3)).toEqual([
      '-p tcp -m mark --mark 1337 -j RETURN',
      '-p tcp -s 127.0.0.6/32 -i lo -j RETURN',
      '-p tcp -i lo -m mark ! --mark 1338 -j RETURN',
    ]);
    expect(r11.v6).not.toContain('* mangle');
    expect(chainRules(r11.v6!, 'nat', 'ISTIO_INBOUND').at(-1)).toBe('-p tcp -j ISTIO_IN_REDIRECT');
    expect(r11.ip).toEqual(['ip -6 addr add ::6/128 dev lo', 'ip -f inet rule add fwmark 1337 lookup 133', 'ip -f inet route add local default dev lo table 133']);
    const r13 = gen(opts('1.13', { mode: 'TPROXY', ipv6: true }));
    expect(chainRules(r13.v6!, 'mangle', 'ISTIO_INBOUND')[1]).toBe('-p tcp -s ::6/128 -i lo -j RETURN');
  });

  it('custom mark and table', () => {
    const r = gen(opts('1.25', { mode: 'TPROXY', tproxyMark: 7, tproxyTable: 77 }));
    expect(r.ip).toEqual(['ip -f inet rule add fwmark 7 lookup 77', 'ip -f inet route add local default dev lo table 77']);
    expect(chainRules(r.v4, 'mangle', 'ISTIO_DIVERT')).toEqual(['-j MARK --set-mark 7', '-j ACCEPT']);
  });

  it('no policy routing when inbound capture is off', () => {
    expect(gen(opts('1.25', { mode: 'TPROXY', includeInboundPorts: [] })).ip).toEqual([]);
  });
});

describe('option checks', () => {
  const err = (o: Parameters<typeof generateRules>[0]): string => {
    try {
      generateRules(o);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return (e as Error).message;
    }
    throw new Error('expected a UsageError');
  };
  it.each([
    ['owner groups in 1.10', opts('1.10', { ownerGroupsInclude: ['java'] }), /owner groups .* introduced in Istio 1\.14; it does not exist in 1\.10\.0/],
    ['owner group exclude in 1.13.0', opts('1.13', { ownerGroupsExclude: ['888'] }), /introduced in Istio 1\.14/],
    ['loopback CIDR in 1.18', opts('1.18', { loopbackCidr: '127.0.0.1/8' }), /loopback CIDR .* introduced in Istio 1\.21/],
    ['excludeInterfaces in 1.11', opts('1.10', { release: '1.11.4', excludeInterfaces: ['eth9'] }), /excludeInterfaces .* introduced in Istio 1\.12; it does not exist in 1\.11\.4/],
    ['drop-invalid in 1.10', opts('1.10', { dropInvalid: true }), /drop-invalid .* introduced in Istio 1\.13/],
    ['DNS in 1.5', opts('1.5', { dnsCapture: true }), /DNS capture was introduced in Istio 1\.7/],
    ['includeOutboundPorts in 1.5', opts('1.5', { includeOutboundPorts: [80] }), /includeOutboundPorts .* introduced in Istio 1\.9/],
    ['tunnel port in 1.5', opts('1.5', { tunnelPort: 15009 }), /tunnel port .* introduced in Istio 1\.7/],
    ['bad CIDR', opts('1.25', { includeOutboundIPRanges: ['10.0.0.0'] }), /includeOutboundIPRanges: "10\.0\.0\.0" is not a CIDR/],
    ['bad port', opts('1.25', { excludeInboundPorts: [70000] }), /excludeInboundPorts: 70000 is not a port/],
    ['no uid', opts('1.25', { proxyUid: [] }), /proxyUid: expected at least one id/],
    ['bad nameserver', opts('1.25', { dnsCapture: true, dnsServers: ['dns.local'] }), /dnsServers: "dns\.local" is not an IP address/],
    ['bad interface', opts('1.25', { excludeInterfaces: ['a b'] }), /excludeInterfaces: "a b" is not an interface name/],
    ['release outside the layout', opts('1.13', { release: '1.11.0' }), /release 1\.11\.0 belongs to the 1\.10 layout, not 1\.13/],
  ])('%s', (_name, o, re) => {
    expect(err(o)).toMatch(re);
  });

  it('accepts the same options once the release has them', () => {
    expect(() => generateRules(opts('1.13', { release: '1.14.0', ownerGroupsInclude: ['java'] }))).not.toThrow();
    expect(() => generateRules(opts('1.18', { release: '1.21.0', loopbackCidr: '127.0.0.1/8' }))).not.toThrow();
    expect(() => generateRules(opts('1.10', { release: '1.12.0', excludeInterfaces: ['eth9'] }))).not.toThrow();
  });

  it('defaultIstioOptions: 15021 from 1.6, CNI defaults (§1.0, §1.6)', () => {
    expect(defaultIstioOptions('1.5').excludeInboundPorts).toEqual([15090, 15020]);
    expect(defaultIstioOptions('1.13').excludeInboundPorts).toEqual([15090, 15021, 15020]);
    expect(defaultIstioOptions('1.13', 'cni')).toMatchObject({ excludeInboundPorts: [15020, 15021, 15090], excludeOutboundPorts: [15020] });
    expect(defaultIstioOptions()).toMatchObject({ version: '1.25', installer: 'init', proxyUid: [1337], proxyGid: [1337], dnsServers: ['10.96.0.10'] });
  });
});
