/**
 * The round-trip tables (test/data/roundtrip/*.t), in the style of iptables'
 * extensions/*.t files. Each line is
 *   [@table[/ipv6]]  or  rule;expected-save-text-or-=;OK|FAIL
 * where `=` means "saved exactly as written" and FAIL means the parser must reject it.
 * Read by the round-trip test and by the kernel fuzzer (which draws clauses from the OK lines).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Family, TableName } from '../../src/core/types.js';

export interface RoundtripCase {
  file: string;
  line: number;
  table: TableName;
  family: Family;
  input: string;
  expected: string;
  ok: boolean;
}

/** Every case of every `.t` file in `dir`, files in name order. */
export function readRoundtripTables(dir: string): RoundtripCase[] {
  const cases: RoundtripCase[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.t')).sort()) cases.push(...readRoundtripTable(dir, file));
  return cases;
}

/** The cases of one `.t` file; the section header `@table[/ipv6]` sets table and family. */
export function readRoundtripTable(dir: string, file: string): RoundtripCase[] {
  const cases: RoundtripCase[] = [];
  let table: TableName = 'filter';
  let family: Family = 'ipv4';
  readFileSync(join(dir, file), 'utf8')
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
      // The last two ';' separate the fields: a rule may hold ';' itself (in a quoted comment).
      const lastSemi = line.lastIndexOf(';');
      const status = line.slice(lastSemi + 1);
      const rest = line.slice(0, lastSemi);
      const mid = rest.lastIndexOf(';');
      const input = rest.slice(0, mid);
      const expected = rest.slice(mid + 1);
      cases.push({ file, line: idx + 1, table, family, input, expected: expected === '=' ? input : expected, ok: status === 'OK' });
    });
  return cases;
}
