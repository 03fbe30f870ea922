/**
 * verify is run as root, so it must be safe by construction (issue 7):
 * interrupted runs leave nothing behind, concurrent runs do not collide, and no
 * program is ever started through a shell.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCapabilities, listNamespaces } from '../../src/verify/index.js';
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

function startVerify(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'verify', ...args, '--no-color'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
