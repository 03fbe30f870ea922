/**
 * Flows as JSON Lines, streamed: chunks in, one located flow out per line, each parsed by
 * JSON.parse (the yaml package's parser costs ten times as much a record). Errors name
 * the record's line and the column of the field (or of the JSON syntax error). CRLF is accepted.
 */
import { isUtf8 } from 'node:buffer';
import { InputError } from '../core/errors.js';
import type { FlowInput } from '../istio/flow.js';
import type { LocatedFlow } from '../analysis/flow-map.js';
import { invalidUtf8, MAX_LINE_LENGTH } from './load-rules.js';

export interface RawLine {
  line: number;
  text: string;
}

function decoded(buf: Buffer, file: string, linesBefore: number): string {
  if (isUtf8(buf)) return buf.toString('utf8');
  const e = invalidUtf8(buf, file);
  throw new InputError(e.message, file, (e.line ?? 1) + linesBefore, e.column);
}

/** Column (1-based) of a top-level key's value in the record's text, else of the key, else 1. */
function columnOf(text: string, key: string | null, atKey = false): number {
  if (key === null) return firstNonBlank(text);
  for (const k of key === 'inIface' ? [key, 'in-iface'] : [key]) {
    const at = text.indexOf(`"${k}"`);
    if (at < 0) continue;
    const colon = text.indexOf(':', at + k.length + 2);
    if (colon < 0 || atKey) return at + 1;
    let v = colon + 1;
    while (text[v] === ' ' || text[v] === '\t') v++;
    return v + 1;
  }
  return firstNonBlank(text);
}

function firstNonBlank(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index + 1 : 1;
}

const FLOW_KEYS = ['name', 'title', 'src', 'dst', 'proto', 'uid', 'gid', 'groups', 'via', 'inIface', 'in-iface'];

/** One JSON Lines record into a flow, checked as flowFromMap checks a YAML mapping (the same messages). */
export function flowFromRecord(file: string, raw: RawLine, index: number, extraKeys: string[] = []): LocatedFlow {
  const { line, text } = raw;
  const fail = (key: string | null, message: string, atKey = false): never => {
    throw new InputError(message, file, line, columnOf(text, key, atKey));
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // V8 says "… in JSON at position N" (or "… (line 1 column N)" in newer versions).
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const col = /column (\d+)/.exec(msg);
    const column = pos ? Number(pos[1]) + 1 : col ? Number(col[1]) : 1;
    throw new InputError(`invalid JSON: ${msg.replace(/ in JSON at position \d+.*$| \(line \d+ column \d+\)$/, '')}`, file, line, column);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(null, 'expected one JSON object per line');
  const input: FlowInput = {};
  const extra: Record<string, unknown> = {};
  let name = `flow ${index + 1}`;
  const scalar = (key: string, v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : fail(key, `"${key}" must be a string or number`));
  const int = (key: string, v: unknown): number => {
    const t = scalar(key, v);
    if (!/^\d+$/.test(t)) fail(key, `"${key}" must be a non-negative integer, not "${t}"`);
    return Number(t);
  };
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) fail(key, `"${key}" has no value`);
    if (extraKeys.includes(key)) {
      extra[key] = v;
      continue;
    }
    if (!FLOW_KEYS.includes(key)) fail(key, `unknown key "${key}": expected one of ${[...FLOW_KEYS.filter((k) => k !== 'in-iface'), ...extraKeys].join(', ')}`, true);
    switch (key) {
      case 'name':
      case 'title':
        name = scalar(key, v);
        input.title = name;
        break;
      case 'uid':
        input.uid = int(key, v);
        break;
      case 'gid':
        input.gid = int(key, v);
        break;
      case 'groups':
        input.groups = Array.isArray(v) ? v.map((g) => int(key, g)) : scalar(key, v).split(',').map((g) => Number(g.trim()));
        break;
      case 'inIface':
      case 'in-iface':
        input.inIface = scalar(key, v);
        break;
      default:
        (input as Record<string, string>)[key] = scalar(key, v);
    }
  }
  if (input.dst === undefined) fail(null, `${name} has no "dst": every flow needs a destination IP:PORT`);
  return { input, extra, extraNodes: {}, line, name, locate: (key) => ({ line, col: columnOf(text, key) }) };
}

/**
 * Flows of a stream in batches (one a chunk read), each parsed only when needed: `keys[i]`
 * says which flows are the same. For a JSON Lines record the key is its text: the same
 * text is the same flow, so a flow found in the cache is not even parsed.
 */
export interface FlowBatch {
  keys: string[];
  flow(i: number): LocatedFlow;
  /** A JSON Lines record as read (for a worker thread to parse): its line and its index in the stream. */
  record?(i: number): WorkItem;
}

export interface WorkItem {
  text: string;
  line: number;
  index: number;
}

/** JSON Lines from the reader's chunks, one batch a chunk; blank lines are skipped; an empty stream is an error. */
export function* jsonLineBatches(chunks: Iterable<Buffer | string>, file: string, extraKeys: string[] = []): Generator<FlowBatch> {
  let count = 0;
  let lineNo = 0;
  let carry: Buffer | null = null;
  const batchOf = (text: string): FlowBatch => {
    const keys: string[] = [];
    const lines: number[] = [];
    const base = count;
    let at = 0;
    for (;;) {
      const nl = text.indexOf('\n', at);
      let raw = nl < 0 ? text.slice(at) : text.slice(at, nl);
      lineNo++;
      if (raw.length > MAX_LINE_LENGTH) throw new InputError(`line is ${Buffer.byteLength(raw)} bytes long, over the ${MAX_LINE_LENGTH}-byte limit`, file, lineNo);
      if (raw.endsWith('\r')) raw = raw.slice(0, -1);
      // A byte-order mark opens some files written on Windows.
      if (lineNo === 1 && raw.startsWith('\uFEFF')) raw = raw.slice(1);
      if (!isBlank(raw)) {
        keys.push(raw);
        lines.push(lineNo);
      }
      if (nl < 0) break;
      at = nl + 1;
    }
    count += keys.length;
    return {
      keys,
      flow: (i) => flowFromRecord(file, { line: lines[i]!, text: keys[i]! }, base + i, extraKeys),
      record: (i) => ({ text: keys[i]!, line: lines[i]!, index: base + i }),
    };
  };
  for (const chunk of chunks) {
    if (typeof chunk === 'string') {
      yield batchOf(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk);
      continue;
    }
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      if (buf.length > MAX_LINE_LENGTH) throw new InputError(`line is over the ${MAX_LINE_LENGTH}-byte limit`, file, lineNo + 1);
      carry = buf;
      continue;
    }
    carry = last + 1 < buf.length ? buf.subarray(last + 1) : null;
    yield batchOf(decoded(buf.subarray(0, last), file, lineNo));
  }
  if (carry) yield batchOf(decoded(carry, file, lineNo));
  if (!count) throw new InputError('no flows found', file, 1);
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** Every flow of JSON Lines text, parsed. */
export function flowsFromJsonLines(text: string, file: string, extraKeys: string[] = []): LocatedFlow[] {
  const out: LocatedFlow[] = [];
  for (const b of jsonLineBatches([text], file, extraKeys)) for (let i = 0; i < b.keys.length; i++) out.push(b.flow(i));
  return out;
}
