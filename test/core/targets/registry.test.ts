/**
 * Every registered target is findable, tested, and has a round-trip table:
 * test/core/targets/<file>.test.ts and test/data/roundtrip/target-<file>.t, where
 * <file> is the module's lower-case name (ACCEPT, DROP and RETURN share "standard").
 * Round-trip files carry a "target-" prefix so they never collide with a match
 * of the same name on a case-insensitive file system (MARK vs -m mark).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTarget, TARGETS } from '../../../src/core/targets/registry.js';
import { UNMODELLED_TARGETS } from '../../../src/core/unmodelled-extensions.js';
import type { TargetModule } from '../../../src/core/targets/define.js';
import { HOOKS, TABLES } from '../../../src/core/types.js';

const STANDARD = new Set(['ACCEPT', 'DROP', 'RETURN']);
const fileOf = (name: string) => (STANDARD.has(name) ? 'standard' : name.toLowerCase());
const entries = Object.entries(TARGETS) as Array<[string, TargetModule<unknown>]>;

describe('target registry', () => {
  it.each(entries)('%s is registered under its own name and found by findTarget', (key, module) => {
    expect(module.name).toBe(key);
    expect(findTarget(key)).toBe(module);
    expect(UNMODELLED_TARGETS.has(key)).toBe(false);
  });

  it.each(entries)('%s names only real tables and hooks', (_key, module) => {
    for (const t of module.tables ?? []) expect(TABLES).toContain(t);
    for (const h of module.hooks ?? []) expect(HOOKS).toContain(h);
  });

  it.each(entries)('%s has a test file that exercises it', (key) => {
    const path = join(import.meta.dirname, `${fileOf(key)}.test.ts`);
    expect(existsSync(path), path).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain(`-j ${key}`);
  });

  it.each(entries)('%s has a round-trip table with OK and FAIL lines', (key) => {
    const path = join(import.meta.dirname, '../../data/roundtrip', `target-${fileOf(key)}.t`);
    expect(existsSync(path), path).toBe(true);
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.includes(`-j ${key}`));
    expect(lines.some((l) => l.endsWith(';OK'))).toBe(true);
    expect(lines.some((l) => l.endsWith(';FAIL'))).toBe(true);
  });
});
