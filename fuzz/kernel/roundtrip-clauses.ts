/**
 * Clauses for any registered module, taken from its round-trip table
 * (test/data/roundtrip/NAME.t and target-NAME.t, iptables' own `extensions/*.t` format).
 * Every module must have that table, so a module added to a registry is generated here at
 * once: adding a module touches its own file, its registry line, its tests and its `.t`,
 * not this generator. The hand-written clauses of generic.ts stay, because they draw values
 * from the flows and so match more often.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MATCHES } from '../../src/core/matches/registry.js';
import { TARGETS } from '../../src/core/targets/registry.js';
import type { HookName, TableName } from '../../src/core/types.js';
import { readRoundtripTable } from '../../test/helpers/roundtrip-tables.js';

export interface TableClause {
  /** `-m NAME …` or `-j NAME …`, as the table writes it. */
  text: string;
  /** The `-p` the line gives (its options may need it), or null. */
  proto: string | null;
  /** The table the `.t` section names (`@nat`; filter before any section). */
  table: TableName;
}

export interface ModuleClauses {
  name: string;
  hooks: readonly HookName[] | null;
  tables: readonly TableName[] | null;
  clauses: TableClause[];
}

function projectRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test/data/roundtrip'))) return dir;
    if (dirname(dir) === dir) throw new Error('fuzz:kernel: cannot find test/data/roundtrip above ' + fileURLToPath(import.meta.url));
  }
}

/** The part of a rule line that starts at `start` and runs to the next `-m`, `-j` or `-g`. */
function clauseAt(line: string, start: number): string {
  const rest = line.slice(start);
  const next = /(?: (?:! )?-(?:m|j|g) )/.exec(rest.slice(3));
  return (next ? rest.slice(0, next.index + 3) : rest).trim();
}

function protoOf(line: string): string | null {
  const m = /(?:^| )-p (\S+)/.exec(line);
  return m && !/! -p /.test(line) ? m[1]! : null;
}

function load(kind: 'match' | 'target'): ModuleClauses[] {
  const dir = join(projectRoot(), 'test/data/roundtrip');
  const files = new Set(readdirSync(dir));
  const registry: Record<string, { name: string; hooks?: unknown; tables?: readonly TableName[]; probability?: unknown }> = kind === 'match' ? MATCHES : TARGETS;
  const out: ModuleClauses[] = [];
  for (const mod of Object.values(registry)) {
    // A chance match (statistic) is drawn by generic.ts with certain values only: the kernel
    // rolls its own dice, and one replay cannot be compared with one branch of the engine's.
    if ('probability' in mod && mod.probability !== undefined) continue;
    const file = kind === 'match' ? `${mod.name}.t` : `target-${mod.name.toLowerCase()}.t`;
    if (!files.has(file)) continue;
    const marker = kind === 'match' ? `-m ${mod.name} ` : `-j ${mod.name}`;
    const clauses: TableClause[] = [];
    for (const { input: line, table, ok } of readRoundtripTable(dir, file)) {
      if (!ok) continue;
      const at = line.indexOf(marker);
      if (at < 0) continue;
      const text = kind === 'match' ? clauseAt(line, at) : line.slice(at).trim();
      // Names of things that exist only on the host that loads the rules (accounts; CT timeout
      // policies and helpers, created beforehand with nfct): the test namespace has none.
      if (/--(?:uid|gid)-owner (?!root\b)[A-Za-z_]|--timeout |--helper /.test(text)) continue;
      clauses.push({ text, proto: protoOf(line), table });
    }
    // A hook limit that depends on the options (addrtype) is left to the kernel's refusal check.
    const hooks = Array.isArray(mod.hooks) ? (mod.hooks as HookName[]) : null;
    if (clauses.length) out.push({ name: mod.name, hooks, tables: mod.tables ?? null, clauses });
  }
  return out;
}

let cache: { match: ModuleClauses[]; target: ModuleClauses[] } | null = null;

export function roundtripClauses(): { match: ModuleClauses[]; target: ModuleClauses[] } {
  cache ??= { match: load('match'), target: load('target') };
  return cache;
}
