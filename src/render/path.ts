/** `--format path`: the path line alone; `--ascii` writes the tool's own symbols (arrows, ≠, ·, …) in ASCII. */
import type { Trace } from '../core/trace.js';
import { showable } from './safe-text.js';

/** The renderers' and the engine's own non-ASCII symbols, and their ASCII forms for --ascii. */
const ASCII_FORMS: Array<[RegExp, string]> = [
  [/→/g, '->'],
  [/ · /g, ' - '],
  [/·/g, '-'],
  [/≠/g, '!='],
  [/≥/g, '>='],
  [/≤/g, '<='],
  [/∉/g, 'not in'],
  [/∈/g, 'in'],
  [/…/g, '...'],
  [/✓/g, 'ok'],
  [/✗/g, 'X'],
];
const NON_ASCII = /[^\x00-\x7f]/;

/** `text` with the symbols the tool itself prints (arrows, ≠, ·, …) in ASCII. */
export function asciiText(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  let out = text;
  for (const [re, ascii] of ASCII_FORMS) out = out.replace(re, ascii);
  return out;
}

/** One trace's path line as the terminal may show it. */
export function pathLine(t: Trace, ascii: boolean): string {
  return `${ascii ? asciiText(showable(t.path)) : showable(t.path)}\n`;
}

export function renderPath(traces: Trace[], ascii: boolean): string {
  return traces.map((t) => pathLine(t, ascii)).join('');
}
