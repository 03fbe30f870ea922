/**
 * Output written straight to file descriptors 1 and 2. process.stdout is a stream whose
 * first use loads net and the stream modules (about 13 ms of a 140 ms start when stdout
 * is a pipe); a CLI that prints one answer and exits needs only a synchronous write.
 */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Descriptors whose reader has gone (EPIPE, e.g. `| head`): the rest of the output is not wanted. */
const gone = new Set<number>();

export function writeAllSync(fd: number, text: string | Buffer): void {
  if (gone.has(fd)) return;
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // A non-blocking pipe is full: give the reader a millisecond.
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') {
        gone.add(fd);
        return;
      }
      throw e;
    }
  }
}
