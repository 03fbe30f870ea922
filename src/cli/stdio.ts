/**
 * Output written straight to file descriptors 1 and 2. process.stdout is a stream whose
 * first use loads net and the stream modules (about 13 ms of a 140 ms start when stdout
 * is a pipe); a CLI that prints one answer and exits needs only a synchronous write.
 */
import { writeSync, writevSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Descriptors whose reader has gone (EPIPE, e.g. `| head`): the rest of the output is not wanted. */
const gone = new Set<number>();

/**
 * A failed write: a full non-blocking pipe (EAGAIN) gives the reader a millisecond and is
 * retried; a reader that has gone (EPIPE) ends output to this descriptor; anything else throws.
 */
function afterWriteError(fd: number, e: unknown): 'retry' | 'gone' {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EAGAIN') {
    Atomics.wait(pause, 0, 0, 1);
    return 'retry';
  }
  if (code === 'EPIPE') {
    gone.add(fd);
    return 'gone';
  }
  throw e;
}

export function writeAllSync(fd: number, text: string | Buffer): void {
  if (gone.has(fd)) return;
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      if (afterWriteError(fd, e) === 'gone') return;
    }
  }
}

/** Most buffers one writev takes (Linux IOV_MAX). */
const IOV_MAX = 1024;

/**
 * Several buffers written as they are (writev), without first copying them into one: a
 * streamed batch writes the cache's bytes of each trace, gigabytes for a large node dump.
 */
export function writevAllSync(fd: number, parts: Buffer[]): void {
  let i = 0;
  let off = 0;
  while (i < parts.length) {
    if (gone.has(fd)) return;
    // An empty buffer writes nothing: step over it, or a writev of empties would return 0 for ever.
    if (parts[i]!.length === off) {
      i++;
      off = 0;
      continue;
    }
    const batch = parts.slice(i, i + IOV_MAX);
    if (off) batch[0] = batch[0]!.subarray(off);
    let n: number;
    try {
      n = writevSync(fd, batch);
    } catch (e) {
      if (afterWriteError(fd, e) === 'gone') return;
      continue;
    }
    // Step over what was written: whole buffers, then part of one.
    while (n > 0 && i < parts.length) {
      const rest = parts[i]!.length - off;
      if (n >= rest) {
        n -= rest;
        i++;
        off = 0;
      } else {
        off += n;
        n = 0;
      }
    }
  }
}

/** The reader of this descriptor has gone (EPIPE): nothing more needs computing for it. */
export function isGone(fd: number): boolean {
  return gone.has(fd);
}
