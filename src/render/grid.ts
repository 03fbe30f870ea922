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
import type { Palette } from './palette.js';

/** A run of text drawn in one style; '\n' starts a new line. */
export interface Span {
  text: string;
  paint?: (s: string) => string;
}

/** A cell: plain text, or spans drawn one after the other, each starting on a new line. */
export type GridCell = string | Span[];

/** A row of one cell across every column (cli-table3's `colSpan` over the whole table). */
export interface FullRow {
  full: GridCell;
}

export type GridRow = GridCell[] | FullRow;

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
  // Most cells are one short line: no split, no wrap (length >= columns, so it fits).
  if (typeof cell === 'string' && cell.length <= max && !cell.includes('\n')) return [cell];
  const spans: Span[] = typeof cell === 'string' ? [{ text: cell }] : cell;
  const out: string[] = [];
  for (const span of spans) {
    for (const para of span.text.split('\n')) {
      for (const line of wrapLine(para, max)) out.push(span.paint && line ? span.paint(line) : line);
    }
  }
  return out;
}

/** Characters that take one terminal column (ASCII, Latin, punctuation, arrows, ≠, box drawing, ✓ ✗). */
const NARROW = /^[\x20-\x7e\u00a0-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2260\u2500-\u257f\u2713\u2717]*$/;

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

/**
 * A horizontal border between two rows, as cli-table3 draws it: at each inner column
 * boundary a cross where both rows have one, ┴ where only the row above has, ┬ where
 * only the row below has, and a plain line where neither has (full-width rows).
 */
function border(widths: number[], above: boolean, below: boolean, ends: [string, string], chars: typeof UNICODE_CHARS, fill: string, fallback: string): string {
  const joint = above && below ? chars['mid-mid'] : above ? chars['bottom-mid'] : below ? chars['top-mid'] : fallback;
  return ends[0] + widths.map((w) => fill.repeat(w)).join(joint) + ends[1];
}

/** The rows of a table, given as a list or produced one by one (a trace of 200,000 steps need not hold them all). */
export function renderGrid(opts: GridOptions, rows: Iterable<GridRow>): string {
  const chars = opts.ascii ? ASCII_CHARS : UNICODE_CHARS;
  const widths = opts.colWidths;
  // A full-width row is one column as wide as all of them and the borders between; its
  // text wraps, as cli-table3 wraps a spanning cell, at the columns' widths without those borders.
  const total = widths.reduce((a, b) => a + b, 0);
  const fullWidth = [total + widths.length - 1];

  // Each logical row becomes a group of visual rows, one string per cell.
  const bold = (s: string) => (opts.colors.level > 0 ? opts.colors.bold(s) : s);
  const toGroup = (cells: GridCell[], wraps: number[]): string[][] => {
    const lines = cells.map((c, i) => cellLines(c, Math.max(1, wraps[i]! - 2)));
    const height = Math.max(1, ...lines.map((l) => l.length));
    return Array.from({ length: height }, (_, r) => lines.map((l) => l[r] ?? ''));
  };
  // The four separators between rows, by whether the row above and the row below have column borders.
  const mid = (above: boolean, below: boolean) => border(widths, above, below, [chars['left-mid'], chars['right-mid']], chars, chars.mid, chars.mid);
  const seps = [mid(false, false), mid(false, true), mid(true, false), mid(true, true)];

  // Lines are joined in chunks as they are drawn, so a huge table holds text, not line arrays.
  const chunks: string[] = [];
  let chunk: string[] = [];
  const emit = (line: string) => {
    chunk.push(line);
    if (chunk.length === 4096) {
      chunks.push(chunk.join('\n'));
      chunk = [];
    }
  };
  const head: GridRow = opts.head.map((h) => [{ text: h, paint: bold }]);
  emit(border(widths, false, true, [chars['top-left'], chars['top-right']], chars, chars.top, chars.top));
  let above: boolean | null = null;
  const draw = (row: GridRow) => {
    const split = Array.isArray(row);
    if (above !== null) emit(seps[(above ? 2 : 0) + (split ? 1 : 0)]!);
    const ws = split ? widths : fullWidth;
    for (const cells of toGroup(split ? row : [row.full], split ? widths : [total])) emit(drawLine(cells, ws, chars) ?? drawWithTable(cells, ws, chars));
    above = split;
  };
  draw(head);
  for (const row of rows) draw(row);
  emit(border(widths, above ?? true, false, [chars['bottom-left'], chars['bottom-right']], chars, chars.bottom, chars.bottom));
  chunks.push(chunk.join('\n'));
  return chunks.join('\n');
}
