/**
 * Proof of ownership for what a run leaves behind when it cannot clean up (kill -9).
 *
 * Before a run creates anything it writes a marker, /run/sidecar-trace/<base>.owner (a
 * root-only directory), naming its own process (pid and kernel start time), the namespaces it
 * is about to create and, as each comes into being, that namespace's inode and every process
 * it starts (pid, start time). Every run begins by reading the markers: one whose owner is
 * gone (no process with that pid and start time) is stale, and only then are its things
 * removed, each after a second proof:
 *  - a process is killed only when a process with the recorded pid still has the recorded
 *    start time (a reused pid has another) and lives in one of the marker's namespaces
 *    (its /proc/PID/ns/net is that namespace's inode);
 *  - a namespace is deleted only when its name is the marker's and, once recorded, its inode
 *    is the recorded one (a namespace someone re-created under that name has another).
 * A namespace with our prefix but no marker is never touched, only reported.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const MARKER_DIR = '/run/sidecar-trace';
const MARKER_SUFFIX = '.owner';

export interface ProcessRecord {
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks since boot when the process started. */
  start: string;
  label: string;
}

export interface NamespaceRecord {
  name: string;
  /** Inode of /run/netns/NAME once it exists; null while it is being created. */
  inode: number | null;
}

export interface Marker {
  version: 1;
  owner: { pid: number; start: string };
  namespaces: NamespaceRecord[];
  processes: ProcessRecord[];
}

/** The kernel start time of a process, or null when there is no such process. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or ')': count after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall; fields[0] is field 3
  } catch {
    return null;
  }
}

/** Inode of the network namespace a process is in, or null. */
export function processNetns(pid: number): number | null {
  try {
    return statSync(`/proc/${pid}/ns/net`).ino;
  } catch {
    return null;
  }
}

/** Inode of a named network namespace (the nsfs file mounted on /run/netns/NAME), or null. */
export function namespaceInode(name: string): number | null {
  try {
    return statSync(`/run/netns/${name}`).ino;
  } catch {
    return null;
  }
}

function alive(p: { pid: number; start: string }): boolean {
  return processStartTime(p.pid) === p.start;
}

/** The marker directory, created root-only; refuses one that is not a plain directory of ours. */
function markerDir(create: boolean): string | null {
  try {
    mkdirSync(MARKER_DIR, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      if (!create && (err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
  const st = lstatSync(MARKER_DIR);
  if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) {
    throw new Error(`${MARKER_DIR} is not a directory owned by this user and writable only by it; refusing to use it`);
  }
  return MARKER_DIR;
}

/** One run's marker: written before anything exists, updated as things are made, removed last. */
export class RunMarker {
  private readonly file: string;
  private readonly marker: Marker;

  constructor(base: string, namespaces: readonly string[]) {
    const dir = markerDir(true)!;
    this.file = path.join(dir, `${base}${MARKER_SUFFIX}`);
    const start = processStartTime(process.pid);
    if (start === null) throw new Error('cannot read this process start time from /proc');
    this.marker = { version: 1, owner: { pid: process.pid, start }, namespaces: namespaces.map((name) => ({ name, inode: null })), processes: [] };
    this.write();
  }

  /** Record a namespace's inode, right after it was created. */
  namespaceCreated(name: string): void {
    const rec = this.marker.namespaces.find((n) => n.name === name);
    if (rec) rec.inode = namespaceInode(name);
    this.write();
  }

  /** Record a started process. Its start time is read now: the pid is ours until we reap it. */
  processStarted(pid: number, label: string): void {
    const start = processStartTime(pid);
    if (start !== null) this.marker.processes.push({ pid, start, label });
    this.write();
  }

  /** Everything is cleaned up: the marker goes. */
  remove(): void {
    try {
      unlinkSync(this.file);
    } catch {
      // already gone
    }
  }

  /** Synchronous and atomic (write, then rename), so a kill -9 leaves the old or the new marker. */
  private write(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.marker)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

export interface StaleMarker {
  file: string;
  marker: Marker;
}

/** Markers whose owner process is gone. A marker we cannot read or parse is left alone. */
export function staleMarkers(): StaleMarker[] {
  const dir = markerDir(false);
  if (dir === null) return [];
  const out: StaleMarker[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(MARKER_SUFFIX)) continue;
    const file = path.join(dir, name);
    try {
      const st = lstatSync(file);
      if (!st.isFile() || st.uid !== process.getuid?.()) continue;
      const marker = JSON.parse(readFileSync(file, 'utf8')) as Marker;
      if (marker.version !== 1 || alive(marker.owner)) continue;
      out.push({ file, marker });
    } catch {
      continue;
    }
  }
  return out;
}

/** Pids of a stale marker's processes that are provably still the ones it started. */
export function provenProcesses(marker: Marker): ProcessRecord[] {
  const inodes = new Set(marker.namespaces.map((n) => n.inode).filter((i): i is number => i !== null));
  return marker.processes.filter((p) => alive(p) && inodes.has(processNetns(p.pid) ?? -1));
}

/**
 * Names of a stale marker's namespaces that exist and are provably the ones it created: named
 * after the marker file (`<base>-pod`, `<base>-peer`) and, once recorded, with the same inode.
 */
export function provenNamespaces(stale: StaleMarker, prefix: string): string[] {
  const base = path.basename(stale.file, MARKER_SUFFIX);
  return stale.marker.namespaces
    .filter((n) => n.name.startsWith(prefix) && (n.name === `${base}-pod` || n.name === `${base}-peer`))
    .filter((n) => {
      const inode = namespaceInode(n.name);
      return inode !== null && (n.inode === null || n.inode === inode);
    })
    .map((n) => n.name);
}

/** All names the markers in the directory account for, stale or live. */
export function markedNamespaces(): Set<string> {
  const dir = markerDir(false);
  const out = new Set<string>();
  if (dir === null) return out;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(MARKER_SUFFIX)) continue;
    try {
      const marker = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Marker;
      for (const n of marker.namespaces) out.add(n.name);
    } catch {
      continue;
    }
  }
  return out;
}

export function removeMarkerFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
