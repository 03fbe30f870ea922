/**
 * Parse -> save round trips, as data tables in the style of iptables'
 * extensions/*.t files. Each line of test/data/roundtrip/*.t is
 *   [@table[/ipv6];]rule;expected-save-text-or-=;OK|FAIL
 * where `=` means "saved exactly as written" and FAIL means the parser must reject it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleSpec } from '../../src/sources/iptables/rule-spec.js';
import { tokenize } from '../../src/sources/iptables/tokenize.js';
import { readRoundtripTables } from '../helpers/roundtrip-tables.js';

const DIR = join(import.meta.dirname, '../data/roundtrip');

const loadCases = () => readRoundtripTables(DIR);

describe('parse -> save round trip', () => {
  const cases = loadCases();
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  for (const c of cases) {
    it(`${c.file}:${c.line} ${c.input} (${c.ok ? 'OK' : 'FAIL'})`, () => {
      const run = () => parseRuleSpec(tokenize(c.input), { family: c.family, table: c.table }).map((r) => r.text).join(' || ');
      if (c.ok) expect(run()).toBe(c.expected);
      else expect(run).toThrow();
    });
  }
});
