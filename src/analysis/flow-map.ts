/**
 * One flow from a YAML mapping (a flows file's item, a check file's flow): keys are the flow
 * flags' names; errors carry line and column from the yaml package's node positions.
 */
import { isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import { InputError } from '../core/errors.js';
import type { FlowInput } from '../istio/flow.js';

export interface LocatedFlow {
  input: FlowInput;
  /** Extra keys the caller asked for (e.g. `expect` in check files), as plain data. */
  extra: Record<string, unknown>;
  /** The YAML node of each extra key, for located errors. */
  extraNodes: Record<string, Node>;
  line: number;
  name: string;
  /** Where a key's value is in the file (null: the record itself), for errors found later (an address that does not resolve). */
  locate(key: string | null): { line: number; col: number };
}

const FLOW_KEYS = ['name', 'title', 'src', 'dst', 'proto', 'uid', 'gid', 'groups', 'via', 'inIface', 'in-iface'];

export function lineOf(lc: LineCounter, node: Node | null | undefined): { line: number; col: number } {
  const offset = node?.range?.[0] ?? 0;
  return lc.linePos(offset);
}

export function fail(file: string, lc: LineCounter, node: Node | null | undefined, message: string): never {
  const { line, col } = lineOf(lc, node);
  throw new InputError(message, file, line, col);
}

function scalarText(file: string, lc: LineCounter, node: Node, key: string): string {
  const v = (node as { value?: unknown }).value;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  return fail(file, lc, node, `"${key}" must be a string or number`);
}

function intOf(file: string, lc: LineCounter, node: Node, key: string): number {
  const text = scalarText(file, lc, node, key);
  if (!/^\d+$/.test(text)) fail(file, lc, node, `"${key}" must be a non-negative integer, not "${text}"`);
  return Number(text);
}

/** Parse one flow mapping; keys outside FLOW_KEYS + extraKeys are errors. */
export function flowFromMap(file: string, lc: LineCounter, map: YAMLMap, index: number, extraKeys: string[] = []): LocatedFlow {
  const input: FlowInput = {};
  const extra: Record<string, unknown> = {};
  const extraNodes: Record<string, Node> = {};
  let name = `flow ${index + 1}`;
  for (const pair of map.items) {
    const keyNode = pair.key as Node;
    const key = String((keyNode as { value?: unknown }).value);
    const value = pair.value as Node;
    if (value === null || value === undefined) fail(file, lc, keyNode, `"${key}" has no value`);
    if (extraKeys.includes(key)) {
      extra[key] = (value as { toJSON(): unknown }).toJSON();
      extraNodes[key] = value;
      continue;
    }
    if (!FLOW_KEYS.includes(key)) {
      fail(file, lc, keyNode, `unknown key "${key}": expected one of ${[...FLOW_KEYS.filter((k) => k !== 'in-iface'), ...extraKeys].join(', ')}`);
    }
    switch (key) {
      case 'name':
      case 'title':
        name = scalarText(file, lc, value, key);
        input.title = name;
        break;
      case 'uid':
        input.uid = intOf(file, lc, value, key);
        break;
      case 'gid':
        input.gid = intOf(file, lc, value, key);
        break;
      case 'groups':
        input.groups = isSeq(value) ? value.items.map((n) => intOf(file, lc, n as Node, key)) : scalarText(file, lc, value, key).split(',').map((g) => Number(g.trim()));
        break;
      case 'inIface':
      case 'in-iface':
        input.inIface = scalarText(file, lc, value, key);
        break;
      default:
        (input as Record<string, string>)[key] = scalarText(file, lc, value, key);
    }
  }
  if (input.dst === undefined) fail(file, lc, map, `${name} has no "dst": every flow needs a destination IP:PORT`);
  const locate = (key: string | null) => {
    const pair = key === null ? undefined : map.items.find((p) => [key, key === 'inIface' ? 'in-iface' : key].includes(String((p.key as { value?: unknown }).value)));
    return lineOf(lc, (pair?.value as Node | undefined) ?? map);
  };
  return { input, extra, extraNodes, line: lineOf(lc, map).line, name, locate };
}
