/**
 * Rendering of `sidecar-trace diff`: the flows whose route changed, each as
 * before → after with the deciding rule of every hop on both sides, then a
 * one-line summary (`N flows, M changed`).
 */
import { stringify } from 'yaml';
import type { DiffReport, DiffSideView } from '../cli/trace-diff.js';
import type { Palette } from './colors.js';
import { renderGrid } from './grid.js';
import { asciiPath } from './path.js';

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
  const arrow = opts.ascii ? '->' : '→';
  const show = (p: string) => (opts.ascii ? asciiPath(p) : p);
  const out: string[] = [c.dim(`diff ${report.before.spec} ${arrow} ${report.after.spec} · flows: ${report.flows}`)];
  if (report.changed.length) {
    const rows = report.changed.map((e) => [
      e.line === null ? e.name : [{ text: e.name }, { text: `(line ${e.line})`, paint: c.dim }],
      [{ text: show(e.before.path), paint: c.red }, { text: decidedText(e.before), paint: c.dim }],
      [{ text: show(e.after.path), paint: c.green }, { text: decidedText(e.after), paint: c.dim }],
    ]);
    out.push(renderGrid({ head: ['Flow', `Before: ${report.before.spec}`, `After: ${report.after.spec}`], colWidths: [30, 48, 48], ascii: opts.ascii, colors: c }, rows));
  }
  out.push(report.summary.changed ? c.bold(diffSummary(report)) : diffSummary(report));
  return `${out.join('\n')}\n`;
}

export function renderDiffJson(report: DiffReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function renderDiffYaml(report: DiffReport): string {
  return stringify(JSON.parse(JSON.stringify(report)), { lineWidth: 0, aliasDuplicateObjects: false });
}
