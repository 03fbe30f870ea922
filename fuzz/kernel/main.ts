/**
 * `npm run fuzz:kernel -- --count N --seed S [--parallel P] [--shape istio|generic|both]
 *  [--minimise] [--out DIR] [--index I …] [--print]`: random rule sets and flows, traced by the engine and
 * replayed on the kernel, compared hop by hop. Prints the seed and a summary; writes every
 * disagreement as a reproducer rule file (minimised with --minimise) to DIR. Needs root.
 * Exit 0: no disagreement; 1: some; 2: bad usage or cannot run here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCapabilities, removeStaleNamespaces } from '../../src/verify/index.js';
import { randomCase, type ShapeChoice } from './cases.js';
import { engineLoad } from './replay.js';
import { countBy, runCampaign, summaryLines, type Disagreement } from './campaign.js';
import { minimise } from './minimise.js';
import { flowArgs, reproducerText } from './report.js';
import { kernelRules } from './replay.js';
import { renderRuleSet, type RuleSetText } from './ruleset-text.js';

/** The line iptables-restore names in its refusal ("line 16: RULE_APPEND failed …"), from the text it was given. */
function refusedLine(rules: RuleSetText, message: string): string | null {
  const n = /line (\d+):/.exec(message)?.[1];
  const text = kernelRules(rules)[/ip6tables/.test(message) ? 'ipv6' : 'ipv4'];
  return n && text ? (text.split('\n')[Number(n) - 1] ?? null) : null;
}

const fail = (message: string): never => {
  process.stderr.write(`sidecar-trace fuzz:kernel: ${message}\n`);
  process.exit(2);
};

const argv = process.argv.slice(2);
const KNOWN = new Set(['count', 'seed', 'parallel', 'shape', 'out', 'index', 'minimise', 'minimise-per-class', 'print']);
for (const a of argv) if (a.startsWith('--') && !KNOWN.has(a.slice(2))) fail(`unknown option ${a}`);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fail(`--${name} needs a value`)) : undefined;
};
const int = (name: string, dflt: number, min: number): number => {
  const v = value(name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min) fail(`--${name}: "${v}" is not a whole number >= ${min}`);
  return Number(v);
};
const seed = int('seed', Date.now() % 1_000_000, 0);
const count = int('count', 20, 1);
const parallel = int('parallel', 4, 1);
const perClass = int('minimise-per-class', 2, 1);
const shape = (value('shape') ?? 'both') as ShapeChoice;
if (!['istio', 'generic', 'both'].includes(shape)) fail(`--shape: "${shape}" is not istio, generic or both`);
const indices = argv.flatMap((a, i) => (a === '--index' ? [Number(argv[i + 1])] : []));
if (indices.some((i) => !Number.isInteger(i) || i < 0)) fail('--index: expected a case number (0 or more)');
const outDir = value('out') ?? join(tmpdir(), `sidecar-trace-fuzz-kernel-seed${seed}`);

// --print: the cases' rules and flows, and whether the engine loads them; no kernel, no root.
if (argv.includes('--print')) {
  for (const i of indices.length ? indices : Array.from({ length: count }, (_, k) => k)) {
    const c = randomCase(seed, i, shape);
    const loaded = engineLoad(c.rules);
    console.log(`### seed ${seed} index ${i}: ${c.title}; engine: ${loaded.ok ? 'loads' : loaded.message}`);
    process.stdout.write(renderRuleSet(c.rules));
    for (const f of c.flows) console.log(`# flow: ${f.title}: ${flowArgs(f)}`);
  }
  process.exit(0);
}

const caps = checkCapabilities();
if (!caps.ok) fail(`needs root on Linux with iptables-nft, nft and ip: ${caps.message}`);
const standinScript = fileURLToPath(new URL('./standin.js', import.meta.url));

await removeStaleNamespaces(caps.ok ? caps.tools.ip : 'ip');
const list = indices.length ? indices : Array.from({ length: count }, (_, i) => i);
console.log(`fuzz:kernel: seed ${seed}, ${list.length} rule sets, shape ${shape}, ${parallel} in parallel (replay one: --seed ${seed} --index I)`);
const tally = await runCampaign({
  seed,
  indices: list,
  shape,
  parallel,
  standinScript,
  onProgress: (done, total, t) => process.stderr.write(`\r${done}/${total} rule sets, ${t.flows} flows, ${t.disagreements.length} disagreements `),
});
process.stderr.write('\n');
for (const line of summaryLines(tally)) console.log(line);

mkdirSync(outDir, { recursive: true });
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
const write = (name: string, d: Disagreement, rules = d.case.rules, comparisons = d.comparisons, firstDifference = d.firstDifference) =>
  writeFileSync(
    join(outDir, `${name}.rules`),
    reproducerText({ name, origin: `seed ${seed} index ${d.caseIndex} flow ${d.flowIndex} (${d.case.title})`, cls: d.cls, rules, flow: d.flow, comparisons, firstDifference }),
  );
for (const d of tally.disagreements) write(`case-${d.caseIndex}-flow-${d.flowIndex}`, d);
for (const r of tally.refusalDisagreements) {
  const line = refusedLine(r.case.rules, r.message);
  const head = [r.side, ...r.message.split('\n'), ...(line ? [`the refused line: ${line}`] : [])];
  writeFileSync(join(outDir, `refusal-${r.caseIndex}.rules`), `${head.map((l) => `# ${l}`).join('\n')}\n${renderRuleSet(r.case.rules)}`);
}
writeFileSync(
  join(outDir, 'summary.json'),
  `${JSON.stringify(
    {
      seed,
      shape,
      ruleSets: tally.ruleSets,
      flows: tally.flows,
      hopsCompared: tally.hopsCompared,
      agreements: tally.agreements,
      disagreements: tally.disagreements.map((d) => ({ index: d.caseIndex, flow: d.flowIndex, title: d.case.title, cls: d.cls, firstDifference: d.firstDifference })),
      refusalsAgreed: tally.refusalsAgreed,
      refusalsAgreedMessages: tally.refusalMessages,
      refusalDisagreements: tally.refusalDisagreements.map((r) => ({ index: r.caseIndex, side: r.side, message: r.message })),
      skippedUnknown: tally.skippedUnknown,
      unsupported: tally.unsupported,
      errors: tally.errors,
    },
    null,
    2,
  )}\n`,
);

if (argv.includes('--minimise') && tally.disagreements.length) {
  // A few per class: the same cause found twice shrinks to the same few rules.
  const picked = countBy(tally.disagreements, (d) => d.cls).flatMap(([cls]) => tally.disagreements.filter((d) => d.cls === cls).slice(0, perClass));
  console.log(`fuzz:kernel: minimising ${picked.length} disagreements (${perClass} per class)`);
  const queue = [...picked];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const m = await minimise(d.case.rules, d.flow, d.cls, { standinScript });
        const name = `min-${slug(d.cls)}-${d.caseIndex}-${d.flowIndex}`;
        if (!m) console.log(`  #${d.caseIndex}/${d.flowIndex}: did not reproduce on a second run (flaky?)`);
        else {
          write(name, d, m.rules, m.outcome.comparisons, m.outcome.firstDifference);
          console.log(`  #${d.caseIndex}/${d.flowIndex}: ${name}.rules (${m.runs} kernel runs)`);
        }
      }
    }),
  );
}
console.log(`fuzz:kernel: reproducers and summary.json in ${outDir}; seed ${seed}`);
process.exit(tally.disagreements.length || tally.refusalDisagreements.length ? 1 : 0);
