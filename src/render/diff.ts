/**
 * Rendering of `sidecar-trace diff`: the flows whose route changed, each as
 * before → after with the deciding rule of every hop on both sides, then a
 * one-line summary (`N flows, M changed`).
 */
import type { DiffReport, DiffSideView } from '../analysis/trace-diff.js';
import type { Palette } from './palette.js';
import { renderGrid } from './grid.js';
import { asciiText } from './path.js';
import { showable, terminalSafeJson } from './safe-text.js';
import { yamlDoc } from './yaml.js';

export interface DiffRenderOptions {
  colors: Palette;
  ascii: boolean;
}

export function decidedText(side: DiffSideView): string {
  if (!side.decidedBy.length) return 'decided by: nothing';
  return `decided by: ${side.decidedBy.map((d) => `hop ${d.hop} ${d.table} ${d.chain} ${d.rule === null ? 'policy' : `rule ${d.rule}`}`).join(', ')}`;
}

export function diffSummary(report: DiffReport): string {
  const s = report.summary;
  return `${s.flows} flow${s.flows === 1 ? '' : 's'}, ${s.changed} changed`;
}

export function renderDiffTable(report: DiffReport, opts: DiffRenderOptions): string {
  const c = opts.colors;
  // Input text (specs, flow and chain names) with control characters escaped; --ascii: the tool's symbols in ASCII.
  const show = opts.ascii ? (s: string) => asciiText(showable(s)) : showable;
  const out: string[] = [c.dim(show(`diff ${report.before.spec} → ${report.after.spec} · flows: ${report.flows}`))];
  if (report.changed.length) {
    const rows = report.changed.map((e) => [
      e.line === null ? show(e.name) : [{ text: show(e.name) }, { text: `(line ${e.line})`, paint: c.dim }],
      [{ text: show(e.before.path), paint: c.red }, { text: show(decidedText(e.before)), paint: c.dim }],
      [{ text: show(e.after.path), paint: c.green }, { text: show(decidedText(e.after)), paint: c.dim }],
    ]);
    const head = ['Flow', show(`Before: ${report.before.spec}`), show(`After: ${report.after.spec}`)];
    out.push(renderGrid({ head, colWidths: [30, 48, 48], ascii: opts.ascii, colors: c }, rows));
  }
  out.push(report.summary.changed ? c.bold(diffSummary(report)) : diffSummary(report));
  return `${out.join('\n')}\n`;
}

export function renderDiffJson(report: DiffReport): string {
  return `${terminalSafeJson(JSON.stringify(report, null, 2))}\n`;
}

export function renderDiffYaml(report: DiffReport): string {
  return yamlDoc(JSON.parse(JSON.stringify(report)));
}
