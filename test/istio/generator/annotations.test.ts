/**
 * Pod annotations → options (reference §7.2), with the injection template's
 * additions (§1.0: 15090,15021 before, the status port after the user's
 * excludeInboundPorts) and the CNI plugin's (§1.6).
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { defaultIstioOptions, generateRules, optionsFromAnnotations } from '../../../src/istio/generator/index.js';
import { chainRules } from './helpers.js';

const base = defaultIstioOptions('1.25');
const from = (a: Record<string, string>, b = base) => optionsFromAnnotations(b, a);

describe('optionsFromAnnotations', () => {
  it('no annotations: the template defaults', () => {
    expect(from({})).toEqual(base);
  });

  it('excludeInboundPorts: 15090,15021 prepended, status port appended (injection template, §1.0)', () => {
    expect(from({ 'traffic.sidecar.istio.io/excludeInboundPorts': '8080, 9090' }).excludeInboundPorts).toEqual([15090, 15021, 8080, 9090, 15020]);
    expect(from({ 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' }, defaultIstioOptions('1.5')).excludeInboundPorts).toEqual([15090, 8080, 15020]);
    // The status port is not appended twice, and 0 means none.
    expect(from({ 'traffic.sidecar.istio.io/excludeInboundPorts': '15020,8080' }).excludeInboundPorts).toEqual([15090, 15021, 15020, 8080]);
    expect(from({ 'status.sidecar.istio.io/port': '15099' }).excludeInboundPorts).toEqual([15090, 15021, 15099]);
    expect(from({ 'status.sidecar.istio.io/port': '0', 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' }).excludeInboundPorts).toEqual([15090, 15021, 8080]);
  });

  it('the rules follow: ISTIO_INBOUND returns the excluded ports in that order', () => {
    const o = from({ 'traffic.sidecar.istio.io/excludeInboundPorts': '3306' });
    expect(chainRules(generateRules(o).restore.ipv4, 'nat', 'ISTIO_INBOUND').map((r) => r.replace(/^-p tcp --dport (\d+) -j RETURN$/, '$1'))).toEqual([
      '15008',
      '15090',
      '15021',
      '3306',
      '15020',
      '-p tcp -j ISTIO_IN_REDIRECT',
    ]);
  });

  it('traffic annotations', () => {
    const o = from({
      'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.0.0.0/8, 2001:db8::/32',
      'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.0/12',
      'traffic.sidecar.istio.io/includeInboundPorts': '9080,9443',
      'traffic.sidecar.istio.io/includeOutboundPorts': '8443',
      'traffic.sidecar.istio.io/excludeOutboundPorts': '5432,3306',
      'traffic.sidecar.istio.io/excludeInterfaces': 'net1',
      'traffic.sidecar.istio.io/kubevirtInterfaces': 'k6t-eth0',
    });
    expect(o).toMatchObject({
      includeOutboundIPRanges: ['10.0.0.0/8', '2001:db8::/32'],
      excludeOutboundIPRanges: ['10.96.0.0/12'],
      includeInboundPorts: [9080, 9443],
      includeOutboundPorts: [8443],
      excludeOutboundPorts: [5432, 3306],
      excludeInterfaces: ['net1'],
      rerouteVirtualInterfaces: ['k6t-eth0'],
    });
    expect(from({ 'traffic.sidecar.istio.io/includeOutboundIPRanges': '' }).includeOutboundIPRanges).toEqual([]);
    expect(from({ 'traffic.sidecar.istio.io/includeInboundPorts': '*' }).includeInboundPorts).toBe('*');
    expect(from({ 'traffic.sidecar.istio.io/includeInboundPorts': '' }).includeInboundPorts).toEqual([]);
  });

  it('istio.io/reroute-virtual-interfaces wins over kubevirtInterfaces (1.25+)', () => {
    const o = from({ 'istio.io/reroute-virtual-interfaces': 'eth1', 'traffic.sidecar.istio.io/kubevirtInterfaces': 'eth2' });
    expect(o.rerouteVirtualInterfaces).toEqual(['eth1']);
    expect(() => from({ 'istio.io/reroute-virtual-interfaces': 'eth1' }, defaultIstioOptions('1.13'))).toThrow(/istio\.io\/reroute-virtual-interfaces was introduced in Istio 1\.25/);
  });

  it('interceptionMode, and proxy.istio.io/config underneath it', () => {
    expect(from({ 'sidecar.istio.io/interceptionMode': 'TPROXY' }).mode).toBe('TPROXY');
    const yaml = 'proxyMetadata:\n  ISTIO_META_DNS_CAPTURE: "true"\n  ISTIO_META_DNS_AUTO_ALLOCATE: "true"\nproxyStatsMatcher:\n  inclusionRegexps: [".*"]\ninterceptionMode: TPROXY\n';
    expect(from({ 'proxy.istio.io/config': yaml })).toMatchObject({ dnsCapture: true, mode: 'TPROXY' });
    expect(from({ 'proxy.istio.io/config': yaml, 'sidecar.istio.io/interceptionMode': 'REDIRECT' }).mode).toBe('REDIRECT');
    expect(from({ 'proxy.istio.io/config': '{"proxyMetadata": {"ISTIO_META_DNS_CAPTURE": "false"}, "holdApplicationUntilProxyStarts": true}' }).dnsCapture).toBe(false);
    expect(
      from({ 'proxy.istio.io/config': 'proxyMetadata:\n  INVALID_DROP: "1"\n  ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE: "888,ftp"\n  ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR: 127.0.0.1/8' }),
    ).toMatchObject({ dropInvalid: true, ownerGroupsExclude: ['888', 'ftp'], loopbackCidr: '127.0.0.1/8' });
  });

  it('DNS capture from the annotation reaches the rules', () => {
    const o = from({ 'proxy.istio.io/config': 'proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}' });
    expect(chainRules(generateRules(o).restore.ipv4, 'nat', 'ISTIO_OUTPUT')[7]).toBe('-j ISTIO_OUTPUT_DNS');
  });

  it('ignores Istio annotations that do not change the rules, and foreign ones', () => {
    const o = from({
      'sidecar.istio.io/inject': 'true',
      'sidecar.istio.io/proxyCPU': '100m',
      'istio.io/rev': 'canary',
      'prometheus.istio.io/merge-metrics': 'false',
      'networking.istio.io/exportTo': '.',
      'kubectl.kubernetes.io/default-container': 'app',
      'example.com/anything': 'x',
    });
    expect(o).toEqual(base);
  });

  const usage = (a: Record<string, unknown>, b = base): string => {
    try {
      optionsFromAnnotations(b, a as Record<string, string>);
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return (e as Error).message;
    }
    throw new Error('expected a UsageError');
  };

  it.each([
    [{ 'traffic.sidecar.istio.io/excludeOutboundPort': '5432' }, /unknown Istio annotation "traffic\.sidecar\.istio\.io\/excludeOutboundPort" \(did you mean "traffic\.sidecar\.istio\.io\/excludeOutboundPorts"\?\)/],
    [{ 'sidecar.istio.io/frobnicate': 'x' }, /unknown Istio annotation "sidecar\.istio\.io\/frobnicate"/],
    [{ 'istio.io/whatever': 'x' }, /unknown Istio annotation "istio\.io\/whatever"/],
    [{ 'sidecar.istio.io/interceptionMode': 'tproxy' }, /annotation sidecar\.istio\.io\/interceptionMode: "tproxy" is not valid: expected REDIRECT or TPROXY/],
    [{ 'sidecar.istio.io/interceptionMode': 'NONE' }, /NONE means no istio-init and no iptables rules/],
    [{ 'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.0.0.0' }, /annotation traffic\.sidecar\.istio\.io\/includeOutboundIPRanges: "10\.0\.0\.0" is not valid: expected a comma-separated list of CIDRs/],
    [{ 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '*' }, /excludeOutboundIPRanges: "\*" is not valid/],
    [{ 'traffic.sidecar.istio.io/excludeInboundPorts': '80,http' }, /excludeInboundPorts: "80,http" is not valid: expected a comma-separated list of ports 1-65535/],
    [{ 'traffic.sidecar.istio.io/includeInboundPorts': '0' }, /includeInboundPorts: "0" is not valid/],
    [{ 'status.sidecar.istio.io/port': 'abc' }, /status\.sidecar\.istio\.io\/port: "abc" is not valid: expected a port number 0-65535/],
    [{ 'traffic.sidecar.istio.io/excludeInterfaces': 'a interface name that is too long' }, /excludeInterfaces: .* is not valid: expected a comma-separated list of interface names/],
    [{ 'proxy.istio.io/config': 'proxyMetadata: [1, 2' }, /annotation proxy\.istio\.io\/config: not valid YAML or JSON/],
    [{ 'proxy.istio.io/config': 'interceptMode: TPROXY' }, /annotation proxy\.istio\.io\/config: unknown ProxyConfig field "interceptMode" \(did you mean "interceptionMode"\?\)/],
    [{ 'proxy.istio.io/config': 'proxyMetadata:\n  ISTIO_META_DNS_CAPTURE: yes' }, /proxyMetadata\.ISTIO_META_DNS_CAPTURE: "yes" is not valid: expected "true" or "false"/],
    [{ 'proxy.istio.io/config': 'proxyMetadata:\n  ISTIO_META_DNS_CAPTURE: true' }, /proxyMetadata\.ISTIO_META_DNS_CAPTURE must be a string/],
    [{ 'proxy.istio.io/config': '- a\n- b' }, /expected a mapping of ProxyConfig fields, not a list/],
    [{ 'traffic.sidecar.istio.io/excludeOutboundPorts': 5432 }, /annotation traffic\.sidecar\.istio\.io\/excludeOutboundPorts: value must be a string/],
  ])('%o', (a, re) => {
    expect(usage(a)).toMatch(re);
  });

  it('annotations a release did not have', () => {
    expect(usage({ 'traffic.sidecar.istio.io/excludeInterfaces': 'net1' }, { ...defaultIstioOptions('1.13'), release: '1.14.2' })).toMatch(
      /annotation traffic\.sidecar\.istio\.io\/excludeInterfaces was introduced in Istio 1\.15; 1\.14\.2 ignores it/,
    );
    expect(usage({ 'traffic.sidecar.istio.io/includeOutboundPorts': '443' }, defaultIstioOptions('1.5'))).toMatch(/includeOutboundPorts was introduced in Istio 1\.9/);
  });
});
