/** Reproducer files and the run's summary. */
import type { FlowInput } from '../../src/istio/flow.js';
import type { HopComparison } from '../../src/verify/compare.js';
import { renderRuleSet, ruleCount, type RuleSetText } from './ruleset-text.js';

function sideLines(comparisons: HopComparison[], side: 'simulated' | 'kernel'): string[] {
  return comparisons.map((c) => {
    const s = c[side];
    return s ? `hop${c.index} ${s.packet} | ${s.steps.join(' -> ') || '(no steps)'} => ${s.end}` : `hop${c.index} (none)`;
  });
}

export function flowArgs(f: FlowInput): string {
  const parts = [`--src ${f.src}`, `--dst ${f.dst}`, `--proto ${f.proto ?? 'tcp'}`];
  if (f.uid !== undefined) parts.push(`--uid ${f.uid}`);
  if (f.gid !== undefined) parts.push(`--gid ${f.gid}`);
  return parts.join(' ');
}

export interface Reproducer {
  name: string;
  origin: string;
  cls: string;
  rules: RuleSetText;
  flow: FlowInput;
  comparisons: HopComparison[];
  firstDifference: string;
}

/** A rule file whose header comments say what happened: `sidecar-trace verify --rules FILE …` replays it. */
export function reproducerText(r: Reproducer): string {
  const head = [
    `sidecar-trace random kernel differential: a disagreement (${ruleCount(r.rules)} rules)`,
    `origin: ${r.origin}`,
    `class: ${r.cls}`,
    `flow: ${r.flow.title ?? ''}`,
    `replay: sidecar-trace verify --rules ${r.name}.rules ${flowArgs(r.flow)}`,
    `first difference: ${r.firstDifference}`,
    'engine:',
    ...sideLines(r.comparisons, 'simulated').map((l) => `  ${l}`),
    'kernel:',
    ...sideLines(r.comparisons, 'kernel').map((l) => `  ${l}`),
  ];
  return `${head.map((l) => `# ${l}`.trimEnd()).join('\n')}\n${renderRuleSet(r.rules)}`;
}
