/** YAML output: the same object as JSON, so `yaml.parse(out)` deep-equals `JSON.parse(json)`. */
import { stringify } from 'yaml';
import type { Trace } from '../core/trace.js';

export function renderYaml(traces: Trace[]): string {
  // Round-trip through JSON drops undefined fields exactly as the JSON output does.
  const data = JSON.parse(JSON.stringify(traces.length === 1 ? traces[0] : traces));
  return stringify(data, { lineWidth: 0, aliasDuplicateObjects: false });
}
