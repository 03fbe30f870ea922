/** loadRuleSource, the one road into a rule set, and the pre-1.10 Envoy rule it feeds. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as generator from '../../src/istio/config-source.js';
import { inboundToLocalhost } from '../../src/istio/envoy.js';
import { istioMinorOfProfile, loadRuleSource } from '../../src/istio/rule-source.js';

const ROOT = join(import.meta.dirname, '../..');
const profileText = (name: string) => readFileSync(join(ROOT, 'rules', `${name}.rules`), 'utf8');
const noFiles = () => {
  throw new Error('no file expected');
};

describe('loadRuleSource', () => {
  it('loads text, a profile and Istio configuration, saying which Istio minor version each stands for', () => {
    const text = loadRuleSource({ kind: 'text', text: '*nat\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n', file: 'x.rules' });
    expect(text.ruleset.source).toEqual({ name: 'x.rules', format: 'iptables-save' });
    expect([text.generated, text.istioMinor]).toEqual([null, null]);
    const profile = loadRuleSource({ kind: 'profile', name: 'istio-1.25', text: profileText('istio-1.25') });
    expect(profile.ruleset.source.name).toBe('profile:istio-1.25');
    expect(profile.istioMinor).toBe(25);
    const istio = loadRuleSource({ kind: 'istio', config: { istioVersion: '1.9', ipv6: false, readFile: noFiles }, generator });
    expect(istio.ruleset.source.format).toBe('generated');
    expect(istio.generated?.options.release).toMatch(/^1\.9\./);
    expect(istio.istioMinor).toBe(9);
  });

  it('reads a profile name as an Istio minor version only when it names one', () => {
    expect(['istio-1.9', 'istio-1.10', 'istio-1.25-cni', 'kube-proxy', 'istio-2.0'].map(istioMinorOfProfile)).toEqual([9, 10, 25, null, null]);
  });
});

describe('the pre-1.10 Envoy rule', () => {
  it('holds before Istio 1.10 only, and not when the version is unknown', () => {
    expect([5, 9, 10, 25, null].map(inboundToLocalhost)).toEqual([true, true, false, false, false]);
  });
});
