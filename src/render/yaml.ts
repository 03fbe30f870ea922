/** YAML output: the same object as JSON, so `yaml.parse(out)` deep-equals `JSON.parse(json)`. */
import { stringify } from 'yaml';
import type { Trace } from '../core/trace.js';
import { escapeRawControls, hasRawControls } from './safe-text.js';

/**
 * A JSON-shaped value as YAML. When some string holds a C1 control, DEL, a line separator
 * or a bidi override (which the YAML writer leaves raw, and a terminal may act on), every
 * scalar is written double-quoted, where YAML can escape them, and they are escaped:
 * the same value when parsed, inert when printed. Other documents are unchanged.
 */
export function yamlDoc(data: unknown): string {
  const text = stringify(data, { lineWidth: 0, aliasDuplicateObjects: false });
  if (!hasRawControls(text)) return text;
  return escapeRawControls(stringify(data, { lineWidth: 0, aliasDuplicateObjects: false, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'QUOTE_DOUBLE' }));
}

export function renderYaml(traces: Trace[]): string {
  // Round-trip through JSON drops undefined fields exactly as the JSON output does.
  return yamlDoc(JSON.parse(JSON.stringify(traces.length === 1 ? traces[0] : traces)));
}
