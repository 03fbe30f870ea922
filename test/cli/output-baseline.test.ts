/**
 * Old-vs-new output (issue #13): every case of scripts/output-baseline.mjs (profiles, fixtures,
 * examples, generated releases, `--scenario all`, a flow matrix, every format) run through
 * src/ must give the baseline's bytes (the code before #13), except the changes listed in
 * test/data/output-baseline/expected-changes.json with their kernel disagreement class.
 * Regenerate with `UPDATE_BASELINE=1 npx vitest run test/output-baseline.test.ts` (or the script's --update).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script, shared with the command line; no type declarations.
import * as baseline from '../../scripts/output-baseline.mjs';
import { boundedChunks, readChunks } from '../../src/cli/input-reader.js';
import { run } from '../../src/cli/run.js';
import { ROOT } from '../helpers/cli.js';

interface Case {
  id: string;
  args: string[];
}

describe('output baseline', () => {
  const cases: Case[] = baseline.listCases(ROOT);

  it('covers every profile, every rule fixture, the examples and every format', () => {
    const ids = cases.map((c) => c.id);
    for (const p of readdirSync(`${ROOT}/rules`).filter((n) => n.endsWith('.rules'))) {
      expect(ids).toContain(`--profile ${p.slice(0, -6)} --scenario all --format dot --no-color`);
    }
    expect(ids).toContain('--rules test/fixtures/kernel-traces.rules --flows test/data/output-baseline/flows.jsonl --format json --no-color');
    expect(ids).toContain('check examples/expectations.yaml --format json --no-color');
    expect(ids).toContain('--pod examples/reviews-pod.yaml --scenario all --format mermaid --no-color');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('expected-changes.json names a known class and a reason for every entry', () => {
    expect(baseline.expectedProblems(baseline.readBaseline(ROOT).expected)).toEqual([]);
  });

  it('gives the baseline bytes, apart from the listed kernel disagreements', async () => {
    const update = process.env.UPDATE_BASELINE === '1';
    // The baseline's cases only: a new input (a fixture added since) is reported, not run.
    const known = new Set(Object.keys(baseline.readBaseline(ROOT).manifest.cases));
    const runner = baseline.cliRunner({ run, readChunks, boundedChunks }, ROOT);
    const results = await baseline.runCases(update ? cases : cases.filter((c) => known.has(c.id)), runner);
    if (update) {
      // Accept the current outputs as the new baseline (as the script's --update does).
      baseline.writeBaseline(results, execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(), ROOT);
    }
    const stored = baseline.readBaseline(ROOT);
    const cmp = baseline.compare(stored, results, cases.map((c) => c.id));
    const r = baseline.report(stored, results, cmp);
    console.log(r.text.split('\n').at(-1));
    expect(r.ok, r.text).toBe(true);
  }, 120_000);
});
