/**
 * Issue 12 F7: -I, -D and -R edit a chain in O(log n) (rule-list.ts), with
 * iptables-restore's semantics unchanged. A random sequence of operations, with
 * repeated rule texts, is checked against a plain array doing what iptables does;
 * 100,000 inserts at the top and 20,000 deletes by text in reverse order load.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript shared with the fuzz harness
import { manyDeletes, manyInserts } from '../../fuzz/hostile-inputs.mjs';
import type { Rule } from '../../src/core/ruleset/model.js';
import { RuleList } from '../../src/core/ruleset/rule-list.js';
import { rulesetOf } from '../helpers/rules.js';
import { rng } from '../../bench/generate.js';


const chainOf = (text: string) => rulesetOf(text).families.ipv4!.tables.get('filter')!.chains.get('OUTPUT')!;

describe('-I, -D and -R against a plain array model', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('random edit sequence %i gives the same rules and source lines', (seed) => {
    const r = rng(seed);
    const lines = ['*filter', ':OUTPUT ACCEPT [0:0]'];
    // The model: each rule's spec and the line that made it, in chain order.
    let model: Array<{ spec: string; line: number }> = [];
    // Few distinct texts, so deletes by text often meet repeats (the first must go).
    const spec = () => `-p tcp -m tcp --dport ${1 + Math.floor(r() * 12)} -j ACCEPT`;
    for (let i = 0; i < 600; i++) {
      const line = lines.length + 1;
      const x = r();
      if (x < 0.3 || model.length === 0) {
        const s = spec();
        lines.push(`-A OUTPUT ${s}`);
        model.push({ spec: s, line });
      } else if (x < 0.55) {
        const s = spec();
        const pos = 1 + Math.floor(r() * (model.length + 1));
        lines.push(`-I OUTPUT ${pos} ${s}`);
        model.splice(pos - 1, 0, { spec: s, line });
      } else if (x < 0.7) {
        const pos = 1 + Math.floor(r() * model.length);
        lines.push(`-D OUTPUT ${pos}`);
        model.splice(pos - 1, 1);
      } else if (x < 0.88) {
        // A text that is there (most often), deleted at its first occurrence.
        const s = model[Math.floor(r() * model.length)]!.spec;
        lines.push(`-D OUTPUT ${s}`);
        model.splice(model.findIndex((m) => m.spec === s), 1);
      } else if (x < 0.99) {
        const s = spec();
        const pos = 1 + Math.floor(r() * model.length);
        lines.push(`-R OUTPUT ${pos} ${s}`);
        model[pos - 1] = { spec: s, line };
      } else {
        lines.push('-F OUTPUT');
        model = [];
      }
    }
    lines.push('COMMIT');
    const chain = chainOf(lines.join('\n'));
    expect(chain.rules.map((x) => `${x.provenance.line} ${x.text}`)).toEqual(model.map((m) => `${m.line} -A OUTPUT ${m.spec}`));
  });
  it('-D by text removes the first of identical rules, whichever way they came in', () => {
    const chain = chainOf(['*filter', '-A OUTPUT -j ACCEPT', '-I OUTPUT 1 -j ACCEPT', '-A OUTPUT -j DROP', '-I OUTPUT 2 -j ACCEPT', '-D OUTPUT -j ACCEPT', 'COMMIT'].join('\n'));
    // Before the delete: line 3, line 5, line 2 (all ACCEPT), line 4 (DROP).
    expect(chain.rules.map((x) => `${x.provenance.line} ${x.text}`)).toEqual(['5 -A OUTPUT -j ACCEPT', '2 -A OUTPUT -j ACCEPT', '4 -A OUTPUT -j DROP']);
  });
  it('appends after an edit land after the edited rules; a missing rule to delete is refused', () => {
    const chain = chainOf(['*filter', '-A OUTPUT -j DROP', '-I OUTPUT -j ACCEPT', '-A OUTPUT -j RETURN', '-D OUTPUT 1', 'COMMIT'].join('\n'));
    expect(chain.rules.map((x) => x.text)).toEqual(['-A OUTPUT -j DROP', '-A OUTPUT -j RETURN']);
    expect(() => chainOf('*filter\n-A OUTPUT -j DROP\n-D OUTPUT -j DROP\n-D OUTPUT -j DROP\nCOMMIT')).toThrow(/no rule "-A OUTPUT -j DROP" to delete in OUTPUT/);
  });
});

describe('RuleList against a plain array', () => {
  it('200 random sequences of insert, remove, replace and remove-first-by-text agree after every operation', () => {
    const r = rng(42);
    let id = 0;
    // Only text is read by RuleList; id tells equal texts apart.
    const rule = () => ({ text: `t${Math.floor(r() * 4)}`, id: id++ }) as unknown as Rule & { id: number };
    for (let trial = 0; trial < 200; trial++) {
      const model: Array<Rule & { id: number }> = [];
      const list = new RuleList([]);
      for (let op = 0; op < 60; op++) {
        const x = r();
        if (x < 0.4 || model.length === 0) {
          const at = Math.floor(r() * (model.length + 1));
          const n = rule();
          model.splice(at, 0, n);
          list.insert(at, [n]);
        } else if (x < 0.6) {
          const at = Math.floor(r() * model.length);
          model.splice(at, 1);
          list.removeAt(at);
        } else if (x < 0.8) {
          const text = model[Math.floor(r() * model.length)]!.text;
          model.splice(model.findIndex((m) => m.text === text), 1);
          expect(list.removeFirstWithText(text)).toBe(true);
        } else {
          const at = Math.floor(r() * model.length);
          const n = rule();
          model[at] = n;
          list.replaceAt(at, n);
        }
        expect(list.toArray().map((m) => (m as Rule & { id: number }).id), `trial ${trial} op ${op}`).toEqual(model.map((m) => m.id));
      }
      expect(list.removeFirstWithText('absent')).toBe(false);
    }
  });
});

describe('long runs of edits', () => {
  it('100,000 "-I OUTPUT 1" lines load, last inserted first', () => {
    const chain = chainOf(manyInserts(100_000) as string);
    expect(chain.rules).toHaveLength(100_000);
    expect(chain.rules[0]!.text).toBe('-A OUTPUT -p tcp -m tcp --dport 34465 -m comment --comment r99999 -j ACCEPT');
    expect(chain.rules[99_999]!.text).toBe('-A OUTPUT -p tcp -m tcp --dport 1 -m comment --comment r0 -j ACCEPT');
  });
  it('20,000 rules deleted by text in reverse order leave the chain empty', () => {
    expect(chainOf(manyDeletes(20_000) as string).rules).toHaveLength(0);
  });
});
