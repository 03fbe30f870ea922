/**
 * Many flows from one file: a YAML list (or `flows:` key) of flow objects, or
 * JSON Lines. Keys are the flow flags' names. Errors carry line and column from
 * the yaml package's node positions.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { InputError } from '../core/errors.js';
import type { FlowInput } from '../istio/flow.js';
import { concatChunks } from './input-reader.js';
import { flowsFromJsonLines, jsonLineBatches, type FlowBatch } from './json-lines.js';
import { decodeInput, DEFAULT_LIMITS, type InputLimits } from './load-rules.js';

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

function fail(file: string, lc: LineCounter, node: Node | null | undefined, message: string): never {
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

export function looksLikeJsonLines(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  return first !== undefined && first.trim().startsWith('{') && !/^\s*-/.test(first);
}

/** Parse a flows file (YAML list, `flows:` key, or JSON Lines). */
export function parseFlowsFile(text: string, file: string, extraKeys: string[] = []): LocatedFlow[] {
  if (looksLikeJsonLines(text)) return flowsFromJsonLines(text, file, extraKeys);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new InputError(`invalid YAML: ${e.message.split('\n')[0]}`, file, pos?.line ?? null, pos?.col ?? null);
  }
  let list: Node | null = doc.contents as Node | null;
  if (isMap(list) && list.has('flows')) list = list.get('flows', true) as Node;
  if (!isSeq(list)) fail(file, lc, list, 'expected a list of flows (or a "flows:" key holding one)');
  const seq = list as import('yaml').YAMLSeq;
  if (!seq.items.length) fail(file, lc, seq, 'the flow list is empty');
  return seq.items.map((item, i) => {
    if (!isMap(item)) return fail(file, lc, item as Node, `flow ${i + 1} must be a mapping of flow keys (src, dst, proto, uid, …)`);
    return flowFromMap(file, lc, item, i, extraKeys);
  });
}

/** Which kind of flow file a stream holds, from its first non-blank byte (null: nothing but blanks yet). */
function sniff(head: Buffer): 'json' | 'yaml' | null {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (i === head.length) return null;
  return head[i] === 0x7b ? 'json' : 'yaml';
}

/**
 * Flows from the reader's chunks, one at a time: JSON Lines are parsed as they arrive (memory
 * stays flat however many there are); a YAML file is read whole (its positions need the document).
 */
export function* streamFlows(chunks: Iterable<Buffer>, file: string, extraKeys: string[] = [], limits: InputLimits = DEFAULT_LIMITS): Generator<FlowBatch> {
  const it = chunks[Symbol.iterator]();
  const head: Buffer[] = [];
  let kind: 'json' | 'yaml' | null = null;
  while (kind === null) {
    const r = it.next();
    if (r.done) break;
    head.push(r.value);
    kind = sniff(head.length === 1 ? r.value : Buffer.concat(head));
  }
  const rest = { [Symbol.iterator]: () => it };
  const all = function* () {
    yield* head;
    yield* rest;
  };
  if (kind === 'json') yield* jsonLineBatches(all(), file, extraKeys);
  else {
    const flows = parseFlowsFile(decodeInput(concatChunks(all()), file, limits), file, extraKeys);
    yield { keys: flows.map((f) => JSON.stringify(f.input)), flow: (i) => flows[i]! };
  }
}
