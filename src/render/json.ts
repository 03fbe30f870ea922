/** JSON output: the Trace object itself (an array for several flows), two-space indented. */
import type { Trace } from '../core/trace.js';

export function renderJson(traces: Trace[]): string {
  return `${JSON.stringify(traces.length === 1 ? traces[0] : traces, null, 2)}\n`;
}
