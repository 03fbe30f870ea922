/**
 * Output files (issue 12, F4): `check --junit` writes a regular file only. Devices,
 * directories, links to them and the run's own inputs are refused before anything is
 * written (exit 2); an existing file keeps its mode and owner; `-` is stdout.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;

/** A temp dir holding a small passing check file (check.yaml) and the rules file it names (pod.rules). */
function workspace(): { dir: string; check: string; rules: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-trace-output-'));
  const rules = join(dir, 'pod.rules');
  copyFileSync(join(ROOT, 'rules/istio-1.25.rules'), rules);
  const check = join(dir, 'check.yaml');
  writeFileSync(check, 'rules: { file: pod.rules }\nflows:\n  - name: out\n    dst: 10.244.2.7:9080\n    expect: { via: envoy-outbound }\n');
  return { dir, check, rules };
}

describe('check --junit: what it refuses, before writing anything', () => {
  it('a character device: refused, and the node stays a device', async () => {
    const { dir, check } = workspace();
    let dev = '/dev/null';
    if (isRoot) {
      // Never risk the real /dev/null: a node of our own in the temp dir.
      dev = join(dir, 'null');
      execFileSync('mknod', [dev, 'c', '1', '3']);
    }
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    const r = await cli(['check', check, '--junit', dev]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sidecar-trace: --junit ${dev}: refused: it is a character device; give the path of a regular file (or - for stdout)\n`);
    expect(r.stdout).toBe('');
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
  });

  it('a directory, and a symbolic link to one', async () => {
    const { dir, check } = workspace();
    symlinkSync(dir, join(dir, 'link'));
    for (const target of [dir, join(dir, 'link')]) {
      const r = await cli(['check', check, '--junit', target]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/refused: it is a directory/);
    }
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true);
  });

  it('a named pipe', async () => {
    const { dir, check } = workspace();
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await cli(['check', check, '--junit', fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refused: it is a named pipe/);
  });

  it('the check file itself, under its own name, another link, or as redirected stdin', async () => {
    const { dir, check } = workspace();
    const before = readFileSync(check, 'utf8');
    symlinkSync(check, join(dir, 'alias.yaml'));
    for (const args of [
      ['check', check, '--junit', check],
      ['check', check, '--junit', join(dir, 'alias.yaml')],
      ['check', join(dir, 'alias.yaml'), '--junit', check],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/refused: it is an input of this run/);
    }
    expect(readFileSync(check, 'utf8')).toBe(before);
  });

  it('a rules file the check file names', async () => {
    const { check, rules } = workspace();
    const before = readFileSync(rules, 'utf8');
    const r = await cli(['check', check, '--junit', rules]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sidecar-trace: --junit ${rules}: refused: it is an input of this run (${rules}); inputs are never overwritten\n`);
    expect(readFileSync(rules, 'utf8')).toBe(before);
  });

  it('an --ipset file of the run', async () => {
    const { dir, check } = workspace();
    const sets = join(dir, 'sets.txt');
    writeFileSync(sets, 'create S hash:ip family inet\nadd S 10.0.0.1\n');
    const r = await cli(['check', check, '--ipset', sets, '--junit', sets]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sidecar-trace: --junit ${sets}: refused: it is an input of this run (${sets}); inputs are never overwritten\n`);
    expect(readFileSync(sets, 'utf8')).toBe('create S hash:ip family inet\nadd S 10.0.0.1\n');
  });
});

describe('check --junit: what it writes', () => {
  it('keeps an existing file\'s mode (0640 stays 0640) and leaves no temporary file', async () => {
    const { dir, check } = workspace();
    const xml = join(dir, 'report.xml');
    writeFileSync(xml, 'old');
    chmodSync(xml, 0o640);
    expect((await cli(['check', check, '--junit', xml])).code).toBe(0);
    expect(readFileSync(xml, 'utf8')).toMatch(/^<\?xml/);
    expect(statSync(xml).mode & 0o7777).toBe(0o640);
    expect(readdirSync(dir).sort()).toEqual(['check.yaml', 'pod.rules', 'report.xml']);
  });

  it.skipIf(!isRoot)("as root, keeps an existing file's owner and group (nobody stays nobody)", async () => {
    const { dir, check } = workspace();
    const xml = join(dir, 'report.xml');
    writeFileSync(xml, 'old');
    chownSync(xml, 65534, 65534);
    chmodSync(xml, 0o640);
    expect((await cli(['check', check, '--junit', xml])).code).toBe(0);
    const st = statSync(xml);
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([65534, 65534, 0o640]);
    expect(readFileSync(xml, 'utf8')).toMatch(/^<\?xml/);
  });

  it('follows a symbolic link to a regular file: the file is replaced, the link stays', async () => {
    const { dir, check } = workspace();
    const xml = join(dir, 'report.xml');
    writeFileSync(xml, 'old');
    symlinkSync(xml, join(dir, 'latest.xml'));
    expect((await cli(['check', check, '--junit', join(dir, 'latest.xml')])).code).toBe(0);
    expect(lstatSync(join(dir, 'latest.xml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(xml, 'utf8')).toMatch(/^<\?xml/);
  });

  it('"-" writes the XML to stdout, the report to stderr, and creates no file named "-"', async () => {
    const { dir, check } = workspace();
    const r = await cli(['check', check, '--junit', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml version="1\.0"/);
    expect(r.stderr).toMatch(/1 flow: 1 passed, 0 failed/);
    expect(readdirSync(dir)).not.toContain('-');
    expect(readdirSync(process.cwd())).not.toContain('-');
  });
});

