/** JSON output: the Trace object itself (an array for several flows), two-space indented. */
import type { Trace } from '../core/trace.js';
import { terminalSafeJson } from './safe-text.js';

export function renderJson(traces: Trace[]): string {
  return `${terminalSafeJson(JSON.stringify(traces.length === 1 ? traces[0] : traces, null, 2))}\n`;
}

/** JSON Lines: one compact Trace per line, for streaming many flows. */
export function renderJsonLines(traces: Trace[]): string {
  return traces.map((t) => `${terminalSafeJson(JSON.stringify(t))}\n`).join('');
}
