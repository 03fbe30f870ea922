/**
 * Rules installed by the istio-cni plugin (reference §1.6), compared with
 * istio/istio cni/pkg/plugin/testdata/*.txt.golden at the commits named.
 * CNI defaults: excludeOutboundPorts "15020", inbound exclusions
 * "<annotation>,15020,15021,15090" deduplicated, CaptureAllDNS = DNS capture.
 */
import { describe, expect, it } from 'vitest';
import { defaultIstioOptions, optionsFromAnnotations } from '../../../src/istio/generator/index.js';
import { gen, lines, opts } from './helpers.js';

const head = [
  '* nat',
  '-N ISTIO_INBOUND',
  '-N ISTIO_REDIRECT',
  '-N ISTIO_IN_REDIRECT',
  '-N ISTIO_OUTPUT',
  '-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN',
  '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
  '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
  '-A PREROUTING -p tcp -j ISTIO_INBOUND',
  '-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN',
  '-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN',
  '-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN',
  '-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
];

describe('istio-cni 1.13-1.17', () => {
  it('basic: 15020 RETURN first in ISTIO_OUTPUT, inbound exclusions 15020,15021,15090 (basic.txt.golden @ 29bcc3ca)', () => {
    expect(gen(opts('1.13', {}, 'cni')).v4).toBe(
      lines(
        ...head,
        '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
        '-A ISTIO_OUTPUT -p tcp --dport 15020 -j RETURN',
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
  });

  it('dns: CNI captures all DNS, no nameserver addresses (dns.txt.golden @ 29bcc3ca)', () => {
    const r = gen(opts('1.13', { dnsCapture: true }, 'cni'));
    expect(r.v4).toBe(
      lines(
        ...head,
        '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
        '-A ISTIO_OUTPUT -p tcp --dport 15020 -j RETURN',
        '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 53 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --uid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -o lo -p tcp ! --dport 53 -m owner ! --gid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -p tcp --dport 53 -j REDIRECT --to-ports 15053',
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        '-A ISTIO_OUTPUT -j ISTIO_REDIRECT',
        '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 1337 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 1337 -j RETURN',
        '-A OUTPUT -p udp --dport 53 -j REDIRECT --to-port 15053',
        'COMMIT',
        '* raw',
        '-A OUTPUT -p udp --dport 53 -m owner --uid-owner 1337 -j CT --zone 1',
        '-A OUTPUT -p udp --sport 15053 -m owner --uid-owner 1337 -j CT --zone 2',
        '-A OUTPUT -p udp --dport 53 -m owner --gid-owner 1337 -j CT --zone 1',
        '-A OUTPUT -p udp --sport 15053 -m owner --gid-owner 1337 -j CT --zone 2',
        '-A OUTPUT -p udp --dport 53 -j CT --zone 2',
        '-A PREROUTING -p udp --sport 53 -j CT --zone 1',
        'COMMIT',
      ),
    );
    expect(r.notes.join('\n')).toMatch(/CaptureAllDNS/);
  });

  it('include 127.0.0.0/8 and exclude 10.0.0.0/8 annotations on 1.12 (include-exclude-ip.txt.golden @ 121fe966, its -m comment decorations left out)', () => {
    const o = optionsFromAnnotations(defaultIstioOptions('1.10', 'cni'), {
      'traffic.sidecar.istio.io/includeOutboundIPRanges': '127.0.0.0/8',
      'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.0.0.0/8',
    });
    expect(gen({ ...o, release: '1.12.0' }).v4).toBe(
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
        '-A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN',
        '-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN',
        '-A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN',
        '-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
        '-A OUTPUT -p tcp -j ISTIO_OUTPUT',
        '-A ISTIO_OUTPUT -p tcp --dport 15020 -j RETURN',
        '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT',
        '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
        '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
        '-A ISTIO_OUTPUT -d 10.0.0.0/8 -j RETURN',
        '-A ISTIO_OUTPUT -d 127.0.0.0/8 -j ISTIO_REDIRECT',
        '-A ISTIO_OUTPUT -j RETURN',
        'COMMIT',
      ),
    );
  });
});

describe('istio-cni 1.25+', () => {
  it('basic: tcp and udp 15020 RETURNs first (reference §1.6 listing of basic.txt.golden on main)', () => {
    const out = gen(opts('1.25', {}, 'cni')).v4.split('\n').filter((l) => l.startsWith('-A ISTIO_OUTPUT') || l.startsWith('-A OUTPUT'));
    expect(out.slice(0, 4)).toEqual([
      '-A OUTPUT -j ISTIO_OUTPUT',
      '-A ISTIO_OUTPUT -p tcp --dport 15020 -j RETURN',
      '-A ISTIO_OUTPUT -p udp --dport 15020 -j RETURN',
      '-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN',
    ]);
    expect(out).toHaveLength(12);
  });

  it('annotations: excludeInboundPorts keeps the forced 15020,15021,15090 after the user ports; excludeOutboundPorts replaces the 15020 default (sidecar_redirect.go NewRedirect)', () => {
    const o = optionsFromAnnotations(defaultIstioOptions('1.25', 'cni'), {
      'traffic.sidecar.istio.io/excludeInboundPorts': '8080,15021',
      'traffic.sidecar.istio.io/excludeOutboundPorts': '5432',
    });
    expect(o.excludeInboundPorts).toEqual([8080, 15021, 15020, 15090]);
    expect(o.excludeOutboundPorts).toEqual([5432]);
    const r = gen(o).v4;
    expect(r).toContain(lines('-A OUTPUT -j ISTIO_OUTPUT', '-A ISTIO_OUTPUT -p tcp --dport 5432 -j RETURN', '-A ISTIO_OUTPUT -p udp --dport 5432 -j RETURN'));
    expect(r).not.toContain('--dport 15020 -j RETURN\n-A ISTIO_OUTPUT');
  });

  it('the CNI plugin of 1.5 is not modelled', () => {
    expect(() => gen({ ...defaultIstioOptions('1.5'), installer: 'cni' })).toThrow(/istio-cni plugin of 1\.5\.0 is not modelled/);
  });
});
