/**
 * The random rule-set generator of `npm run fuzz:kernel` (fuzz/kernel/), without the kernel:
 * the same seed gives the same text, most rule sets load, and over a few hundred cases the
 * generic shape uses every match and target module the engine registers (with and without `!`
 * where the module takes it), so a new module shows up here until the generator learns it.
 */
import { describe, expect, it } from 'vitest';
import { randomCase } from '../../fuzz/kernel/cases.js';
import { clauses } from '../../fuzz/kernel/minimise.js';
import { engineLoad } from '../../fuzz/kernel/replay.js';
import { renderRuleSet } from '../../fuzz/kernel/ruleset-text.js';
import { MATCHES } from '../../src/core/matches/registry.js';
import { TARGETS } from '../../src/core/targets/registry.js';

/** Left out on purpose (see fuzz/kernel/generic.ts): ipsets do not exist in the namespace; TRACE is the harness's own nftrace. */
const NOT_GENERATED = { matches: ['set'], targets: ['TRACE'] };

describe('fuzz:kernel generator', () => {
  it('is deterministic: the same seed and index give byte-identical rules and flows', () => {
    for (const i of [0, 1, 7, 42]) {
      const a = randomCase(9, i, 'both');
      const b = randomCase(9, i, 'both');
      expect(renderRuleSet(a.rules)).toBe(renderRuleSet(b.rules));
      expect(a.flows).toEqual(b.flows);
    }
    expect(renderRuleSet(randomCase(9, 0, 'generic').rules)).not.toBe(renderRuleSet(randomCase(10, 0, 'generic').rules));
  });

  it('makes mostly loadable rule sets of both shapes, each with 2 to 4 flows', () => {
    for (const shape of ['istio', 'generic'] as const) {
      let loads = 0;
      for (let i = 0; i < 60; i++) {
        const c = randomCase(3, i, shape);
        expect(c.shape).toBe(shape);
        expect(c.flows.length).toBeGreaterThanOrEqual(2);
        expect(c.flows.length).toBeLessThanOrEqual(4);
        if (engineLoad(c.rules).ok) loads++;
      }
      // A small share is refused on purpose (a rule outside its hooks or tables).
      expect(loads, shape).toBeGreaterThanOrEqual(45);
    }
  });

  it('uses every registered match and target, matches with and without "!"', () => {
    const text = Array.from({ length: 300 }, (_, i) => renderRuleSet(randomCase(5, i, 'generic').rules)).join('');
    for (const name of Object.keys(MATCHES).filter((m) => !NOT_GENERATED.matches.includes(m))) {
      expect(text, `-m ${name}`).toMatch(new RegExp(`-m ${name} `));
      const m = MATCHES[name as keyof typeof MATCHES];
      if (m.options.some((o) => o.invertible)) expect(text, `-m ${name} ... !`).toMatch(new RegExp(`-m ${name} (\\S+ )*?! --`));
    }
    for (const name of Object.keys(TARGETS).filter((t) => !NOT_GENERATED.targets.includes(t))) {
      expect(text, `-j ${name}`).toMatch(new RegExp(`-j ${name}( |\\n)`));
    }
    for (const table of ['raw', 'mangle', 'nat', 'filter', 'security']) expect(text).toContain(`*${table}\n`);
    expect(text).toMatch(/-g FZ_/);
    expect(text).toMatch(/:(INPUT|OUTPUT|PREROUTING) DROP/);
  });

  it('splits a rule into removable clauses, keeping `!` with its option and the target whole', () => {
    expect(clauses('-p tcp ! -d 127.0.0.1/32 -m owner ! --uid-owner 1337 -m comment --comment "a b" -j REDIRECT --to-ports 15001')).toEqual({
      clauses: ['-p tcp', '! -d 127.0.0.1/32', '-m owner ! --uid-owner 1337', '-m comment --comment "a b"'],
      target: '-j REDIRECT --to-ports 15001',
    });
  });
});
