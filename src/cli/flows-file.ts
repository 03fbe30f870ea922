/**
 * Many flows from one file: a YAML list (or `flows:` key) of flow objects, or
 * JSON Lines. Keys are the flow flags' names. Errors carry line and column from
 * the yaml package's node positions.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { InputError } from '../core/errors.js';
import { fail, flowFromMap, type LocatedFlow } from '../analysis/flow-map.js';
import { concatChunks } from './input-reader.js';
import { flowsFromJsonLines, jsonLineBatches, type FlowBatch } from './json-lines.js';
import { decodeInput, DEFAULT_LIMITS, type InputLimits } from './load-rules.js';

export type { LocatedFlow } from '../analysis/flow-map.js';

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
