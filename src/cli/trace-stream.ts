/**
 * `--flows FILE` as a stream: read a flow, trace it (or take it from the cache), write it,
 * drop it. Memory holds one output window and the bounded cache, not the batch. The
 * formats that can stream (json, jsonl, yaml, path) come out byte-identical to the
 * renderers that take the whole batch (render/json.ts, yaml.ts, path.ts).
 */
import { InputError } from '../core/errors.js';
import type { Trace } from '../core/trace.js';
import type { FlowInput } from '../istio/flow.js';
import { traceFlow } from '../istio/trace-flow.js';
import { resolveLocated } from '../analysis/batch.js';
import type { FlowBatch } from './json-lines.js';
import type { CliIo } from './io.js';
import type { PodContext } from './setup.js';
import type { TraceOptions } from '../istio/trace-flow.js';
import type { TraceCache } from '../analysis/trace-cache.js';

/** Output is written in windows of about this many bytes. */
const WINDOW = 256 * 1024;

/**
 * Turns traces into output text as they come. `piece` renders one trace as it stands inside
 * the batch output (cached by the caller); `end` closes the output, given how many came.
 */
export interface StreamRenderer {
  piece(trace: Trace): string;
  /** Text before piece number `index` (0-based). */
  before(index: number): string;
  /** The whole output when the batch held exactly one flow (json and yaml print an object, not a list). */
  single?(trace: Trace): string;
  end(count: number): string;
}

export async function streamRenderer(format: string, ascii: boolean): Promise<StreamRenderer> {
  switch (format) {
    case 'json': {
      // renderJson's array is "[\n" + its elements + ",\n" between + "\n]".
      const { jsonArrayElement, renderJson } = await import('../render/json.js');
      return {
        piece: jsonArrayElement,
        before: (i) => (i === 0 ? '[\n' : ',\n'),
        single: (t) => renderJson([t]),
        end: () => '\n]\n',
      };
    }
    case 'yaml': {
      const { renderYaml, yamlListElement } = await import('../render/yaml.js');
      return { piece: yamlListElement, before: () => '', single: (t) => renderYaml([t]), end: () => '' };
    }
    case 'jsonl': {
      const { jsonLine } = await import('../render/json.js');
      return { piece: jsonLine, before: () => '', end: () => '' };
    }
    case 'path': {
      const { pathLine } = await import('../render/path.js');
      return { piece: (t) => pathLine(t, ascii), before: () => '', end: () => '' };
    }
    default:
      throw new Error(`internal: ${format} does not stream`);
  }
}

export interface StreamStats {
  flows: number;
  traced: number;
  cacheHits: number;
  cacheEntries: number;
  cacheCapacity: number;
  ms: number;
}

/** Output in windows: bytes are gathered until WINDOW, then written at once (one writev, no copy). */
class Window {
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly write: (parts: Buffer[]) => void) {}
  add(bytes: Buffer): void {
    if (!bytes.length) return;
    this.parts.push(bytes);
    this.size += bytes.length;
    if (this.size >= WINDOW) this.flush();
  }
  flush(): void {
    if (!this.size) return;
    this.write(this.parts);
    this.parts = [];
    this.size = 0;
  }
}

export interface StreamInput {
  flows: Iterable<FlowBatch>;
  file: string;
  ctx: PodContext;
  opts: TraceOptions;
  renderer: StreamRenderer;
  cache: TraceCache;
  /** Called after each batch with the count so far (progress). */
  tick?: (done: number) => void;
}

/**
 * The output side: pieces in input order, with the format's separators; the first piece
 * waits until a second comes, because a batch of one prints an object, not a list.
 */
export class Emitter {
  private readonly out: Window;
  private readonly seps = new Map<string, Buffer>();
  private first: Buffer | null = null;
  count = 0;
  /** The reader of the output has gone (`| head`): the rest is not wanted. */
  readonly closed: () => boolean;
  constructor(
    io: CliIo,
    private readonly renderer: StreamRenderer,
  ) {
    this.out = new Window(io.stdoutBytes ?? ((parts) => io.stdout(Buffer.concat(parts).toString('utf8'))));
    this.closed = io.stdoutClosed ?? (() => false);
  }
  private separator(i: number): Buffer {
    const text = this.renderer.before(i);
    let b = this.seps.get(text);
    if (b === undefined) this.seps.set(text, (b = Buffer.from(text, 'utf8')));
    return b;
  }
  add(piece: Buffer): void {
    if (this.count === 0 && this.renderer.single) this.first = piece;
    else {
      if (this.first !== null) {
        this.out.add(this.separator(0));
        this.out.add(this.first);
        this.first = null;
      }
      const sep = this.separator(this.count);
      if (sep.length) this.out.add(sep);
      this.out.add(piece);
    }
    this.count++;
  }
  /** `single`: the whole output of a batch of one (json, yaml). */
  end(single: () => string): void {
    if (this.renderer.single && this.count === 1) this.out.add(Buffer.from(single(), 'utf8'));
    else if (this.count) this.out.add(Buffer.from(this.renderer.end(this.count), 'utf8'));
    this.out.flush();
  }
  /** What came before an error: written, as a stream would have. */
  flush(): void {
    this.out.flush();
  }
}

export function runStream(io: CliIo, s: StreamInput): StreamStats {
  const t0 = performance.now();
  const emit = new Emitter(io, s.renderer);
  let traced = 0;
  let firstTrace: Trace | null = null;
  try {
    for (const batch of s.flows) {
      for (let i = 0; i < batch.keys.length; i++) {
        const key = batch.keys[i]!;
        let piece = s.cache.get(key);
        if (piece === undefined) {
          const f = batch.flow(i);
          const input: FlowInput = { proto: 'tcp', ...f.input };
          const flow = resolveLocated(input, s.ctx.pod, (k, message) => {
            const at = f.locate(k);
            return new InputError(message, s.file, at.line, at.col);
          });
          const trace = traceFlow(s.ctx.ruleset, s.ctx.pod, s.ctx.host, flow, s.opts, s.ctx.notes);
          if (emit.count === 0) firstTrace = trace;
          piece = Buffer.from(s.renderer.piece(trace), 'utf8');
          traced++;
          s.cache.set(key, piece);
        }
        emit.add(piece);
      }
      s.tick?.(emit.count);
      if (emit.closed()) break;
    }
  } catch (e) {
    emit.flush();
    throw e;
  }
  emit.end(() => s.renderer.single!(firstTrace!));
  return { flows: emit.count, traced, cacheHits: emit.count - traced, cacheEntries: s.cache.size, cacheCapacity: s.cache.capacity, ms: performance.now() - t0 };
}

export function formatStats(st: StreamStats): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rate = st.ms > 0 ? Math.round((st.flows / st.ms) * 1000) : 0;
  const pct = st.flows ? ((st.cacheHits / st.flows) * 100).toFixed(1) : '0.0';
  return (
    `sidecar-trace: stats: ${n(st.flows)} flows in ${(st.ms / 1000).toFixed(2)} s (${n(rate)} flows/s after loading the rules); ` +
    `traced ${n(st.traced)}, from the cache ${n(st.cacheHits)} (${pct}%); cache ${n(st.cacheEntries)} of ${n(st.cacheCapacity)} entries\n`
  );
}
