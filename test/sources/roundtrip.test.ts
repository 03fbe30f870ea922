/**
 * Parse -> save round trips, as data tables in the style of iptables'
 * extensions/*.t files. Each line of test/data/roundtrip/*.t is
 *   [@table[/ipv6];]rule;expected-save-text-or-=;OK|FAIL
 * where `=` means "saved exactly as written" and FAIL means the parser must reject it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleSpec } from '../../src/sources/iptables/rule-spec.js';
import { tokenize } from '../../src/sources/iptables/tokenize.js';
import type { Family, TableName } from '../../src/core/types.js';

const DIR = join(import.meta.dirname, '../data/roundtrip');

interface Case {
  file: string;
  line: number;
  table: TableName;
  family: Family;
  input: string;
  expected: string;
  ok: boolean;
}

function loadCases(): Case[] {
  const cases: Case[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.t')).sort()) {
    let table: TableName = 'filter';
    let family: Family = 'ipv4';
    readFileSync(join(DIR, file), 'utf8')
      .split('\n')
      .forEach((raw, idx) => {
        const line = raw.trim();
        if (!line || line.startsWith('#')) return;
        if (line.startsWith('@')) {
          const [t, f] = line.slice(1).split('/');
          table = t as TableName;
          family = f === 'ipv6' ? 'ipv6' : 'ipv4';
          return;
        }
        const lastSemi = line.lastIndexOf(';');
        const status = line.slice(lastSemi + 1);
        const rest = line.slice(0, lastSemi);
        const mid = rest.lastIndexOf(';');
        const input = rest.slice(0, mid);
        const expected = rest.slice(mid + 1);
        cases.push({ file, line: idx + 1, table, family, input, expected: expected === '=' ? input : expected, ok: status === 'OK' });
      });
  }
  return cases;
}

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
