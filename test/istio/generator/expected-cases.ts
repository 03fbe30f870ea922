/**
 * The runner of the generator's expected-output tables (test/data/generator-expected/*.yaml):
 * each case is an Istio configuration and what the generated restore input must hold. The
 * header of init.yaml says what each expectation means.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultIstioOptions, optionsFromAnnotations, type IstioOptions, type IstioVersion } from '../../../src/istio/generator/index.js';
import { ROOT } from '../../helpers/cli.js';
import { gen, goldenBase } from './helpers.js';

interface Expect {
  v4?: string;
  v6?: string | null;
  v4Contains?: string[];
  v6Contains?: string[];
  v4StartsWith?: string;
  v4EndsWith?: string;
  v4Lacks?: string[];
  v6Lacks?: string[];
  v4Lines?: { from: number; text: string };
  v4Grep?: { prefix: string; text: string };
  ip?: string[];
  notes?: string[];
  notesMatch?: string;
  notesLack?: string;
}

export const EXPECTATIONS = ['v4', 'v6', 'v4Contains', 'v6Contains', 'v4StartsWith', 'v4EndsWith', 'v4Lacks', 'v6Lacks', 'v4Lines', 'v4Grep', 'ip', 'notes', 'notesMatch', 'notesLack'];

export interface Case {
  group: string;
  name: string;
  base?: 'golden';
  version: IstioVersion;
  installer?: 'init' | 'cni';
  release?: string;
  annotations?: Record<string, string>;
  options?: Partial<IstioOptions>;
  expect: Expect;
}

export function readCases(file: string): Case[] {
  return parse(readFileSync(join(ROOT, 'test/data/generator-expected', file), 'utf8')) as Case[];
}

function optionsOf(c: Case): IstioOptions {
  const patch = { ...(c.release !== undefined ? { release: c.release } : {}), ...c.options };
  const base = c.base === 'golden' ? goldenBase(c.version, { installer: c.installer ?? 'init' }) : defaultIstioOptions(c.version, c.installer ?? 'init');
  const annotated = c.annotations ? optionsFromAnnotations(base, c.annotations) : base;
  return { ...annotated, ...patch };
}

/** The text's lines from..from+n-1 (1-based), as text with newlines. */
const linesOf = (text: string, from: number, n: number): string => `${text.split('\n').slice(from - 1, from - 1 + n).join('\n')}\n`;

export function checkCase(c: Case): void {
  const r = gen(optionsOf(c));
  const e = c.expect;
  const v6 = r.v6 ?? '';
  if (e.v4 !== undefined) expect(r.v4).toBe(e.v4);
  if (e.v6 !== undefined) expect(r.v6).toBe(e.v6);
  for (const f of e.v4Contains ?? []) expect(r.v4).toContain(f);
  for (const f of e.v6Contains ?? []) expect(v6).toContain(f);
  if (e.v4StartsWith !== undefined) expect(r.v4.slice(0, e.v4StartsWith.length)).toBe(e.v4StartsWith);
  if (e.v4EndsWith !== undefined) expect(r.v4.slice(-e.v4EndsWith.length)).toBe(e.v4EndsWith);
  for (const s of e.v4Lacks ?? []) expect(r.v4).not.toContain(s);
  for (const s of e.v6Lacks ?? []) expect(v6).not.toContain(s);
  if (e.v4Lines) expect(linesOf(r.v4, e.v4Lines.from, e.v4Lines.text.split('\n').length - 1)).toBe(e.v4Lines.text);
  if (e.v4Grep) expect(`${r.v4.split('\n').filter((l) => l.startsWith(e.v4Grep!.prefix)).join('\n')}\n`).toBe(e.v4Grep.text);
  if (e.ip !== undefined) expect(r.ip).toEqual(e.ip);
  if (e.notes !== undefined) expect(r.notes).toEqual(e.notes);
  if (e.notesMatch !== undefined) expect(r.notes.join('\n')).toMatch(new RegExp(e.notesMatch));
  if (e.notesLack !== undefined) expect(r.notes.join('\n')).not.toMatch(new RegExp(e.notesLack));
}

/** One describe per group, one test per case, and a check that every case expects something known. */
export function runCases(file: string): void {
  const cases = readCases(file);
  for (const group of new Set(cases.map((c) => c.group))) {
    describe(group, () => {
      it.each(cases.filter((c) => c.group === group).map((c) => [c.name, c] as const))('%s', (_name, c) => checkCase(c));
    });
  }
  it(`${file}: every case expects something, and only expectations the runner knows`, () => {
    for (const c of cases) {
      expect(Object.keys(c.expect).length, c.name).toBeGreaterThan(0);
      for (const k of Object.keys(c.expect)) expect(EXPECTATIONS, `${c.name}: ${k}`).toContain(k);
    }
  });
}
