/**
 * Output files (`check --junit FILE`): written to a regular file only, atomically.
 *
 * The text goes to a temporary file in the same directory, which takes the existing
 * file's owner and mode, and is then renamed over the target, so a reader (a CI step
 * collecting JUnit reports) sees the old file or the new one, never half of one.
 * Refused, before anything is written: device nodes (renaming over /dev/null as root
 * would turn it into a regular file), directories, FIFOs and sockets, symbolic links
 * to any of those, the tool's own input files (compared by device and inode, so
 * another name for the same file is caught too), a file the user cannot write, and a
 * file whose owner the new file cannot be given. A symbolic link to a regular file is
 * followed: the file it points to is replaced and the link stays. `-` is stdout.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';

export interface OutputTarget {
  /** The flag that names the file, for messages (`--junit`). */
  flag: string;
  /** Files this run reads (`-` for stdin): the output may not be one of them. */
  inputs: readonly string[];
  /** Where `-` writes. */
  stdout: (text: string) => void;
}

function kindOf(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function statOrNull(path: string | number): Stats | null {
  try {
    return typeof path === 'number' ? fstatSync(path) : statSync(path);
  } catch {
    return null;
  }
}

const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/** Why the output may not go to `path` (following symbolic links), or null when it may; `existing` is the file there now. */
function refusal(path: string, target: OutputTarget): { why: string | null; existing: Stats | null; real: string } {
  const st = statOrNull(path);
  if (!st) {
    const dir = statOrNull(dirname(path));
    return { why: dir?.isDirectory() ? null : 'cannot write: no such directory', existing: null, real: path };
  }
  const kind = kindOf(st);
  if (kind) return { why: `refused: it is ${kind}; give the path of a regular file (or - for stdout)`, existing: st, real: path };
  for (const input of target.inputs) {
    // A redirected stdin (`check - < s.yaml`) is a file too.
    const other = statOrNull(input === '-' ? 0 : input);
    if (other && sameFile(st, other)) return { why: `refused: it is an input of this run (${input === '-' ? 'stdin' : input}); inputs are never overwritten`, existing: st, real: path };
  }
  try {
    accessSync(path, constants.W_OK);
  } catch {
    return { why: 'cannot write: permission denied', existing: st, real: path };
  }
  return { why: null, existing: st, real: realpathSync(path) };
}

/** Refuse, before any work, an output path the write would refuse (exit 2). */
export function checkOutputPath(path: string, target: OutputTarget): void {
  if (path === '-') return;
  const r = refusal(path, target);
  if (r.why) throw new UsageError(`${target.flag} ${path}: ${r.why}`);
}

/** Write `text` to `path` as the module comment says; `-` writes to stdout. */
export function writeOutputFile(path: string, text: string, target: OutputTarget): void {
  if (path === '-') {
    target.stdout(text);
    return;
  }
  const { why, existing, real } = refusal(path, target);
  if (why) throw new UsageError(`${target.flag} ${path}: ${why}`);
  const tmp = join(dirname(real), `.${basename(real)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    const buf = Buffer.from(text, 'utf8');
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
    if (existing) keepOwnerAndMode(fd, existing, target.flag, path);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, real);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : (e as Error).message;
    throw new UsageError(`${target.flag} ${path}: cannot write: ${reason}`);
  }
}

/** Give the new file the replaced file's owner, group and mode (owner first: chown clears set-id bits). */
function keepOwnerAndMode(fd: number, existing: Stats, flag: string, path: string): void {
  const now = fstatSync(fd);
  if (now.uid !== existing.uid || now.gid !== existing.gid) {
    try {
      fchownSync(fd, existing.uid, existing.gid);
    } catch {
      throw new UsageError(`${flag} ${path}: cannot keep its owner (uid ${existing.uid}, gid ${existing.gid}) on the replacement; not replaced (write to a new path, or run as the owner)`);
    }
  }
  fchmodSync(fd, existing.mode & 0o7777);
}
