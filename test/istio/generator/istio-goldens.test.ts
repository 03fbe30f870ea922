/**
 * Istio's own golden files (test/data/istio-goldens/<tag>/, imported by
 * scripts/import-istio-goldens.mjs) as the generator's oracle. For every
 * golden: it loads with the CLI's loader; for every test case that produced
 * it, the generator given that case's configuration (from the tag's manifest)
 * makes the same rules, in the same order per chain, compared in save form
 * per family. Goldens and cases the generator cannot express carry the reason
 * in their manifest (`notExpressible`); the test checks those are exactly what fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRulesText } from '../../../src/sources/rule-text.js';
import { InputError } from '../../../src/core/errors.js';
import { saveRuleset } from '../../../src/sources/iptables/save.js';
import type { Ruleset } from '../../../src/core/ruleset/model.js';
import type { Family } from '../../../src/core/types.js';
import { defaultIstioOptions, generateRules, optionsFromAnnotations, parseIstioVersion, type IstioOptions } from '../../../src/istio/generator/index.js';
import { istioConfigFromFlags, optionsFromIstioConfig, type IstioConfigValue } from '../../../src/istio/generator/istio-config.js';

const ROOT = join(import.meta.dirname, '../../data/istio-goldens');

/** `notExpressible` / `notRuleSet`: written by hand (the import keeps them), the reason the generator cannot make it. */
interface Case {
  test: string;
  config: Record<string, unknown>;
  notExpressible?: string;
}
interface Manifest {
  tag: string;
  commit: string;
  files: { file: string; source: string; cases: Case[]; notExpressible?: string; notRuleSet?: string }[];
  notes: string[];
}

const index = JSON.parse(readFileSync(join(ROOT, 'index.json'), 'utf8')) as { tags: string[]; missing: string[] };
const manifests = index.tags.map((t) => JSON.parse(readFileSync(join(ROOT, t, 'manifest.json'), 'utf8')) as Manifest);
/** Every listed golden (tag/file) and case (tag/file#test) with its reason: the test checks this is exactly what fails. */
const notExpressible: Record<string, string> = {};
for (const m of manifests) {
  for (const f of m.files) {
    if (f.notExpressible) notExpressible[`${m.tag}/${f.file}`] = f.notExpressible;
    for (const c of f.cases) if (c.notExpressible) notExpressible[`${m.tag}/${f.file}#${c.test}`] = c.notExpressible;
  }
}

/** The generator options for one test case of a golden, by the test that owns it. */
function optionsFor(tag: string, file: string, c: Case): IstioOptions {
  const { version } = parseIstioVersion(tag);
  if (file.startsWith('cni-plugin/')) {
    const cfg = c.config as { annotations: Record<string, string>; proxyEnv: Record<string, string>; runAsUser?: number; runAsGroup?: number };
    const o = optionsFromAnnotations({ ...defaultIstioOptions(version, 'cni'), release: tag }, cfg.annotations);
    // The plugin reads these from the istio-proxy container: its env and its securityContext (0 = keep 1337).
    if (cfg.proxyEnv.ISTIO_META_DNS_CAPTURE === 'true') o.dnsCapture = true;
    if (cfg.proxyEnv.INVALID_DROP === 'true') o.dropInvalid = true;
    if (cfg.runAsUser) o.proxyUid = [cfg.runAsUser];
    if (cfg.runAsGroup) o.proxyGid = [cfg.runAsGroup];
    return o;
  }
  const base = { ...defaultIstioOptions(version, 'init'), release: tag };
  const config = file.startsWith('scripts/') ? istioConfigFromFlags(String(c.config.flags)) : (c.config as Record<string, IstioConfigValue>);
  return optionsFromIstioConfig(base, config);
}

/** The dependency stub's state checks that frame restore input in 1.24+ goldens. */
const STUB = /^ip6?tables-save$/;
const RESTORE_FORM = /^iptables-save\nip6tables-save\n\* /;
const EMPTY_BUILTIN = /^:(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) ACCEPT \[0:0\]$/;
/** Save form without the header/footer comments and empty built-in declarations (restore input names only the chains it touches). */
function saved(rs: Ruleset, family: Family): string {
  const text = saveRuleset(rs, family);
  if (text === null) return '';
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !EMPTY_BUILTIN.test(l));
  // A table left with no chains and no rules is the same as no table.
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('*') && lines[i + 1] === 'COMMIT') {
      i++;
      continue;
    }
    out.push(lines[i]!);
  }
  return out.join('\n');
}

function generatedSaveForms(o: IstioOptions): Record<Family, string> {
  const g = generateRules(o);
  const v4 = loadRulesText(g.restore.ipv4, 'generator-v4', 'generator');
  const v6 = g.restore.ipv6 === null ? null : loadRulesText(g.restore.ipv6, 'generator-v6', 'generator');
  return { ipv4: saved(v4, 'ipv4'), ipv6: v6 ? saved(v6, 'ipv6') : '' };
}

/** Lines only in the golden (-) or only in the generator's output (+); a pure reordering shows as the whole text. */
function diff(golden: string, generated: string): string {
  const a = golden.split('\n');
  const b = generated.split('\n');
  const only = (x: string[], y: string[]): string[] => x.filter((l) => !y.includes(l));
  const d = [...only(a, b).map((l) => `- ${l}`), ...only(b, a).map((l) => `+ ${l}`)];
  return d.length ? d.join('\n') : `same rules, other order:\n--- golden\n${golden}\n+++ generator\n${generated}`;
}

interface Count {
  files: number;
  loaded: number;
  cases: number;
  reproduced: number;
  /** Of those, restore-form goldens whose restore input is also the same byte for byte. */
  restoreExact: number;
  notExpressible: number;
}
const counts = new Map<string, Count>();
const failing = new Set<string>();

for (const m of manifests) {
  const count: Count = { files: m.files.length, loaded: 0, cases: 0, reproduced: 0, restoreExact: 0, notExpressible: 0 };
  counts.set(m.tag, count);
  describe(`Istio ${m.tag} goldens (${m.commit.slice(0, 12)})`, () => {
    if (m.files.length === 0) {
      it('has no golden files, and the manifest says why', () => {
        expect(m.notes.length).toBeGreaterThan(0);
      });
      return;
    }
    for (const f of m.files) {
      const text = readFileSync(join(ROOT, m.tag, f.file), 'utf8');
      const key0 = `${m.tag}/${f.file}`;
      if (f.notRuleSet) {
        it(`${f.file} is no rule set and is refused with one clear error (${f.notRuleSet})`, () => {
          expect(() => loadRulesText(text, f.file, 'golden')).toThrow(InputError);
        });
      } else {
        it(`${f.file} loads`, () => {
          const rs = loadRulesText(text, f.file, 'golden');
          expect(Object.keys(rs.families).length).toBeGreaterThan(0);
          count.loaded++;
        });
      }
      if (f.cases.length === 0) {
        it(`${f.file}: no test case uses it, so it is listed as not expressible`, () => {
          expect(notExpressible[key0]).toBeTruthy();
          count.notExpressible++;
          failing.add(key0);
        });
      }
      for (const c of f.cases) {
        const key = `${key0}#${c.test}`;
        it(`${f.file} (${c.test}) is reproduced by the generator${notExpressible[key] ? ' — or listed: ' + notExpressible[key] : ''}`, () => {
          count.cases++;
          let same = false;
          let detail = '';
          try {
            const gen = generatedSaveForms(optionsFor(m.tag, f.file, c));
            const golden = loadRulesText(text, f.file, 'golden');
            const want: Record<Family, string> = { ipv4: saved(golden, 'ipv4'), ipv6: saved(golden, 'ipv6') };
            same = gen.ipv4 === want.ipv4 && gen.ipv6 === want.ipv6;
            if (!same) detail = diff(`${want.ipv4}\n${want.ipv6}`, `${gen.ipv4}\n${gen.ipv6}`);
          } catch (e) {
            detail = (e as Error).message;
          }
          // Restore-form goldens (1.24+: between the stub's iptables-save lines) are the restore input itself: compare byte for byte.
          if (!detail && RESTORE_FORM.test(text)) {
            const g = generateRules(optionsFor(m.tag, f.file, c));
            const input = text.split('\n').filter((l) => !STUB.test(l)).join('\n');
            const mine = `${g.restore.ipv4}${g.restore.ipv6 ?? ''}`;
            if (input.trim() !== mine.trim()) detail = `restore input differs (same rules per chain):\n--- golden\n${input}\n+++ generator\n${mine}`;
            else count.restoreExact++;
          }
          if (notExpressible[key]) {
            // Listed: it must really fail, so the list cannot hide a golden that now passes.
            expect(same, `${key} is listed as not expressible but is reproduced; remove notExpressible from its manifest`).toBe(false);
            count.notExpressible++;
            failing.add(key);
            return;
          }
          // A plain Error keeps the whole diff in the report (an expect() message is cut short).
          if (detail) throw new Error(`${key} differs from the golden:\n${detail}`);
          count.reproduced++;
        });
      }
    }
  });
}

describe('the not-expressible list', () => {
  it('names only goldens and cases that exist and fail', () => {
    // Runs after the corpus (vitest runs a file's tests in order).
    expect([...failing].sort()).toEqual(Object.keys(notExpressible).sort());
  });
});

afterAll(() => {
  const lines = [...counts].map(
    ([tag, c]) => `  ${tag.padEnd(12)} files ${String(c.files).padStart(2)}, loaded ${String(c.loaded).padStart(2)}, cases ${String(c.cases).padStart(2)}, reproduced ${String(c.reproduced).padStart(2)} (restore input byte for byte ${String(c.restoreExact).padStart(2)}), not expressible ${c.notExpressible}`,
  );
  const missing = index.missing.length ? `\n  not in the Istio snapshot: ${index.missing.join(', ')}` : '';
  process.stdout.write(`\nIstio golden corpus:\n${lines.join('\n')}${missing}\n`);
});
