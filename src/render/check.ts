/**
 * Rendering of `sidecar-trace check`: a pass/fail table, then for each failing
 * flow a diff of expected against actual: `- expected:` / `+ actual:` per
 * failed expectation, and a unified line diff for a hop's steps.
 */
import type { CheckReport, ExpectationResult, FlowCheck } from '../analysis/expectations.js';
import type { Palette } from './palette.js';
import { renderGrid, type Span } from './grid.js';
import { lineDiff } from './line-diff.js';
import { asciiText } from './path.js';
import { showable, terminalSafeJson } from './safe-text.js';
import { yamlDoc } from './yaml.js';

export interface CheckRenderOptions {
  colors: Palette;
  ascii: boolean;
}

/** The diff lines of one failed expectation, indented by two, without colour codes unless a palette has them. */
export function expectationDiff(r: ExpectationResult, c: Palette, ascii: boolean): string[] {
  const show = (s: string) => (ascii ? asciiText(showable(s)) : showable(s));
  const out = [`  ${show(r.name)}:`];
  if (Array.isArray(r.expected) || Array.isArray(r.actual)) {
    const expected = Array.isArray(r.expected) ? r.expected : [r.expected];
    const actual = Array.isArray(r.actual) ? r.actual : [r.actual];
    out.push(c.red('    --- expected'), c.green('    +++ actual'));
    for (const d of lineDiff(expected, actual)) {
      const line = `    ${d.op} ${show(d.text)}`;
      out.push(d.op === '-' ? c.red(line) : d.op === '+' ? c.green(line) : line);
    }
    return out;
  }
  out.push(c.red(`    - expected: ${show(r.expected)}`), c.green(`    + actual:   ${show(r.actual)}`));
  return out;
}

/** A failing flow's diff text: its title (when the flow's name is not the title), then each failed expectation. */
export function failureDiff(f: FlowCheck, c: Palette, ascii: boolean): string[] {
  const title = f.title === f.name ? [] : [`  ${ascii ? asciiText(showable(f.title)) : showable(f.title)}`];
  return [...title, ...f.expectations.filter((r) => !r.pass).flatMap((r) => expectationDiff(r, c, ascii))];
}

const MARKS_WIDTH = 64;

/** Pack tokens into lines of at most `width` characters, never splitting a token ("✓ hop 2 steps"). */
function packLines(tokens: Span[], width: number): Span[] {
  const lines: Span[][] = [[]];
  let len = 0;
  for (const t of tokens) {
    if (len && len + 2 + t.text.length > width) {
      lines.push([]);
      len = 0;
    }
    const line = lines[lines.length - 1]!;
    line.push(len ? { text: `  ${t.text}`, paint: t.paint } : t);
    len += (len ? 2 : 0) + t.text.length;
  }
  // One span per line; within a line the tokens keep their own colours.
  return lines.map((l) => ({ text: l.map((t) => (t.paint ? t.paint(t.text) : t.text)).join('') }));
}

export function renderCheckTable(report: CheckReport, opts: CheckRenderOptions): string {
  const c = opts.colors;
  // Input text (file names, flow names) with control characters escaped; --ascii: the tool's symbols in ASCII.
  const show = opts.ascii ? (s: string) => asciiText(showable(s)) : showable;
  const ok = opts.ascii ? 'ok' : '✓';
  const bad = opts.ascii ? 'X' : '✗';
  const out: string[] = [c.dim(show(`check ${report.file} · rules: ${report.ruleset.source} (${report.ruleset.format}; ${report.ruleset.families.join(', ')})`))];
  const rows = report.flows.map((f) => [
    [{ text: f.pass ? 'PASS' : 'FAIL', paint: f.pass ? c.green : (s: string) => c.red(c.bold(s)) }],
    show(f.name),
    String(f.line),
    packLines(f.expectations.map((r) => ({ text: `${r.pass ? ok : bad} ${r.name}`, paint: r.pass ? c.green : c.red })), MARKS_WIDTH),
  ]);
  out.push(renderGrid({ head: ['Result', 'Flow', 'Line', 'Expectations'], colWidths: [8, 42, 6, MARKS_WIDTH + 2], ascii: opts.ascii, colors: c }, rows));
  for (const f of report.flows.filter((x) => !x.pass)) {
    out.push('', c.red(c.bold(`FAIL ${show(f.name)}`)) + c.dim(` (${show(report.file)}:${f.line})`), ...failureDiff(f, c, opts.ascii));
  }
  const s = report.summary;
  const summary = `${s.flows} flow${s.flows === 1 ? '' : 's'}: ${s.passed} passed, ${s.failed} failed`;
  out.push('', s.failed ? c.red(summary) : c.green(summary));
  return `${out.join('\n')}\n`;
}

export function renderCheckJson(report: CheckReport): string {
  return `${terminalSafeJson(JSON.stringify(report, null, 2))}\n`;
}

export function renderCheckYaml(report: CheckReport): string {
  return yamlDoc(JSON.parse(JSON.stringify(report)));
}
