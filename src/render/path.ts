/** `--format path`: the path line alone; `--ascii` swaps the arrows. */
import type { Trace } from '../core/trace.js';

export function asciiPath(path: string): string {
  return path.replace(/ → /g, ' -> ');
}

export function renderPath(traces: Trace[], ascii: boolean): string {
  return traces.map((t) => `${ascii ? asciiPath(t.path) : t.path}\n`).join('');
}
