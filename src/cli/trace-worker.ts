/**
 * A worker thread of `--jobs N`: it loads the same rule set as the main thread (from the
 * same flags), then traces the JSON Lines records it is sent and returns their rendered
 * pieces in the order given. The main thread keeps the cache and the output order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../core/errors.js';
import type { FlowInput } from '../istio/flow.js';
import { traceFlow } from '../istio/trace-flow.js';
import { resolveLocated } from '../analysis/batch.js';
import type { TraceFlags } from './flags.js';
import { boundedChunks, readChunks } from './input-reader.js';
import type { CliIo } from './io.js';
import { flowFromRecord, type WorkItem } from './json-lines.js';
import { lazyFor, loadContext, traceOptions } from './setup.js';
import { streamRenderer } from './trace-stream.js';

export interface WorkerSetup {
  sidecarTraceWorker: true;
  flags: TraceFlags;
  /** The rules, when they came on stdin (a worker has no stdin of its own). */
  stdin: Buffer | null;
  rulesDir: string;
}

export interface WorkRequest {
  id: number;
  file: string;
  items: WorkItem[];
}

export interface WorkReply {
  id: number;
  pieces: string[];
  /** For the record of index 0: the whole output of a batch of one (json, yaml). */
  single?: string;
  error?: { message: string; file: string; line: number | null; column: number | null } | { internal: string };
}

export async function runWorker(): Promise<void> {
  const setup = workerData as WorkerSetup;
  const stdin = setup.stdin ? Buffer.from(setup.stdin) : Buffer.alloc(0);
  const io: CliIo = {
    stdout: () => {},
    stderr: () => {},
    readFile: (p) => readFileSync(p),
    readStdin: () => stdin,
    readInput: (p, what, label, max) => (p === '-' ? boundedChunks([stdin], label, max) : readChunks(p, what, label, max)),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    rulesDir: setup.rulesDir,
    listDir: (p) => readdirSync(p),
  };
  const flags = setup.flags;
  const ctx = loadContext(io, flags, await lazyFor({ ...flags, flows: undefined }));
  const opts = traceOptions(flags);
  const renderer = await streamRenderer(flags.format, Boolean(flags.ascii));
  parentPort!.on('message', (m: WorkRequest) => {
    const reply: WorkReply = { id: m.id, pieces: [] };
    for (const item of m.items) {
      try {
        const f = flowFromRecord(m.file, { line: item.line, text: item.text }, item.index);
        const input: FlowInput = { proto: 'tcp', ...f.input };
        const flow = resolveLocated(input, ctx.pod, (k, message) => {
          const at = f.locate(k);
          return new InputError(message, m.file, at.line, at.col);
        });
        const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, flow, opts, ctx.notes);
        if (item.index === 0 && renderer.single) reply.single = renderer.single(trace);
        reply.pieces.push(renderer.piece(trace));
      } catch (e) {
        reply.error = e instanceof InputError ? { message: e.message, file: e.file, line: e.line, column: e.column } : { internal: (e as Error).stack ?? String(e) };
        break;
      }
    }
    parentPort!.postMessage(reply);
  });
  parentPort!.postMessage({ ready: true });
}
