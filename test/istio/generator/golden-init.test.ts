/**
 * istio-init (istio-iptables) restore input, compared with Istio's own golden
 * files. Each case names the golden and the commit it was read at (istio/istio,
 * tools/istio-iptables/pkg/capture/testdata/*.golden unless noted). Goldens in
 * command form (`iptables -t nat -A …`, 1.12-1.23) were regrouped per table,
 * which is how the restore input of the same run lists them; the leading and
 * trailing `iptables-save` lines of 1.24+ goldens are the stub's state checks,
 * not restore input.
 */
import { describe, expect, it } from 'vitest';
import { gen, goldenBase, lines, opts } from './helpers.js';

describe('1.5 (first 9-rule ISTIO_OUTPUT)', () => {
  it('default sidecar: --to-port, port 22, no 15008/15021 (reference §1.2; real 1.5.2 dump istio/istio#23661)', () => {
    const r = gen(opts('1.5'));
    expect(r.v4).toBe(
      lines(
        '* nat',
        '-N ISTIO_REDIRECT',
        '-N ISTIO_IN_REDIRECT',
        '-N ISTIO_INBOUND',
        '-N ISTIO_OUTPUT',
        '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-port 15001',
        '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-port 15006',
        '-A PREROUTING -p tcp -j ISTIO_INBOUND',
        '-A ISTIO_INBOUND -p tcp --dport 22 -j RETURN',
        '-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN',
        '-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN',
        '-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
        '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
        '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        '-A ISTIO_OUTPUT -j ISTIO_REDIRECT',
        'COMMIT',
      ),
    );
    expect(r.v6).toBeNull();
    expect(r.ip).toEqual([]);
  });

  it('TPROXY with a port list, ranges and kube-virt interfaces (tests/scripts/testdata/golang/mode_tproxy_golden.txt @ b48ff152, PR 19308)', () => {
    const r = gen(
      opts('1.5', {
        mode: 'TPROXY',
        outboundPort: 12345,
        proxyUid: [4321],
        proxyGid: [4444],
        includeInboundPorts: [5555, 6666],
        excludeInboundPorts: [7777, 8888],
        includeOutboundIPRanges: ['1.1.0.0/16'],
        excludeOutboundIPRanges: ['9.9.0.0/16'],
        rerouteVirtualInterfaces: ['eth1', 'eth2'],
      }),
    );
    expect(r.v4).toBe(
      lines(
        '* mangle',
        '-N ISTIO_DIVERT',
        '-N ISTIO_TPROXY',
        '-N ISTIO_INBOUND',
        '-A ISTIO_DIVERT -j MARK --set-mark 1337',
        '-A ISTIO_DIVERT -j ACCEPT',
        '-A ISTIO_TPROXY ! -d 127.0.0.1/32 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 12345',
        '-A PREROUTING -p tcp -j ISTIO_INBOUND',
        // The golden has the socket rule twice per port: the generator appended it twice.
        '-A ISTIO_INBOUND -p tcp --dport 5555 -m socket -j ISTIO_DIVERT',
        '-A ISTIO_INBOUND -p tcp --dport 5555 -m socket -j ISTIO_DIVERT',
        '-A ISTIO_INBOUND -p tcp --dport 5555 -j ISTIO_TPROXY',
        '-A ISTIO_INBOUND -p tcp --dport 6666 -m socket -j ISTIO_DIVERT',
        '-A ISTIO_INBOUND -p tcp --dport 6666 -m socket -j ISTIO_DIVERT',
        '-A ISTIO_INBOUND -p tcp --dport 6666 -j ISTIO_TPROXY',
        'COMMIT',
        '* nat',
        '-N ISTIO_REDIRECT',
        '-N ISTIO_IN_REDIRECT',
        '-N ISTIO_OUTPUT',
        '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-port 12345',
        '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-port 12345',
        '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
        '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --uid-owner 4321 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 4321 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --uid-owner 4321 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --gid-owner 4444 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 4444 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --gid-owner 4444 -j RETURN',
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        '-A ISTIO_OUTPUT -d 9.9.0.0/16 -j RETURN',
        '-I PREROUTING 1 -i eth1 -j RETURN',
        '-I PREROUTING 1 -i eth2 -j RETURN',
        '-I PREROUTING 1 -i eth1 -d 1.1.0.0/16 -j ISTIO_REDIRECT',
        '-I PREROUTING 1 -i eth2 -d 1.1.0.0/16 -j ISTIO_REDIRECT',
        '-A ISTIO_OUTPUT -d 1.1.0.0/16 -j ISTIO_REDIRECT',
        '-A ISTIO_OUTPUT -j RETURN',
        'COMMIT',
      ),
    );
    expect(r.ip).toEqual(['ip -f inet rule add fwmark 1337 lookup 133', 'ip -f inet route add local default dev lo table 133']);
    expect(r.notes.join('\n')).toMatch(/Go map order/);
  });
});

describe('1.10-1.12', () => {
  it('1.10 default: 15008 RETURN first, then port 22 (reference §1.3; real log istio/istio#32145)', () => {
    const r = gen(opts('1.10', { ipv6: true }));
    const nat = (src: string, lo: string, ...tail: string[]): string =>
      lines(
        '* nat',
        '-N ISTIO_INBOUND',
        '-N ISTIO_REDIRECT',
        '-N ISTIO_IN_REDIRECT',
        '-N ISTIO_OUTPUT',
        '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
        '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
        '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
        '-A PREROUTING -p tcp -j ISTIO_INBOUND',
        '-A ISTIO_INBOUND -p tcp --dport 22 -j RETURN',
        '-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN',
        '-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN',
        '-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN',
        '-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
        '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
        `-A ISTIO_OUTPUT -o lo -s ${src} -j RETURN`,
        `-A ISTIO_OUTPUT -o lo ! -d ${lo} -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT`,
        '-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
        `-A ISTIO_OUTPUT -o lo ! -d ${lo} -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT`,
        '-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
        `-A ISTIO_OUTPUT -d ${lo} -j RETURN`,
        ...tail,
        'COMMIT',
      );
    expect(r.v4).toBe(nat('127.0.0.6/32', '127.0.0.1/32', '-A ISTIO_OUTPUT -j ISTIO_REDIRECT'));
    // The separate IPv6 function of 1.10-1.11 (istio@1.11 cmd/run.go handleInboundIpv6Rules) mirrors it.
    expect(r.v6).toBe(nat('::6/128', '::1/128', '-A ISTIO_OUTPUT -j ISTIO_REDIRECT'));
    expect(r.ip).toEqual(['ip -6 addr add ::6/128 dev lo']);
  });

  it('1.12 ip-range: DNS 127.0.0.53, UID 3,4 / GID 1,2, exclude 1.1.0.0/16, include 9.9.0.0/16 (ip-range.golden @ 8f8fb729, the commit that created testdata/)', () => {
    const r = gen(
      goldenBase('1.10', {
        release: '1.12.0',
        dnsCapture: true,
        proxyUid: [3, 4],
        proxyGid: [1, 2],
        excludeOutboundIPRanges: ['1.1.0.0/16'],
        includeOutboundIPRanges: ['9.9.0.0/16'],
      }),
    );
    expect(r.v4).toBe(
      lines(
        '* nat',
        '-N ISTIO_INBOUND',
        '-N ISTIO_REDIRECT',
        '-N ISTIO_IN_REDIRECT',
        '-N ISTIO_OUTPUT',
        '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
        '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
        '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
        '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
        '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 53 -m owner --uid-owner 3 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --uid-owner 3 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --uid-owner 3 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 53 -m owner --uid-owner 4 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --uid-owner 4 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --uid-owner 4 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --gid-owner 1 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --gid-owner 1 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --gid-owner 1 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --gid-owner 2 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --gid-owner 2 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --gid-owner 2 -j RETURN',
        '-A ISTIO_OUTPUT -p tcp --dport 53 -d 127.0.0.53/32 -j REDIRECT --to-ports 15053',
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        '-A ISTIO_OUTPUT -d 1.1.0.0/16 -j RETURN',
        '-A ISTIO_OUTPUT -d 9.9.0.0/16 -j ISTIO_REDIRECT',
        '-A ISTIO_OUTPUT -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 3 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 4 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 1 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 2 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -d 127.0.0.53/32 -j REDIRECT --to-port 15053',
        'COMMIT',
        '* raw',
        '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 3 -j CT --zone 1',
        '-A OUTPUT -p udp --sport 15053 -m owner --uid-owner 3 -j CT --zone 2',
        '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 4 -j CT --zone 1',
        '-A OUTPUT -p udp --sport 15053 -m owner --uid-owner 4 -j CT --zone 2',
        '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 1 -j CT --zone 1',
        '-A OUTPUT -p udp --sport 15053 -m owner --gid-owner 1 -j CT --zone 2',
        '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 2 -j CT --zone 1',
        '-A OUTPUT -p udp --sport 15053 -m owner --gid-owner 2 -j CT --zone 2',
        '-A OUTPUT -p udp --dport 53 -d 127.0.0.53/32 -j CT --zone 2',
        '-A PREROUTING -p udp --sport 53 -d 127.0.0.53/32 -j CT --zone 1',
        'COMMIT',
      ),
    );
  });
});

describe('1.13-1.17', () => {
  const natHead = (lo: string, src: string): string[] => [
    '* nat',
    '-N ISTIO_INBOUND',
    '-N ISTIO_REDIRECT',
    '-N ISTIO_IN_REDIRECT',
    '-N ISTIO_OUTPUT',
    '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
    '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
    '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
    '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
    `-A ISTIO_OUTPUT -o lo -s ${src} -j RETURN`,
    `-A ISTIO_OUTPUT -o lo ! -d ${lo} -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT`,
    '-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN',
    '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
    `-A ISTIO_OUTPUT -o lo ! -d ${lo} -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT`,
    '-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN',
    '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
  ];

  it('1.13 default: as 1.10 minus port 22 (reference §1.4)', () => {
    const r = gen(opts('1.13'));
    expect(r.v4).toContain('-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN\n-A ISTIO_REDIRECT');
    expect(r.v4).toContain('-A PREROUTING -p tcp -j ISTIO_INBOUND\n-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN\n');
    expect(r.v4).not.toContain('--dport 22');
  });

  it('empty: the test base config (empty.golden @ 29bcc3ca)', () => {
    expect(gen(goldenBase('1.13')).v4).toBe(lines(...natHead('127.0.0.1/32', '127.0.0.6/32'), '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN', 'COMMIT'));
  });

  it('drop-invalid: a direct DROP in mangle PREROUTING (drop-invalid.golden @ 29bcc3ca)', () => {
    expect(gen(goldenBase('1.13', { release: '1.14.0', dropInvalid: true })).v4).toBe(
      lines(
        '* mangle',
        '-A PREROUTING -m conntrack --ctstate INVALID -j DROP',
        'COMMIT',
        ...natHead('127.0.0.1/32', '127.0.0.6/32'),
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        'COMMIT',
      ),
    );
  });

  it('owner groups exclude 888,ftp (outbound-owner-groups-exclude.golden @ 29bcc3ca)', () => {
    expect(gen(goldenBase('1.13', { release: '1.14.0', ownerGroupsExclude: ['888', 'ftp'] })).v4).toBe(
      lines(
        ...natHead('127.0.0.1/32', '127.0.0.6/32'),
        '-A ISTIO_OUTPUT -m owner --gid-owner 888 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --gid-owner ftp -j RETURN',
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        'COMMIT',
      ),
    );
  });

  it('kube-virt interfaces: RETURN inserts first, ISTIO_REDIRECT inserts last (kube-virt-interfaces.golden @ 955ccca5)', () => {
    const [head, ...rest] = natHead('127.0.0.1/32', '127.0.0.6/32').join('\n').split('\n-A ISTIO_INBOUND');
    expect(gen(goldenBase('1.13', { includeOutboundIPRanges: '*', rerouteVirtualInterfaces: ['eth1', 'eth2'] })).v4).toBe(
      lines(
        head!,
        '-I PREROUTING 1 -i eth1 -j RETURN',
        '-I PREROUTING 1 -i eth2 -j RETURN',
        `-A ISTIO_INBOUND${rest.join('\n-A ISTIO_INBOUND')}`,
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        '-A ISTIO_OUTPUT -j ISTIO_REDIRECT',
        '-I PREROUTING 1 -i eth1 -j ISTIO_REDIRECT',
        '-I PREROUTING 1 -i eth2 -j ISTIO_REDIRECT',
        'COMMIT',
      ),
    );
  });

  it('dns-uid-gid, dual stack, servers 127.0.0.53 and ::127.0.0.53 (dns-uid-gid.golden @ 6e46b655)', () => {
    const r = gen(goldenBase('1.13', { dnsCapture: true, dnsServers: ['127.0.0.53', '::127.0.0.53'], proxyUid: [3, 4], proxyGid: [1, 2], ipv6: true }));
    const family = (src: string, lo: string, server: string): string =>
      lines(
        '* nat',
        '-N ISTIO_INBOUND',
        '-N ISTIO_REDIRECT',
        '-N ISTIO_IN_REDIRECT',
        '-N ISTIO_OUTPUT',
        '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
        '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
        '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
        '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
        `-A ISTIO_OUTPUT -o lo -s ${src} -j RETURN`,
        ...['3', '4'].flatMap((u) => [
          `-A ISTIO_OUTPUT -o lo ! -d ${lo} -p tcp ! --dport 53 -m owner --uid-owner ${u} -j ISTIO_IN_REDIRECT`,
          `-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --uid-owner ${u} -j RETURN`,
          `-A ISTIO_OUTPUT -m owner --uid-owner ${u} -j RETURN`,
        ]),
        ...['1', '2'].flatMap((g) => [
          `-A ISTIO_OUTPUT -o lo ! -d ${lo} -m owner --gid-owner ${g} -j ISTIO_IN_REDIRECT`,
          `-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --gid-owner ${g} -j RETURN`,
          `-A ISTIO_OUTPUT -m owner --gid-owner ${g} -j RETURN`,
        ]),
        `-A ISTIO_OUTPUT -p tcp --dport 53 -d ${server} -j REDIRECT --to-ports 15053`,
        `-A ISTIO_OUTPUT -d ${lo} -j RETURN`,
        '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 3 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 4 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 1 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 2 -j RETURN',
        `-A OUTPUT -p udp --dport 53 -d ${server} -j REDIRECT --to-port 15053`,
        'COMMIT',
        '* raw',
        ...['--uid-owner 3', '--uid-owner 4', '--gid-owner 1', '--gid-owner 2'].flatMap((w) => [
          `-A OUTPUT -p udp --dport 53 -m owner ${w} -j CT --zone 1`,
          `-A OUTPUT -p udp --sport 15053 -m owner ${w} -j CT --zone 2`,
        ]),
        `-A OUTPUT -p udp --dport 53 -d ${server} -j CT --zone 2`,
        `-A PREROUTING -p udp --sport 53 -d ${server} -j CT --zone 1`,
        'COMMIT',
      );
    expect(r.v4).toBe(family('127.0.0.6/32', '127.0.0.1/32', '127.0.0.53/32'));
    expect(r.v6).toBe(family('::6/128', '::1/128', '::127.0.0.53/128'));
  });

  it('tproxy: everything at once, dual stack (tproxy.golden @ 92fe3c9a)', () => {
    const r = gen(
      goldenBase('1.13', {
        mode: 'TPROXY',
        includeInboundPorts: '*',
        excludeOutboundIPRanges: ['1.1.0.0/16'],
        includeOutboundIPRanges: ['9.9.0.0/16'],
        dnsCapture: true,
        excludeInterfaces: ['not-istio-nic'],
        ipv6: true,
      }),
    );
    const mangle = (lo: string, src: string): string[] => [
      '* mangle',
      '-N ISTIO_DIVERT',
      '-N ISTIO_TPROXY',
      '-N ISTIO_INBOUND',
      '-A PREROUTING -i not-istio-nic -j RETURN',
      '-A OUTPUT -o not-istio-nic -j RETURN',
      '-A ISTIO_DIVERT -j MARK --set-mark 1337',
      '-A ISTIO_DIVERT -j ACCEPT',
      `-A ISTIO_TPROXY ! -d ${lo} -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006`,
      '-A PREROUTING -p tcp -j ISTIO_INBOUND',
      '-A ISTIO_INBOUND -p tcp -m conntrack --ctstate RELATED,ESTABLISHED -j ISTIO_DIVERT',
      '-A ISTIO_INBOUND -p tcp -j ISTIO_TPROXY',
      '-A PREROUTING -p tcp -m mark --mark 1337 -j CONNMARK --save-mark',
      '-A OUTPUT -p tcp -o lo -m mark --mark 1337 -j RETURN',
      `-A OUTPUT ! -d ${lo} -p tcp -o lo -m owner --uid-owner 1337 -j MARK --set-mark 1338`,
      `-A OUTPUT ! -d ${lo} -p tcp -o lo -m owner --gid-owner 1337 -j MARK --set-mark 1338`,
      '-A OUTPUT -p tcp -m connmark --mark 1337 -j CONNMARK --restore-mark',
      '-I ISTIO_INBOUND 1 -p tcp -m mark --mark 1337 -j RETURN',
      `-I ISTIO_INBOUND 2 -p tcp -s ${src} -i lo -j RETURN`,
      '-I ISTIO_INBOUND 3 -p tcp -i lo -m mark ! --mark 1338 -j RETURN',
      'COMMIT',
    ];
    const nat = (lo: string, src: string): string[] => [
      '* nat',
      '-N ISTIO_INBOUND',
      '-N ISTIO_REDIRECT',
      '-N ISTIO_IN_REDIRECT',
      '-N ISTIO_OUTPUT',
      '-A PREROUTING -i not-istio-nic -j RETURN',
      '-A OUTPUT -o not-istio-nic -j RETURN',
      '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
      '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
      '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
      '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
      `-A ISTIO_OUTPUT -o lo -s ${src} -j RETURN`,
      `-A ISTIO_OUTPUT -o lo ! -d ${lo} -p tcp ! --dport 53 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT`,
      '-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --uid-owner 1337 -j RETURN',
      '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
      `-A ISTIO_OUTPUT -o lo ! -d ${lo} -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT`,
      '-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --gid-owner 1337 -j RETURN',
      '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
    ];
    const ownerZones = [
      '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 1337 -j CT --zone 1',
      '-A OUTPUT -p udp --sport 15053 -m owner --uid-owner 1337 -j CT --zone 2',
      '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 1337 -j CT --zone 1',
      '-A OUTPUT -p udp --sport 15053 -m owner --gid-owner 1337 -j CT --zone 2',
    ];
    expect(r.v4).toBe(
      lines(
        ...mangle('127.0.0.1/32', '127.0.0.6/32'),
        ...nat('127.0.0.1/32', '127.0.0.6/32'),
        '-A ISTIO_OUTPUT -p tcp --dport 53 -d 127.0.0.53/32 -j REDIRECT --to-ports 15053',
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        '-A ISTIO_OUTPUT -d 1.1.0.0/16 -j RETURN',
        '-A ISTIO_OUTPUT -d 9.9.0.0/16 -j ISTIO_REDIRECT',
        '-A ISTIO_OUTPUT -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 1337 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 1337 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -d 127.0.0.53/32 -j REDIRECT --to-port 15053',
        'COMMIT',
        '* raw',
        ...ownerZones,
        '-A OUTPUT -p udp --dport 53 -d 127.0.0.53/32 -j CT --zone 2',
        '-A PREROUTING -p udp --sport 53 -d 127.0.0.53/32 -j CT --zone 1',
        'COMMIT',
      ),
    );
    // IPv6 has no nameserver: owner RETURNs and owner CT zones only, no include range (9.9.0.0/16 is IPv4).
    expect(r.v6).toBe(
      lines(
        ...mangle('::1/128', '::6/128'),
        ...nat('::1/128', '::6/128'),
        '-A ISTIO_OUTPUT -d ::1/128 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 1337 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 1337 -j RETURN',
        'COMMIT',
        '* raw',
        ...ownerZones,
        'COMMIT',
      ),
    );
    expect(r.ip).toEqual([
      'ip -6 addr add ::6/128 dev lo',
      'ip -f inet rule add fwmark 1337 lookup 133',
      'ip -f inet6 rule add fwmark 1337 lookup 133',
      'ip -f inet route add local default dev lo table 133',
      'ip -f inet6 route add local default dev lo table 133',
    ]);
  });
});

describe('1.18-1.22', () => {
  it('inbound ports 4000,5000 and kube-virt eth0,eth1, dual stack: the 15008 guards (ipv6-virt-interfaces.golden @ 3541cdd3)', () => {
    const r = gen(goldenBase('1.18', { includeInboundPorts: [4000, 5000], rerouteVirtualInterfaces: ['eth0', 'eth1'], ipv6: true }));
    const family = (src: string, lo: string): string =>
      lines(
        '* nat',
        '-N ISTIO_INBOUND',
        '-N ISTIO_REDIRECT',
        '-N ISTIO_IN_REDIRECT',
        '-N ISTIO_OUTPUT',
        '-I PREROUTING 1 -i eth0 -j RETURN',
        '-I PREROUTING 1 -i eth1 -j RETURN',
        '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
        '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
        '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
        '-A PREROUTING -p tcp -j ISTIO_INBOUND',
        '-A ISTIO_INBOUND -p tcp --dport 4000 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_INBOUND -p tcp --dport 5000 -j ISTIO_IN_REDIRECT',
        '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
        `-A ISTIO_OUTPUT -o lo -s ${src} -j RETURN`,
        `-A ISTIO_OUTPUT -o lo ! -d ${lo} -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT`,
        '-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
        `-A ISTIO_OUTPUT -o lo ! -d ${lo} -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT`,
        '-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
        `-A ISTIO_OUTPUT -d ${lo} -j RETURN`,
        'COMMIT',
      );
    expect(r.v4).toBe(family('127.0.0.6/32', '127.0.0.1/32'));
    expect(r.v6).toBe(family('::6/128', '::1/128'));
  });
});

describe('1.23-1.24', () => {
  const head = (src: string, lo: string, guardUid: string): string[] => [
    '* nat',
    '-N ISTIO_INBOUND',
    '-N ISTIO_REDIRECT',
    '-N ISTIO_IN_REDIRECT',
    '-N ISTIO_OUTPUT',
    '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
    '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
    '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
    '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
    `-A ISTIO_OUTPUT -o lo -s ${src} -j RETURN`,
    `-A ISTIO_OUTPUT -o lo ! -d ${lo} -p tcp ${guardUid} -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT`,
  ];

  it('dns-uid-gid: UDP rules inside ISTIO_OUTPUT behind OUTPUT -p udp, raw ISTIO_OUTPUT (dns-uid-gid.golden @ 0fa9e711)', () => {
    const r = gen(goldenBase('1.24', { dnsCapture: true, dnsServers: ['127.0.0.53', '::127.0.0.53'], proxyUid: [3, 4], proxyGid: [1, 2], ipv6: true }));
    const family = (src: string, lo: string, server: string): string =>
      lines(
        '* nat',
        '-N ISTIO_INBOUND',
        '-N ISTIO_REDIRECT',
        '-N ISTIO_IN_REDIRECT',
        '-N ISTIO_OUTPUT',
        '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
        '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
        '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
        '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
        `-A ISTIO_OUTPUT -o lo -s ${src} -j RETURN`,
        ...['3', '4'].flatMap((u) => [
          `-A ISTIO_OUTPUT -o lo ! -d ${lo} -p tcp -m multiport ! --dports 53,15008 -m owner --uid-owner ${u} -j ISTIO_IN_REDIRECT`,
          `-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --uid-owner ${u} -j RETURN`,
          `-A ISTIO_OUTPUT -m owner --uid-owner ${u} -j RETURN`,
        ]),
        ...['1', '2'].flatMap((g) => [
          `-A ISTIO_OUTPUT -o lo ! -d ${lo} -p tcp ! --dport 15008 -m owner --gid-owner ${g} -j ISTIO_IN_REDIRECT`,
          `-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --gid-owner ${g} -j RETURN`,
          `-A ISTIO_OUTPUT -m owner --gid-owner ${g} -j RETURN`,
        ]),
        `-A ISTIO_OUTPUT -p tcp --dport 53 -d ${server} -j REDIRECT --to-ports 15053`,
        `-A ISTIO_OUTPUT -d ${lo} -j RETURN`,
        '-A OUTPUT -p udp -j ISTIO_OUTPUT',
        '-A ISTIO_OUTPUT -p udp --dport 53 -m owner --uid-owner 3 -j RETURN',
        '-A ISTIO_OUTPUT -p udp --dport 53 -m owner --uid-owner 4 -j RETURN',
        '-A ISTIO_OUTPUT -p udp --dport 53 -m owner --gid-owner 1 -j RETURN',
        '-A ISTIO_OUTPUT -p udp --dport 53 -m owner --gid-owner 2 -j RETURN',
        `-A ISTIO_OUTPUT -p udp --dport 53 -d ${server} -j REDIRECT --to-port 15053`,
        'COMMIT',
        '* raw',
        '-N ISTIO_OUTPUT',
        '-A OUTPUT -p udp -j ISTIO_OUTPUT',
        ...['--uid-owner 3', '--uid-owner 4', '--gid-owner 1', '--gid-owner 2'].flatMap((w) => [
          `-A ISTIO_OUTPUT -p udp --dport 53 -m owner ${w} -j CT --zone 1`,
          `-A ISTIO_OUTPUT -p udp --sport 15053 -m owner ${w} -j CT --zone 2`,
        ]),
        `-A ISTIO_OUTPUT -p udp --dport 53 -d ${server} -j CT --zone 2`,
        `-A PREROUTING -p udp --sport 53 -s ${server} -j CT --zone 1`,
        'COMMIT',
      );
    expect(r.v4).toBe(family('127.0.0.6/32', '127.0.0.1/32', '127.0.0.53/32'));
    expect(r.v6).toBe(family('::6/128', '::1/128', '::127.0.0.53/128'));
    // 1.24 sorts the tables of its restore input (its goldens compare restore text); 1.23 still used Go map order.
    expect(r.notes.join('\n')).not.toMatch(/Go map order/);
    expect(gen(goldenBase('1.23', { dnsCapture: true })).notes.join('\n')).toMatch(/Go map order/);
  });

  it('tproxy: no trailing RETURN after the include range, UDP behind the include rules (tproxy.golden @ 0fa9e711)', () => {
    const r = gen(
      goldenBase('1.24', {
        mode: 'TPROXY',
        includeInboundPorts: '*',
        excludeOutboundIPRanges: ['1.1.0.0/16'],
        includeOutboundIPRanges: ['9.9.0.0/16'],
        dnsCapture: true,
        excludeInterfaces: ['not-istio-nic'],
        ipv6: true,
      }),
    );
    const natTail = [
      '-A ISTIO_OUTPUT -p tcp --dport 53 -d 127.0.0.53/32 -j REDIRECT --to-ports 15053',
      '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
      '-A ISTIO_OUTPUT -d 1.1.0.0/16 -j RETURN',
      '-A ISTIO_OUTPUT -d 9.9.0.0/16 -j ISTIO_REDIRECT',
      '-A OUTPUT -p udp -j ISTIO_OUTPUT',
      '-A ISTIO_OUTPUT -p udp --dport 53 -m owner --uid-owner 1337 -j RETURN',
      '-A ISTIO_OUTPUT -p udp --dport 53 -m owner --gid-owner 1337 -j RETURN',
      '-A ISTIO_OUTPUT -p udp --dport 53 -d 127.0.0.53/32 -j REDIRECT --to-port 15053',
      'COMMIT',
    ];
    expect(r.v4.split('COMMIT\n')[1]!.split('\n').slice(-9).join('\n')).toBe(natTail.slice(0, 8).join('\n') + '\n');
    expect(r.v4).toContain(lines('* raw', '-N ISTIO_OUTPUT', '-A OUTPUT -p udp -j ISTIO_OUTPUT'));
    expect(r.v4).toContain('-A PREROUTING -p udp --sport 53 -s 127.0.0.53/32 -j CT --zone 1\nCOMMIT\n');
    expect(r.v6).toContain(
      lines(
        '-A ISTIO_OUTPUT -d ::1/128 -j RETURN',
        '-A OUTPUT -p udp -j ISTIO_OUTPUT',
        '-A ISTIO_OUTPUT -p udp --dport 53 -m owner --uid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -p udp --dport 53 -m owner --gid-owner 1337 -j RETURN',
        'COMMIT',
        '* raw',
        '-N ISTIO_OUTPUT',
        '-A OUTPUT -p udp -j ISTIO_OUTPUT',
      ),
    );
    expect(r.v6).not.toContain('PREROUTING -p udp');
  });

  it('drop-invalid is still a direct DROP (drop-invalid.golden @ 0fa9e711)', () => {
    const r = gen(goldenBase('1.24', { dropInvalid: true }));
    expect(r.v4.startsWith(lines('* mangle', '-A PREROUTING -m conntrack --ctstate INVALID -j DROP', 'COMMIT', '* nat'))).toBe(true);
    expect(r.v4).toContain(head('127.0.0.6/32', '127.0.0.1/32', '! --dport 15008').join('\n'));
  });

  it('owner groups include java,202 (outbound-owner-groups.golden @ 0fa9e711)', () => {
    const r = gen(goldenBase('1.24', { ownerGroupsInclude: ['java', '202'] }));
    expect(r.v4).toContain(
      lines(
        '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner ! --gid-owner java -m owner ! --gid-owner 202 -j RETURN',
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        'COMMIT',
      ),
    );
  });

  it('loopback CIDR 127.0.0.1/8 (host-ipv4-loopback-cidr.golden @ 537fbea8)', () => {
    const r = gen(goldenBase('1.24', { loopbackCidr: '127.0.0.1/8' }));
    expect(r.v4).toContain('-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/8 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT\n');
    expect(r.v4).toContain('-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/8 -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT\n');
    expect(r.v4).toContain('-A ISTIO_OUTPUT -d 127.0.0.1/8 -j RETURN\nCOMMIT\n');
  });

  it('IPv6 ranges only for IPv6; excludeInboundPorts ignored with a port list (ipv6-ipnets.golden @ 2b3d3d86)', () => {
    const r = gen(
      goldenBase('1.24', {
        includeInboundPorts: [4000, 5000],
        excludeInboundPorts: [6000, 7000],
        rerouteVirtualInterfaces: ['eth0', 'eth1'],
        includeOutboundIPRanges: ['2001:db8::/32'],
        excludeOutboundIPRanges: ['2001:db8::/32'],
        ipv6: true,
      }),
    );
    expect(r.v4).toContain('-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN\nCOMMIT\n');
    expect(r.v4).not.toContain('6000');
    expect(r.v6).toContain(
      lines(
        '-A ISTIO_OUTPUT -d ::1/128 -j RETURN',
        '-A ISTIO_OUTPUT -d 2001:db8::/32 -j RETURN',
        '-I PREROUTING 1 -i eth0 -d 2001:db8::/32 -j ISTIO_REDIRECT',
        '-I PREROUTING 1 -i eth1 -d 2001:db8::/32 -j ISTIO_REDIRECT',
        '-A ISTIO_OUTPUT -d 2001:db8::/32 -j ISTIO_REDIRECT',
        'COMMIT',
      ),
    );
    expect(r.notes.join('\n')).toMatch(/excludeInboundPorts only applies/);
  });
});

// Istio's 1.25-1.31 goldens themselves (tproxy, dns-uid-gid, ipv6-dns-outbound-owner-groups, …) are compared byte for byte
// from test/data/istio-goldens in istio-goldens.test.ts; the cases here cover what those goldens do not.
describe('1.25+ (main)', () => {
  it('default sidecar: OUTPUT -j ISTIO_OUTPUT for all protocols (reference §1.8)', () => {
    const r = gen(opts('1.25'));
    expect(r.v4).toBe(
      lines(
        '* nat',
        '-N ISTIO_INBOUND',
        '-N ISTIO_REDIRECT',
        '-N ISTIO_IN_REDIRECT',
        '-N ISTIO_OUTPUT',
        '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
        '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
        '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
        '-A PREROUTING -p tcp -j ISTIO_INBOUND',
        '-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN',
        '-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN',
        '-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN',
        '-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
        '-A OUTPUT -j ISTIO_OUTPUT',
        '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        '-A ISTIO_OUTPUT -j ISTIO_REDIRECT',
        'COMMIT',
      ),
    );
    expect(r.notes).toEqual([]);
  });

  it('loopback include range drops the -o lo ! --owner RETURNs (loopback-outbound-iprange.golden @ 0821c395)', () => {
    const r = gen(goldenBase('1.25', { includeOutboundIPRanges: ['127.1.2.3/32'], dnsCapture: true, proxyUid: [3, 4], proxyGid: [1, 2] }));
    const out = r.v4.split('\n').filter((l) => l.startsWith('-A ISTIO_OUTPUT '));
    expect(out).toEqual([
      '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN',
      '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp -m multiport ! --dports 53,15008 -m owner --uid-owner 3 -j ISTIO_IN_REDIRECT',
      '-A ISTIO_OUTPUT -m owner --uid-owner 3 -j RETURN',
      '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp -m multiport ! --dports 53,15008 -m owner --uid-owner 4 -j ISTIO_IN_REDIRECT',
      '-A ISTIO_OUTPUT -m owner --uid-owner 4 -j RETURN',
      '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 1 -j ISTIO_IN_REDIRECT',
      '-A ISTIO_OUTPUT -m owner --gid-owner 1 -j RETURN',
      '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 2 -j ISTIO_IN_REDIRECT',
      '-A ISTIO_OUTPUT -m owner --gid-owner 2 -j RETURN',
      '-A ISTIO_OUTPUT -j ISTIO_OUTPUT_DNS',
      '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
      '-A ISTIO_OUTPUT -d 127.1.2.3/32 -j ISTIO_REDIRECT',
    ]);
  });

  it('kube-virt interfaces (kube-virt-interfaces.golden @ 461f85ba) and with 10.0.0.0/8 (ipnets-with-kube-virt-interfaces.golden @ 461f85ba)', () => {
    const wild = gen(goldenBase('1.25', { includeOutboundIPRanges: '*', rerouteVirtualInterfaces: ['eth1', 'eth2'] })).v4.split('\n');
    expect(wild.slice(5, 7)).toEqual(['-I PREROUTING 1 -i eth1 -j RETURN', '-I PREROUTING 1 -i eth2 -j RETURN']);
    expect(wild.slice(-5)).toEqual(['-A ISTIO_OUTPUT -j ISTIO_REDIRECT', '-I PREROUTING 1 -i eth1 -j ISTIO_REDIRECT', '-I PREROUTING 1 -i eth2 -j ISTIO_REDIRECT', 'COMMIT', '']);
    const nets = gen(goldenBase('1.25', { includeOutboundIPRanges: ['10.0.0.0/8'], rerouteVirtualInterfaces: ['eth1', 'eth2'] })).v4.split('\n');
    expect(nets.slice(-6)).toEqual([
      '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
      '-I PREROUTING 1 -i eth1 -d 10.0.0.0/8 -j ISTIO_REDIRECT',
      '-I PREROUTING 1 -i eth2 -d 10.0.0.0/8 -j ISTIO_REDIRECT',
      '-A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT',
      'COMMIT',
      '',
    ]);
  });

  it('TPROXY with inbound ports 32000,31000 (inbound-ports-tproxy.golden @ 461f85ba)', () => {
    const r = gen(goldenBase('1.25', { mode: 'TPROXY', includeInboundPorts: [32000, 31000] }));
    expect(r.v4).toContain(
      lines(
        '-A PREROUTING -p tcp -j ISTIO_INBOUND',
        '-A ISTIO_INBOUND -p tcp --dport 32000 -m conntrack --ctstate RELATED,ESTABLISHED -j ISTIO_DIVERT',
        '-A ISTIO_INBOUND -p tcp --dport 32000 -j ISTIO_TPROXY',
        '-A ISTIO_INBOUND -p tcp --dport 31000 -m conntrack --ctstate RELATED,ESTABLISHED -j ISTIO_DIVERT',
        '-A ISTIO_INBOUND -p tcp --dport 31000 -j ISTIO_TPROXY',
        '-A PREROUTING -p tcp -m mark --mark 1337 -j CONNMARK --save-mark',
      ),
    );
    expect(r.ip).toEqual(['ip -f inet rule add fwmark 1337 lookup 133', 'ip -f inet route add local default dev lo table 133']);
  });

  it('drop-invalid goes through ISTIO_DROP; excludeOutboundPorts gets tcp and udp twins (§1.8, brief)', () => {
    const r = gen(opts('1.25', { dropInvalid: true, excludeOutboundPorts: [5432] }));
    expect(r.v4.startsWith(lines('* mangle', '-N ISTIO_DROP', '-A PREROUTING -m conntrack --ctstate INVALID -j ISTIO_DROP', '-A ISTIO_DROP -j DROP', 'COMMIT'))).toBe(true);
    expect(r.v4).toContain(lines('-A OUTPUT -j ISTIO_OUTPUT', '-A ISTIO_OUTPUT -p tcp --dport 5432 -j RETURN', '-A ISTIO_OUTPUT -p udp --dport 5432 -j RETURN', '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN'));
  });
});
