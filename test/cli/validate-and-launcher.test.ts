/**
 * --validate on a node dump with a bad rule no flow reaches, and the launcher:
 * bin/sidecar-trace.js runs the bundle with its code cache, compiles as usual without one
 * or with one V8 refuses, and stops writing quietly when the reader goes away.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKubeProxyDump } from '../../bench/generate.js';
import type { Trace } from '../../src/core/trace.js';
import { cli, ROOT } from '../helpers/cli.js';

describe('--validate', () => {
  const dump = generateKubeProxyDump({ rules: 3000, seed: 21 });
  const lines = dump.text.split('\n');
  const at = lines.findLastIndex((l) => l.startsWith('-A KUBE-SEP-'));
  const chain = /^-A (\S+)/.exec(lines[at]!)![1]!;
  lines.splice(at + 1, 0, `-A ${chain} -p tcp -m tcp --dport 70000 -j ACCEPT`);
  const text = lines.join('\n');
  const svc = dump.services.find((s) => s.endpoints.length > 0)!;
  const args = ['--rules', '-', '--src', '10.1.2.3', '--dst', `${svc.vip}:${svc.port}`, '--proto', svc.proto, '--format', 'json'];

  it('by default a node dump loads lazily: a trace that does not reach the bad rule runs, and its notes say how the rules were loaded', async () => {
    const r = await cli(args, { stdin: text });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Trace).notes.join()).toMatch(/each rule is parsed and checked when a flow first reaches it \(--validate all/);
  });

  it('--validate all checks every rule at load: exit 2 with the file, the line and what was expected', async () => {
    const r = await cli([...args, '--validate', 'all'], { stdin: text });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^sidecar-trace: <stdin>:${at + 2}: invalid port "70000"`));
  });

  it('--validate reached loads a small file lazily too, and a flow that reaches the bad rule stops with the same message', async () => {
    const small = '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -m tcp --dport 70000 -j ACCEPT\nCOMMIT\n';
    const eager = await cli(['--rules', '-', '--dst', '10.244.2.7:9080'], { stdin: small });
    const lazy = await cli(['--rules', '-', '--dst', '10.244.2.7:9080', '--validate', 'reached'], { stdin: small });
    expect(eager.code).toBe(2);
    expect(lazy.code).toBe(2);
    expect(lazy.stderr).toBe(eager.stderr);
    expect(lazy.stderr).toMatch(/^sidecar-trace: <stdin>:3: invalid port "70000"/);
  });
});

describe('the launcher', () => {
  const BIN = join(ROOT, 'bin/sidecar-trace.js');
  const ARGS = ['--dst', '10.244.2.7:9080', '--format', 'json'];
  const expected = spawnSync(process.execPath, [BIN, ...ARGS], { encoding: 'utf8' });

  // A copy of the installed layout (bin/, dist/bundle/, rules/) with the cache as the case needs it.
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const layout = (cache: 'none' | 'garbage') => {
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-trace-launcher-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'dist/bundle'), { recursive: true });
    copyFileSync(BIN, join(dir, 'bin/sidecar-trace.js'));
    copyFileSync(join(ROOT, 'dist/bundle/sidecar-trace.cjs'), join(dir, 'dist/bundle/sidecar-trace.cjs'));
    if (cache === 'garbage') writeFileSync(join(dir, 'dist/bundle/sidecar-trace.cjs.v8cache'), Buffer.alloc(4096, 7));
    symlinkSync(join(ROOT, 'rules'), join(dir, 'rules'));
    // An ESM file next to bin/, as the package has (its package.json says "type": "module").
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
    return join(dir, 'bin/sidecar-trace.js');
  };

  it('runs the bundle with the code cache the build made', () => {
    expect(expected.status).toBe(0);
    expect(expected.stderr).toBe('');
    expect((JSON.parse(expected.stdout) as Trace).hops.length).toBe(2);
  });

  it.each(['none', 'garbage'] as const)('without a usable code cache (%s) compiles the script and prints the same trace', (cache) => {
    const r = spawnSync(process.execPath, [layout(cache), ...ARGS], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(expected.stdout);
  });

  it('stops writing quietly when the reader goes away (EPIPE), with no stack trace', async () => {
    // Output well over a pipe's buffer (64 KiB): every miss of a 10k-rule dump.
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-trace-epipe-'));
    dirs.push(dir);
    const dump = join(dir, 'node.rules');
    writeFileSync(dump, generateKubeProxyDump({ rules: 10000, seed: 3 }).text);
    const args = ['--rules', dump, '--src', '10.1.2.3', '--dst', '10.96.0.1:443', '--explain', '--format', 'json'];
    const full = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(full.stdout.length).toBeGreaterThan(256 * 1024);
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Read the first chunk, then close our end of the pipe.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
