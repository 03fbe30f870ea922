/**
 * Every input goes through the one bounded reader (issue 12, F3): devices are refused,
 * endless pipes stop at --max-input-size, errno reasons read alike, invalid UTF-8 is
 * refused with its position instead of merging names.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'st-reader-'));
const DST = ['--dst', '10.244.2.7:9080'];
const checkNaming = (file: string) => {
  const p = join(tmp, `names-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, `rules:\n  file: ${file}\nflows:\n  - dst: 10.244.2.7:9080\n    expect: { via: envoy-outbound }\n`);
  return p;
};

describe('device files are refused before any reading', () => {
  const device = /cannot read (rules|flows|check file|mesh config|ipset file|group file|passwd file): is a device, not a file \(only regular files, pipes and terminals are read\)/;
  it.each([
    ['--rules', ['--rules', '/dev/zero', ...DST], /^sidecar-trace: \/dev\/zero: cannot read rules: is a device/],
    ['--flows', ['--flows', '/dev/zero'], /^sidecar-trace: \/dev\/zero: cannot read flows: is a device/],
    ['check FILE', ['check', '/dev/zero'], /^sidecar-trace: \/dev\/zero: cannot read check file: is a device/],
    ['diff --flows', ['diff', 'profile:istio-1.25', 'profile:istio-1.13', '--flows', '/dev/zero'], /^sidecar-trace: \/dev\/zero: cannot read flows: is a device/],
    ['--mesh-config', ['--istio-version', '1.25', '--mesh-config', '/dev/zero', ...DST], /^sidecar-trace: \/dev\/zero: cannot read mesh config: is a device/],
    ['--ipset', ['--ipset', '/dev/zero', ...DST], /^sidecar-trace: \/dev\/zero: cannot read ipset file: is a device/],
    ['--group-file', ['--group-file', '/dev/zero', ...DST], /^sidecar-trace: \/dev\/zero: cannot read group file: is a device/],
    ['--passwd-file', ['--passwd-file', '/dev/zero', ...DST], /^sidecar-trace: \/dev\/zero: cannot read passwd file: is a device/],
  ])('%s /dev/zero: exit 2 with the reason', async (_, args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(device);
  });
  it('a check file naming /dev/zero as its rules: located at the file key', async () => {
    const r = await cli(['check', checkNaming('/dev/zero')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/names-\w+\.yaml:2:9: \/dev\/zero: cannot read rules: is a device/);
  });
  it.each([
    ['a directory', tmp, 'is a directory'],
    ['a missing file', join(tmp, 'nope'), 'no such file'],
  ])('%s reads alike for every input', async (_, path, why) => {
    for (const [args, what] of [
      [['--rules', path, ...DST], 'rules'],
      [['--flows', path], 'flows'],
      [['check', path], 'check file'],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`sidecar-trace: ${path}: cannot read ${what}: ${why}\n`);
    }
  });
});

describe('endless pipes stop at --max-input-size', () => {
  let writers: ChildProcess[] = [];
  afterEach(() => {
    for (const w of writers) w.kill('SIGKILL');
    writers = [];
  });
  /** A FIFO with `yes` writing into it for ever (killed after the test). */
  const endlessFifo = () => {
    const path = join(tmp, `fifo-${Math.random().toString(36).slice(2)}`);
    expect(spawnSync('mkfifo', [path]).status).toBe(0);
    const w = spawn('sh', ['-c', `exec yes > '${path}'`], { stdio: 'ignore' });
    writers.push(w);
    return path;
  };
  const past = /input goes on past the 1 MiB limit \(raise it with --max-input-size MIB\)/;
  it('--rules FIFO', async () => {
    const r = await cli(['--rules', endlessFifo(), '--max-input-size', '1', ...DST]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(past);
  });
  it('--flows FIFO', async () => {
    const r = await cli(['--flows', endlessFifo(), '--max-input-size', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(past);
  });
  it('check FIFO, and a FIFO named in a check file (the default limit, 256 MiB)', async () => {
    const direct = await cli(['check', endlessFifo()]);
    expect(direct.code).toBe(2);
    expect(direct.stderr).toMatch(/input goes on past the 256 MiB limit/);
    const named = await cli(['check', checkNaming(endlessFifo())]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/input goes on past the 256 MiB limit/);
  });
  it('stdin of the real process: `yes | sidecar-trace --rules -`', () => {
    // The shell's `yes` ends with SIGPIPE when the CLI exits.
    const r = spawnSync('sh', ['-c', `yes | '${process.execPath}' '${join(ROOT, 'bin/sidecar-trace.js')}' --rules - --max-input-size 1 --dst 10.244.2.7:9080`], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sidecar-trace: <stdin>: input goes on past the 1 MiB limit/);
  });
});

describe('invalid UTF-8', () => {
  it('two chain names differing only in invalid bytes are refused, not merged into a false loop', async () => {
    const file = join(tmp, 'bad-utf8.rules');
    const text = (name: string) => Buffer.from(name, 'latin1');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('*filter\n:OUTPUT ACCEPT [0:0]\n:'),
        text('A\xff'),
        Buffer.from(' - [0:0]\n:'),
        text('A\xfe'),
        Buffer.from(' - [0:0]\n-A OUTPUT -j '),
        text('A\xff'),
        Buffer.from('\nCOMMIT\n'),
      ]),
    );
    const r = await cli(['--rules', file, ...DST]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sidecar-trace: ${file}:3:3: invalid UTF-8 (input must be UTF-8 text)\n`);
  });
  it('the column counts characters before the bad byte', async () => {
    const file = join(tmp, 'bad-utf8-col.rules');
    writeFileSync(file, Buffer.concat([Buffer.from('*filter\n-A OUTPUT -m comment --comment "日本'), Buffer.from([0xe6, 0x97]), Buffer.from('" -j ACCEPT\nCOMMIT\n')]));
    const r = await cli(['--rules', file, ...DST]);
    expect(r.stderr).toBe(`sidecar-trace: ${file}:2:35: invalid UTF-8 (input must be UTF-8 text)\n`);
  });
});
