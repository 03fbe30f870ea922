/**
 * The one reader for every input the user names: rules, flows, check files, files named
 * inside check files, --pod/--mesh-config, and stdin ("-"). It looks before it reads
 * (devices other than pipes, sockets and terminals are refused: /dev/zero never ends),
 * reads in chunks, and stops at the size limit, so an endless pipe ends in a clear
 * error instead of gigabytes of memory.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { isatty } from 'node:tty';
import { InputError } from '../core/errors.js';

/**
 * 64 KiB: a pipe's size. A chunk's text stays below V8's large-object size, so a streamed
 * batch's garbage dies young; 1 MiB chunks made peak RSS grow with the number of flows.
 */
const CHUNK = 64 * 1024;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** An errno as the one phrase every message uses. */
export function errnoReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default:
      return (e as Error).message;
  }
}

/** Why a file of this kind is not read, or null when it is. */
function refusal(st: Stats, fd: number): string | null {
  if (st.isDirectory()) return 'is a directory';
  if (st.isFile() || st.isFIFO() || st.isSocket()) return null;
  if (st.isCharacterDevice() && isatty(fd)) return null;
  return 'is a device, not a file (only regular files, pipes and terminals are read)';
}

/**
 * Chunks of a file ("-": stdin) as they are read, at most maxBytes in all. `what` names the
 * input in messages ("rules", "flows", …); `label` is the file as messages show it. The
 * file is closed when iteration ends, early or not.
 */
export function* readChunks(path: string, what: string, label: string, maxBytes: number): Generator<Buffer> {
  let fd: number;
  try {
    fd = path === '-' ? 0 : openSync(path, 'r');
  } catch (e) {
    throw new InputError(`cannot read ${what}: ${errnoReason(e)}`, label, null);
  }
  try {
    const st = fstatSync(fd);
    const why = refusal(st, fd);
    if (why) throw new InputError(`cannot read ${what}: ${why}`, label, null);
    // A regular file's size is known before reading: refuse it whole, giving the size.
    if (st.isFile() && st.size > maxBytes) throw overLimit(label, st.size, maxBytes);
    yield* boundedChunks(fdChunks(fd, what, label), label, maxBytes, false);
  } finally {
    if (path !== '-') closeSync(fd);
  }
}

function* fdChunks(fd: number, what: string, label: string): Generator<Buffer> {
  // One scratch buffer, copied out by the bytes read (a pipe's read is often short).
  const buf = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, CHUNK, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A non-blocking stdin with nothing in it yet: wait a millisecond, as a blocking read would.
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      if (code === 'EOF') return;
      throw new InputError(`cannot read ${what}: ${errnoReason(e)}`, label, null);
    }
    if (n === 0) return;
    yield Buffer.from(buf.subarray(0, n));
  }
}

/** `exact`: the size is known (a file, a buffer); else the input was cut off at the limit. */
export function overLimit(label: string, bytes: number, maxBytes: number, exact = true): InputError {
  const limit = `${(maxBytes / 1024 / 1024).toFixed(0)} MiB limit (raise it with --max-input-size MIB)`;
  return new InputError(exact ? `input is ${(bytes / 1024 / 1024).toFixed(1)} MiB, over the ${limit}` : `input goes on past the ${limit}`, label, null);
}

/** Chunks, stopping with an error once more than maxBytes have come. */
export function* boundedChunks(chunks: Iterable<Buffer>, label: string, maxBytes: number, exact = true): Generator<Buffer> {
  let total = 0;
  for (const c of chunks) {
    total += c.length;
    if (total > maxBytes) throw overLimit(label, total, maxBytes, exact);
    yield c;
  }
}

/** A whole input as one buffer. */
export function concatChunks(chunks: Iterable<Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) parts.push(c);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
