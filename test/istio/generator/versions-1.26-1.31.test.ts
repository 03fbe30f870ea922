/**
 * What changed from 1.26 to 1.31 outside the capture goldens (which are the
 * same from 1.25.0 to 1.31.0-rc.0; istio-goldens.test.ts checks them):
 * istio-next.md §1.2 a, f, g, h.
 */
import { describe, expect, it } from 'vitest';
import { features, generateRules, optionsFromAnnotations, type IstioOptions } from '../../../src/istio/generator/index.js';
import { opts } from './helpers.js';

const at = (release: string, patch: Partial<IstioOptions> = {}, installer: 'init' | 'cni' = 'init'): IstioOptions => opts('1.25', { release, ...patch }, installer);
const f = (minor: number, patch = 0) => features({ minor, patch });

describe('capability probe left in a dump (§1.2a)', () => {
  it.each([
    [25, 9, null],
    [26, 0, 'filter'],
    [26, 6, 'filter'],
    [26, 7, 'filter'],
    [27, 0, 'filter'],
    [27, 1, 'nat'],
    [27, 3, 'nat'],
    [31, 0, 'nat'],
  ] as const)('1.%i.%i: %s', (minor, patch, table) => {
    expect(f(minor, patch).capabilityProbe?.table ?? null).toBe(table);
  });
  it('comment dropped in 1.26.7 and 1.27.3; DROP in filter, RETURN in nat', () => {
    expect(f(26, 6).capabilityProbe?.rule).toBe('-A INPUT -p 255 -m comment --comment "\\"Istio no-op iptables capability probe\\"" -j DROP');
    expect(f(26, 7).capabilityProbe?.rule).toBe('-A INPUT -p 255 -j DROP');
    expect(f(27, 2).capabilityProbe?.rule).toBe('-A INPUT -p 255 -m comment --comment "\\"Istio no-op iptables capability probe\\"" -j RETURN');
    expect(f(28, 0).capabilityProbe?.rule).toBe('-A INPUT -p 255 -j RETURN');
  });
});

describe('TPROXY forces -u 1337 from 1.27 (§1.2f, PR 56577)', () => {
  const tproxy = { 'sidecar.istio.io/interceptionMode': 'TPROXY' };
  it('1.27: a ProxyUID of 1000670000 becomes 1337 in TPROXY mode, with a note', () => {
    const o = optionsFromAnnotations(at('1.27.0', { proxyUid: [1000670000] }), tproxy);
    expect(o.proxyUid).toEqual([1337]);
    const g = generateRules(o);
    expect(g.restore.ipv4).toContain('-m owner --uid-owner 1337 -j MARK --set-mark 1338');
    expect(g.restore.ipv4).not.toContain('1000670000');
    expect(g.notes.join('\n')).toMatch(/passes -u 1337 in TPROXY mode/);
  });
  it('1.26: the ProxyUID is kept; REDIRECT mode keeps it on 1.27 too', () => {
    expect(optionsFromAnnotations(at('1.26.8', { proxyUid: [1000670000] }), tproxy).proxyUid).toEqual([1000670000]);
    expect(optionsFromAnnotations(at('1.27.0', { proxyUid: [1000670000] }), {}).proxyUid).toEqual([1000670000]);
  });
});

describe('kubevirtInterfaces and reroute-virtual-interfaces (§1.2f, §1.2g)', () => {
  const kubevirt = { 'traffic.sidecar.istio.io/kubevirtInterfaces': 'net1' };
  const both = { ...kubevirt, 'istio.io/reroute-virtual-interfaces': 'net2' };
  it.each([
    ['1.25.0', 'cni', []],
    ['1.26.4', 'cni', []],
    ['1.26.5', 'cni', ['net1']],
    ['1.27.1', 'cni', []],
    ['1.27.2', 'cni', ['net1']],
    ['1.28.0', 'cni', ['net1']],
    ['1.26.0', 'init', ['net1']],
    ['1.27.0', 'init', ['net1']],
  ] as const)('%s %s: kubevirtInterfaces alone gives %j', (release, installer, want) => {
    const o = optionsFromAnnotations(at(release, {}, installer), kubevirt);
    expect(o.rerouteVirtualInterfaces).toEqual(want);
    if (want.length === 0) expect(generateRules(o).notes.join('\n')).toMatch(/ignores traffic\.sidecar\.istio\.io\/kubevirtInterfaces/);
  });
  it.each([['1.26.0'], ['1.28.0']])('%s: with both, reroute-virtual-interfaces wins (init: the last -k; 1.26.5+/1.27.2+: else-if)', (release) => {
    for (const installer of ['init', 'cni'] as const) expect(optionsFromAnnotations(at(release, {}, installer), both).rerouteVirtualInterfaces).toEqual(['net2']);
  });
});

describe('facts recorded per release (§1.2f, §1.2h)', () => {
  it('native sidecars by default and the "Istio config:" banner from 1.27', () => {
    expect([f(26, 8).nativeSidecarsByDefault, f(27, 0).nativeSidecarsByDefault]).toEqual([false, true]);
    expect([f(26, 0).configBanner, f(27, 0).configBanner]).toEqual(['Istio iptables variables:', 'Istio config:']);
  });
});
