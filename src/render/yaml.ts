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

/** Round-trip through JSON drops undefined fields exactly as the JSON output does. */
const plain = (t: Trace): unknown => JSON.parse(JSON.stringify(t));

/**
 * One trace as an element of a block sequence ("- " and its block). A sequence is its
 * elements one after another, so a list is written element by element, and a streamed
 * list is the same bytes; a trace with raw controls is quoted on its own.
 */
export function yamlListElement(t: Trace): string {
  return yamlDoc([plain(t)]);
}

export function renderYaml(traces: Trace[]): string {
  if (traces.length === 1) return yamlDoc(plain(traces[0]!));
  return traces.length === 0 ? yamlDoc([]) : traces.map(yamlListElement).join('');
}
