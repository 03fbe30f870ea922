/**
 * Tables of thousands of rows (check and diff over 10,000 flows) in linear time,
 * looking exactly like cli-table3's tables with fixed column widths.
 *
 * cli-table3 lays a table out in time quadratic in its rows (its layout manager
 * scans every cell for span conflicts), measures every line with string-width,
 * and for a cell holding a line break truncates its whole content one character
 * at a time on every drawn line (for a debug label): a 3,000-row diff took over a
 * minute, almost all of it in cli-table3. So this module wraps the cells itself and
 * draws each visual line with cli-table3's characters and padding; a line with
 * characters wider than one column (CJK, emoji) or too long to fit is drawn by
 * cli-table3 itself, which measures and truncates those. A test checks the
 * output is byte-identical to cli-table3's.
 */
import Table from 'cli-table3';
import type { Palette } from './colors.js';

/** A run of text drawn in one style; '\n' starts a new line. */
export interface Span {
  text: string;
  paint?: (s: string) => string;
}

/** A cell: plain text, or spans drawn one after the other, each starting on a new line. */
export type GridCell = string | Span[];

export interface GridOptions {
  head: string[];
  /** Column widths including one blank of padding on each side, as cli-table3's colWidths. */
  colWidths: number[];
  ascii: boolean;
  colors: Palette;
}

export const UNICODE_CHARS = {
  top: '─', 'top-mid': '┬', 'top-left': '┌', 'top-right': '┐',
  bottom: '─', 'bottom-mid': '┴', 'bottom-left': '└', 'bottom-right': '┘',
  left: '│', 'left-mid': '├', mid: '─', 'mid-mid': '┼',
  right: '│', 'right-mid': '┤', middle: '│',
};

export const ASCII_CHARS: typeof UNICODE_CHARS = {
  top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
  bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
  left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+',
  right: '|', 'right-mid': '+', middle: '|',
};

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

/** Terminal columns of text: one per code point outside colour codes (the tables hold ASCII, arrows and check marks). */
function width(text: string): number {
  let n = 0;
  for (const _ of text.includes('\u001b') ? text.replace(SGR, '') : text) n++;
  return n;
}

/** Word-wrap one line of plain text to `max` columns; words longer than a line are split. */
export function wrapLine(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  let len = 0;
  for (const word of text.split(' ')) {
    let w = word;
    let wl = width(w);
    if (len && len + 1 + wl <= max) {
      line += ` ${w}`;
      len += 1 + wl;
      continue;
    }
    if (len) out.push(line);
    while (wl > max) {
      const cps = [...w];
      out.push(cps.slice(0, max).join(''));
      w = cps.slice(max).join('');
      wl -= max;
    }
    line = w;
    len = wl;
  }
  out.push(line);
  return out;
}

function cellLines(cell: GridCell, max: number): string[] {
  const spans: Span[] = typeof cell === 'string' ? [{ text: cell }] : cell;
  const out: string[] = [];
  for (const span of spans) {
    for (const para of span.text.split('\n')) {
      for (const line of wrapLine(para, max)) out.push(span.paint && line ? span.paint(line) : line);
    }
  }
  return out;
}

/** Characters that take one terminal column (ASCII, Latin, punctuation, arrows, box drawing, ✓ ✗). */
const NARROW = /^[\x20-\x7e\u00a0-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u257f\u2713\u2717]*$/;

/**
 * One visual row drawn as cli-table3 draws it (border, a blank, the content, padding,
 * a blank, border), when every cell is plain narrow text that fits; else null.
 */
export function drawLine(cells: string[], widths: number[], chars: typeof UNICODE_CHARS): string | null {
  let out = chars.left;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    const plain = cell.includes('\u001b') ? cell.replace(SGR, '') : cell;
    if (!NARROW.test(plain)) return null;
    const pad = widths[i]! - 2 - plain.length;
    if (pad < 0) return null;
    out += ` ${cell}${' '.repeat(pad)} ${i === cells.length - 1 ? chars.right : chars.middle}`;
  }
  return out;
}

/** The same row drawn by cli-table3 itself: wide characters (CJK, emoji) and overlong text. */
function drawWithTable(cells: string[], widths: number[], chars: typeof UNICODE_CHARS): string {
  const table = new Table({ colWidths: widths, chars, style: { head: [], border: [], compact: true } });
  table.push(cells);
  return table.toString().split('\n')[1]!;
}

export function renderGrid(opts: GridOptions, rows: GridCell[][]): string {
  const chars = opts.ascii ? ASCII_CHARS : UNICODE_CHARS;
  const widths = opts.colWidths;
  const rule = (left: string, fill: string, mid: string, right: string) => left + widths.map((w) => fill.repeat(w)).join(mid) + right;
  const top = rule(chars['top-left'], chars.top, chars['top-mid'], chars['top-right']);
  const sep = rule(chars['left-mid'], chars.mid, chars['mid-mid'], chars['right-mid']);
  const bottom = rule(chars['bottom-left'], chars.bottom, chars['bottom-mid'], chars['bottom-right']);

  // Each logical row becomes a group of visual rows, one string per cell.
  const bold = (s: string) => (opts.colors.level > 0 ? opts.colors.bold(s) : s);
  const toGroup = (cells: GridCell[]): string[][] => {
    const lines = cells.map((c, i) => cellLines(c, Math.max(1, widths[i]! - 2)));
    const height = Math.max(1, ...lines.map((l) => l.length));
    return Array.from({ length: height }, (_, r) => lines.map((l) => l[r] ?? ''));
  };
  const groups = [toGroup(opts.head.map((h) => [{ text: h, paint: bold }])), ...rows.map(toGroup)];

  const out: string[] = [top];
  for (const g of groups) {
    for (const cells of g) out.push(drawLine(cells, widths, chars) ?? drawWithTable(cells, widths, chars));
    out.push(sep);
  }
  // The last group ends with a separator; the table ends with the bottom border instead.
  out[out.length - 1] = bottom;
  return out.join('\n');
}
