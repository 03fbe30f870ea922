/**
 * `--jobs N`: the misses of each batch of JSON Lines records are split into N contiguous
 * parts and traced by N worker threads (cli/trace-worker.ts); the main thread keeps the
 * cache and writes the pieces in input order, so the output is byte-identical to --jobs 1.
 * An error stops the run at the first bad record in input order, after the pieces before it.
 */
import { Worker } from 'node:worker_threads';
import { InputError } from '../core/errors.js';
import type { WorkReply, WorkRequest, WorkerSetup } from './trace-worker.js';
import { Emitter, runStream, type StreamInput, type StreamStats } from './trace-stream.js';
import type { CliIo } from './io.js';

interface Pool {
  ask(w: number, req: Omit<WorkRequest, 'id'>): Promise<WorkReply>;
  close(): Promise<void>;
}

async function startPool(script: string, jobs: number, setup: WorkerSetup): Promise<Pool> {
  const pending = new Map<number, { resolve: (r: WorkReply) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  const fail = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const workers: Worker[] = [];
  const ready: Array<Promise<void>> = [];
  for (let i = 0; i < jobs; i++) {
    const w = new Worker(script, { workerData: setup });
    workers.push(w);
    ready.push(
      new Promise<void>((resolve, reject) => {
        w.on('message', (m: WorkReply | { ready: true }) => {
          if ('ready' in m) return resolve();
          const p = pending.get(m.id);
          pending.delete(m.id);
          p?.resolve(m);
        });
        w.on('error', (e) => {
          reject(e);
          fail(e);
        });
      }),
    );
  }
  await Promise.all(ready);
  let next = 0;
  return {
    ask(w, req) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      return new Promise<WorkReply>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        workers[w]!.postMessage({ ...req, id });
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

function replyError(e: NonNullable<WorkReply['error']>): Error {
  if ('internal' in e) return new Error(`in a --jobs worker: ${e.internal}`);
  return new InputError(e.message, e.file, e.line, e.column);
}

export async function runStreamParallel(io: CliIo, s: StreamInput, jobs: number, script: string, setup: WorkerSetup): Promise<StreamStats> {
  const t0 = performance.now();
  const pool = await startPool(script, jobs, setup);
  const emit = new Emitter(io, s.renderer);
  let traced = 0;
  let single: string | undefined;
  try {
    for (const batch of s.flows) {
      if (!batch.record) {
        // A YAML list (read whole, its records already parsed): traced here, in order.
        const st = runStream(io, { ...s, flows: [batch] });
        return { ...st, ms: performance.now() - t0 };
      }
      const n = batch.keys.length;
      const pieces: Array<Buffer | undefined> = new Array(n);
      const firstOf = new Map<string, number>();
      const misses: number[] = [];
      for (let i = 0; i < n; i++) {
        const key = batch.keys[i]!;
        const hit = s.cache.get(key);
        if (hit !== undefined) pieces[i] = hit;
        else if (!firstOf.has(key)) {
          firstOf.set(key, i);
          misses.push(i);
        }
      }
      const size = Math.ceil(misses.length / jobs);
      const parts = Array.from({ length: jobs }, (_, w) => misses.slice(w * size, (w + 1) * size));
      const replies = await Promise.all(parts.map((part, w) => (part.length ? pool.ask(w, { file: s.file, items: part.map((i) => batch.record!(i)) }) : null)));
      let errorAt = Infinity;
      let error: Error | null = null;
      parts.forEach((part, w) => {
        const r = replies[w];
        if (!r) return;
        r.pieces.forEach((text, j) => {
          const b = Buffer.from(text, 'utf8');
          pieces[part[j]!] = b;
          s.cache.set(batch.keys[part[j]!]!, b);
          traced++;
        });
        if (r.single !== undefined) single = r.single;
        if (r.error && part[r.pieces.length]! < errorAt) {
          errorAt = part[r.pieces.length]!;
          error = replyError(r.error);
        }
      });
      for (let i = 0; i < n && i < errorAt; i++) emit.add(pieces[i] ?? pieces[firstOf.get(batch.keys[i]!)!]!);
      if (error) throw error;
      s.tick?.(emit.count);
      if (emit.closed()) break;
    }
  } catch (e) {
    emit.flush();
    throw e;
  } finally {
    await pool.close();
  }
  emit.end(() => single!);
  return { flows: emit.count, traced, cacheHits: emit.count - traced, cacheEntries: s.cache.size, cacheCapacity: s.cache.capacity, ms: performance.now() - t0 };
}
