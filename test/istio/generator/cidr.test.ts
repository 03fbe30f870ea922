/** CIDR and nameserver handling as Go's net/netip do it (generator/cidr.ts). */
import { describe, expect, it } from 'vitest';
import { addressFamily, parseIstioCidr, splitRanges } from '../../../src/istio/generator/cidr.js';

describe('cidr', () => {
  it.each([
    ['10.1.2.3/8', { family: 'ipv4', asWritten: '10.1.2.3/8', masked: '10.0.0.0/8', loopback: false }],
    ['127.1.2.3/32', { family: 'ipv4', asWritten: '127.1.2.3/32', masked: '127.1.2.3/32', loopback: true }],
    ['2001:DB8:0:0::1/32', { family: 'ipv6', asWritten: '2001:db8::1/32', masked: '2001:db8::/32', loopback: false }],
    ['::1/128', { family: 'ipv6', asWritten: '::1/128', masked: '::1/128', loopback: true }],
    // ipaddr.js would read this as ::ffff:127.0.0.53; Go keeps ::7f00:35.
    ['::127.0.0.53/128', { family: 'ipv6', asWritten: '::7f00:35/128', masked: '::7f00:35/128', loopback: false }],
  ] as const)('%s', (text, expected) => {
    expect(parseIstioCidr(text)).toEqual(expected);
  });
  it.each([['10.0.0.0'], ['10.0.0.0/33'], ['::/129'], ['10.0.0/8'], ['fe80::1%eth0/64'], ['*']])('rejects %s', (text) => {
    expect(parseIstioCidr(text)).toBeNull();
  });
  it('splits by family and notices loopback ranges', () => {
    expect(splitRanges(['10.0.0.0/8', '2001:db8::/32', '127.0.0.0/8'])).toMatchObject({ wildcard: false, hasLoopback: true });
    expect(splitRanges('*')).toEqual({ wildcard: true, v4: [], v6: [], hasLoopback: false });
  });
  it('nameserver families: IPv4-mapped counts as IPv4 (net.IP.To4), ::a.b.c.d does not', () => {
    expect(addressFamily('10.96.0.10')).toBe('ipv4');
    expect(addressFamily('::127.0.0.53')).toBe('ipv6');
    expect(addressFamily('::ffff:10.96.0.10')).toBe('ipv4');
    expect(addressFamily('fd00::a')).toBe('ipv6');
    expect(addressFamily('kube-dns')).toBeNull();
  });
});
