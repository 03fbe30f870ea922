/**
 * Rules installed by the istio-cni plugin (reference §1.6), compared with
 * istio/istio cni/pkg/plugin/testdata/*.txt.golden at the commits named: the
 * whole-text cases are data (test/data/generator-expected/cni.yaml); the checks
 * of option handling stay here.
 */
import { describe, expect, it } from 'vitest';
import { defaultIstioOptions, optionsFromAnnotations } from '../../../src/istio/generator/index.js';
import { runCases } from './expected-cases.js';
import { gen, lines, opts } from './helpers.js';

runCases('cni.yaml');

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
