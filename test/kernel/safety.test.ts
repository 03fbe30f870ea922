/**
 * verify is run as root, so it must be safe by construction (issue 7):
 * interrupted runs leave nothing behind, concurrent runs do not collide, and no
 * program is ever started through a shell.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCapabilities, listNamespaces, MARKER_DIR, removeStaleRuns } from '../../src/verify/index.js';
import { processStartTime } from '../../src/verify/ownership.js';
import { ROOT } from '../helpers/cli.js';

const caps = checkCapabilities();
const BIN = join(ROOT, 'bin', 'sidecar-trace.js');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('no shell, anywhere', () => {
  it('no source file starts a program through a shell', () => {
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/shell:\s*true/);
      expect(text, file).not.toMatch(/\b(execSync|exec)\(\s*[`'"]/);
      expect(text, file).not.toMatch(/from 'node:child_process'[^;]*\bexec\b[,}]/);
    }
  });
});

async function ourNamespaces(pid: number): Promise<string[]> {
  if (!caps.ok) return [];
  return (await listNamespaces(caps.tools.ip)).filter((n) => n.startsWith(`sctrace-${pid}-`));
}

function startVerify(args: string[], env?: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [BIN, 'verify', ...args, '--no-color'], { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out })));
  return { child, done };
}

describe.runIf(caps.ok)('verify under interruption and concurrency', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} mid-run leaves no namespace behind`, async () => {
      const { child, done } = startVerify(['--scenario', 'all']);
      // Wait until the run has made its namespaces, then interrupt it.
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && (await ourNamespaces(child.pid!)).length === 0) await new Promise((r) => setTimeout(r, 20));
      expect((await ourNamespaces(child.pid!)).length).toBeGreaterThan(0);
      child.kill(signal);
      const r = await done;
      expect(r.code === null ? r.signal : r.code).not.toBe(0);
      expect(await ourNamespaces(child.pid!)).toEqual([]);
    }, 40_000);
  }
  it('two verifies at once do not collide', async () => {
    const a = startVerify(['--scenario', '2']);
    const b = startVerify(['--scenario', '4']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.out).toBe(0);
    expect(rb.code, rb.out).toBe(0);
    expect(await ourNamespaces(a.child.pid!)).toEqual([]);
    expect(await ourNamespaces(b.child.pid!)).toEqual([]);
  }, 60_000);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** The marker a verify child wrote (it names the child's pid), parsed; null when there is none. */
function markerOf(pid: number): { file: string; processes: Array<{ pid: number; start: string; label: string }>; namespaces: Array<{ name: string }> } | null {
  if (!existsSync(MARKER_DIR)) return null;
  const name = readdirSync(MARKER_DIR).find((n) => n.startsWith(`sctrace-${pid}-`) && n.endsWith('.owner'));
  if (!name) return null;
  try {
    return { file: join(MARKER_DIR, name), ...JSON.parse(readFileSync(join(MARKER_DIR, name), 'utf8')) };
  } catch {
    return null; // caught between write and rename: try again
  }
}

describe.runIf(caps.ok)('kill -9 during verify (issue 12, F6)', () => {
  it('the next run removes the namespaces and processes the killed run left, and succeeds', async () => {
    const first = startVerify(['--scenario', 'all']);
    const pid = first.child.pid!;
    // Wait until the trace monitor runs: the moment the orphaned tracer came from.
    const deadline = Date.now() + 20_000;
    let marker = markerOf(pid);
    while (Date.now() < deadline && !marker?.processes.some((p) => p.label === 'nft monitor trace')) {
      await sleep(20);
      marker = markerOf(pid);
    }
    expect(marker?.processes.map((p) => p.label)).toContain('nft monitor trace');
    first.child.kill('SIGKILL');
    await first.done;
    expect((await ourNamespaces(pid)).length).toBeGreaterThan(0); // no handler runs on SIGKILL

    const second = startVerify(['--scenario', '2']);
    const r = await second.done;
    expect(r.code, r.out).toBe(0);
    // Every verify removes what dead runs left, so a verify of another test file running at the
    // same moment may get there first; then this run finds nothing. Whoever did it, the leftovers
    // are gone, and a run that removed them says so.
    const reported = r.out.includes(`deleted network namespaces left by an earlier run that was killed: sctrace-${pid}-`);
    if (!reported) expect(r.out).not.toContain('deleted network namespaces');
    expect(await ourNamespaces(pid)).toEqual([]);
    // Gone, dead (a zombie waiting for init to reap it), or the pid is now another process's.
    for (const p of marker!.processes) expect(processStartTime(p.pid) === p.start && !isZombie(p.pid), p.label).toBe(false);
    expect(existsSync(marker!.file)).toBe(false);
    expect(await ourNamespaces(second.child.pid!)).toEqual([]);
  }, 60_000);
});

describe.runIf(caps.ok)('stale cleanup proves ownership, never by name alone', () => {
  const ip = caps.ok ? caps.tools.ip : 'ip';
  const inNs = (ns: string) => spawn(ip, ['netns', 'exec', ns, '/bin/sleep', '60'], { stdio: 'ignore' });
  const ino = (ns: string) => statSync(`/run/netns/${ns}`).ino;

  it('kills only recorded processes with their start time in the marked namespace; deletes only marked namespaces with their inode', async () => {
    // A dead owner: a process that has exited.
    const dead = spawnSync('/bin/true').pid;
    const base = `sctrace-${dead}-${randomBytes(4).toString('hex')}`;
    const other = `sctrace-${dead}-${randomBytes(4).toString('hex')}`;
    const [pod, peer, unmarked, recreated] = [`${base}-pod`, `${base}-peer`, `${other}-pod`, `${other}-peer`];
    for (const ns of [pod, peer, unmarked, recreated]) execFileSync(ip, ['netns', 'add', ns]);
    const tracer = inNs(pod);
    const reused = inNs(pod); // recorded with another start time: a pid now someone else's
    const outside = spawn('/bin/sleep', ['60'], { stdio: 'ignore' }); // right start time, wrong namespace
    await sleep(200);
    mkdirSync(MARKER_DIR, { recursive: true, mode: 0o700 });
    const write = (name: string, marker: unknown) => writeFileSync(join(MARKER_DIR, `${name}.owner`), JSON.stringify(marker));
    write(base, {
      version: 1,
      owner: { pid: dead, start: '1' },
      namespaces: [{ name: pod, inode: ino(pod) }, { name: peer, inode: ino(peer) }],
      processes: [
        { pid: tracer.pid, start: processStartTime(tracer.pid!), label: 'nft monitor trace' },
        { pid: reused.pid, start: '1', label: 'prober' },
        { pid: outside.pid, start: processStartTime(outside.pid!), label: 'listener' },
      ],
    });
    // A namespace re-created under a marked name has another inode.
    write(other, { version: 1, owner: { pid: dead, start: '1' }, namespaces: [{ name: recreated, inode: 1 }], processes: [] });
    try {
      const r = await removeStaleRuns(ip);
      expect(r.processes).toEqual([{ pid: tracer.pid, label: 'nft monitor trace' }]);
      expect(r.namespaces.sort()).toEqual([peer, pod].sort());
      expect(r.unmarked).toContain(unmarked);
      expect(processStartTime(tracer.pid!)).toBeNull();
      expect(processStartTime(reused.pid!)).not.toBeNull();
      expect(processStartTime(outside.pid!)).not.toBeNull();
      const left = await listNamespaces(ip);
      expect(left).not.toContain(pod);
      expect(left).toContain(unmarked);
      expect(left).toContain(recreated);
      expect(existsSync(join(MARKER_DIR, `${base}.owner`))).toBe(false);
    } finally {
      for (const p of [tracer, reused, outside]) p.kill('SIGKILL');
      rmSync(join(MARKER_DIR, `${other}.owner`), { force: true });
      rmSync(join(MARKER_DIR, `${base}.owner`), { force: true });
      for (const ns of [pod, peer, unmarked, recreated]) spawnSync(ip, ['netns', 'del', ns], { stdio: 'ignore' });
    }
  }, 30_000);

  it('leaves a live run alone', async () => {
    const base = `sctrace-${process.pid}-${randomBytes(4).toString('hex')}`;
    execFileSync(ip, ['netns', 'add', `${base}-pod`]);
    mkdirSync(MARKER_DIR, { recursive: true, mode: 0o700 });
    const file = join(MARKER_DIR, `${base}.owner`);
    writeFileSync(file, JSON.stringify({ version: 1, owner: { pid: process.pid, start: processStartTime(process.pid) }, namespaces: [{ name: `${base}-pod`, inode: null }], processes: [] }));
    try {
      await removeStaleRuns(ip);
      expect(await listNamespaces(ip)).toContain(`${base}-pod`);
      expect(existsSync(file)).toBe(true);
    } finally {
      rmSync(file, { force: true });
      spawnSync(ip, ['netns', 'del', `${base}-pod`], { stdio: 'ignore' });
    }
  });
});

describe.runIf(caps.ok)('programs come from the system directories, never PATH', () => {
  it('a planted `ip` (and nft, iptables-restore) earlier in PATH is not run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-trace-planted-'));
    chmodSync(dir, 0o755);
    const ran = join(dir, 'ran');
    for (const name of ['ip', 'nft', 'iptables-restore', 'iptables-nft-restore', 'perl', 'tee']) {
      writeFileSync(join(dir, name), `#!/bin/sh\necho ${name} >> ${ran}\nexit 1\n`, { mode: 0o755 });
    }
    try {
      const r = await startVerify(['--scenario', '2'], { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` }).done;
      expect(r.code, r.out).toBe(0);
      expect(existsSync(ran) ? readFileSync(ran, 'utf8') : '').toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
