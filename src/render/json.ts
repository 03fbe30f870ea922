/** JSON output: the Trace object itself (an array for several flows), two-space indented. */
import type { Trace } from '../core/trace.js';
import { terminalSafeJson } from './safe-text.js';

export function renderJson(traces: Trace[]): string {
  return `${terminalSafeJson(JSON.stringify(traces.length === 1 ? traces[0] : traces, null, 2))}\n`;
}

/**
 * One trace as it stands inside renderJson's array: JSON.stringify(list, null, 2) indents each
 * element by two more spaces, and JSON strings hold no raw newline, so indenting every line is exact.
 */
export function jsonArrayElement(t: Trace): string {
  return `  ${terminalSafeJson(JSON.stringify(t, null, 2)).replace(/\n/g, '\n  ')}`;
}

/** One JSON Lines record. */
export function jsonLine(t: Trace): string {
  return `${terminalSafeJson(JSON.stringify(t))}\n`;
}

/** JSON Lines: one compact Trace per line, for streaming many flows. */
export function renderJsonLines(traces: Trace[]): string {
  return traces.map(jsonLine).join('');
}
