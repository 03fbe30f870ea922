/**
 * Every built-in profile in rules/ against the generator: loading the file
 * (loadRulesText, as --profile does) and loading the generator's restore
 * input give the same rules per family (compared as saveRuleset prints them;
 * a save file declares every built-in chain, restore input only the ones it
 * touches, so empty built-in declarations are left out of the comparison).
 * The generated profiles must also be exactly what renderProfile writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRulesText } from '../../../src/sources/rule-text.js';
import { saveRuleset } from '../../../src/sources/iptables/save.js';
import type { Family } from '../../../src/core/types.js';
import { GENERATED_PROFILES, generateRules, HANDWRITTEN_PROFILES, renderProfile, type IstioOptions } from '../../../src/istio/generator/index.js';
import { readProfileHeader } from '../../../src/istio/profiles.js';

const RULES = join(import.meta.dirname, '../../../rules');
const EMPTY_BUILTIN = /^:(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) ACCEPT \[0:0\]$/;

function normalized(text: string | null): string | null {
  if (text === null) return null;
  return text
    .split('\n')
    .filter((l) => !EMPTY_BUILTIN.test(l))
    .join('\n');
}

function fromFile(name: string): Record<Family, string | null> {
  const rs = loadRulesText(readFileSync(join(RULES, `${name}.rules`), 'utf8'), `rules/${name}.rules`, `profile:${name}`);
  return { ipv4: normalized(saveRuleset(rs, 'ipv4')), ipv6: normalized(saveRuleset(rs, 'ipv6')) };
}

function fromGenerator(o: IstioOptions): Record<Family, string | null> {
  const g = generateRules(o);
  const v4 = loadRulesText(g.restore.ipv4, 'generator-v4', 'generator');
  const v6 = g.restore.ipv6 === null ? null : loadRulesText(g.restore.ipv6, 'generator-v6', 'generator');
  expect(Object.keys(v4.families)).toEqual(['ipv4']);
  if (v6) expect(Object.keys(v6.families)).toEqual(['ipv6']);
  return { ipv4: normalized(saveRuleset(v4, 'ipv4')), ipv6: v6 ? normalized(saveRuleset(v6, 'ipv6')) : null };
}

describe('hand-written profiles agree with the generator', () => {
  it.each(Object.entries(HANDWRITTEN_PROFILES))('%s', (name, o) => {
    const file = fromFile(name);
    const generated = fromGenerator(o);
    expect(file.ipv4).toBe(generated.ipv4);
    expect(file.ipv6).toBe(generated.ipv6);
  });
});

describe('generated profiles', () => {
  it.each(GENERATED_PROFILES.map((p) => [p.name, p] as const))('%s loads to the generator rules and is up to date', (name, spec) => {
    const text = readFileSync(join(RULES, `${name}.rules`), 'utf8');
    expect(text).toBe(renderProfile(spec));
    const file = fromFile(name);
    const generated = fromGenerator(spec.options);
    expect(file.ipv4).toBe(generated.ipv4);
    expect(file.ipv6).toBe(generated.ipv6);
    const header = readProfileHeader(name, text);
    for (const k of ['title', 'versions', 'source', 'assumes'] as const) expect(header[k]).not.toBe('');
  });

  it('cover the profiles the brief asks for', () => {
    expect(GENERATED_PROFILES.map((p) => p.name).sort()).toEqual(
      ['istio-1.5', 'istio-1.13-dns', 'istio-1.13-tproxy', 'istio-1.13-cni', 'istio-1.25-dns', 'istio-1.25-cni', 'istio-1.25-tproxy'].sort(),
    );
  });
});
