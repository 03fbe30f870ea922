/**
 * Every command the README shows runs, through the built CLI as a user runs it, and prints what
 * the README says it prints. `UPDATE_README=1 npx vitest run test/readme` rewrites the shown
 * outputs (transcripts without a `…` elision) from the CLI, for review in the diff.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCapabilities } from '../../src/verify/index.js';
import { matchesTranscript, readmeCommands, shellWords, type ReadmeCommand } from './readme-blocks.js';

const ROOT = join(import.meta.dirname, '../..');
const README = join(ROOT, 'README.md');
const BIN = join(ROOT, 'bin/sidecar-trace.js');

/**
 * Commands shown for the shape of the call, not run: they name the user's own files, or are
 * shell pipelines. The test asserts this list is exactly what the README holds, so it cannot
 * grow unnoticed.
 */
const ILLUSTRATIVE = [
  'sudo sidecar-trace verify --rules my-pod.txt --scenario all --format json',
  'sidecar-trace diff before.txt after.txt',
  'sidecar-trace --rules node.rules --flows flows.jsonl --format jsonl --stats > traces.jsonl',
  'sidecar-trace --rules fan-out.rules --dst 10.244.2.7:9080 --format json | jq -r \'.warnings[]\'',
];

/** Commands whose exit code 1 is their documented answer ("something changed"). */
const EXIT_ONE_OK = new Set(['diff']);

function runCli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', NO_COLOR: '1', LANG: 'C.UTF-8' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const readme = readFileSync(README, 'utf8');
const commands = readmeCommands(readme);
const illustrative = (c: ReadmeCommand) => ILLUSTRATIVE.includes(c.text);
const caps = checkCapabilities();

describe('README commands', () => {
  it('the README shows commands, and the illustrative ones are exactly the listed few', () => {
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.filter(illustrative).map((c) => c.text).sort()).toEqual([...ILLUSTRATIVE].sort());
  });

  it('every command that is not run is in that list (a pipeline cannot slip through unrun)', () => {
    for (const c of commands) if (c.args === null) expect(ILLUSTRATIVE, `README line ${c.line}`).toContain(c.text);
  });

  it('every file a runnable command names exists in the repository', () => {
    for (const c of commands.filter((x) => !illustrative(x))) {
      for (const a of c.args ?? []) {
        if (/^[\w./-]+\.(rules|txt|ya?ml|log|json|jsonl)$/.test(a) && !a.startsWith('reports/')) {
          expect(existsSync(join(ROOT, a)), `README line ${c.line}: ${a}`).toBe(true);
        }
      }
    }
  });

  const updates: Array<{ range: [number, number]; lines: string[] }> = [];
  for (const cmd of commands.filter((c) => !illustrative(c))) {
    const needsKernel = cmd.sudo;
    const title = `line ${cmd.line}: ${cmd.text}`;
    if (needsKernel && !caps.ok) {
      it.skip(`${title} (needs root and the kernel tools: ${caps.message})`, () => undefined);
      continue;
    }
    it(title, () => {
      const r = runCli(cmd.args!);
      const okCodes = EXIT_ONE_OK.has(cmd.args![0] ?? '') ? [0, 1] : [0];
      expect(okCodes, `exit ${r.code}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr).not.toMatch(/^sidecar-trace: /m);
      for (const want of cmd.contains) expect(r.stdout).toContain(want);
      if (cmd.output !== null && cmd.outputRange !== null) {
        const actual = r.stdout.replace(/\n$/, '').split('\n');
        const elided = cmd.output.includes('…');
        if (process.env.UPDATE_README && !elided) updates.push({ range: cmd.outputRange, lines: actual });
        else expect(matchesTranscript(cmd.output, actual), `README line ${cmd.line} shows other output than the CLI prints:\n${r.stdout}`).toBe(true);
      }
    }, 130_000);
  }

  if (process.env.UPDATE_README) {
    it('rewrites the shown outputs (UPDATE_README=1)', () => {
      const lines = readme.split('\n');
      for (const u of [...updates].sort((a, b) => b.range[0] - a.range[0])) lines.splice(u.range[0], u.range[1] - u.range[0], ...u.lines);
      writeFileSync(README, lines.join('\n'));
      expect(updates.length).toBeGreaterThan(0);
    });
  }
});

describe('README command reader', () => {
  it.each([
    [`--dst 10.96.0.10:53 --annotation 'proxy.istio.io/config=proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}'`, ['--dst', '10.96.0.10:53', '--annotation', 'proxy.istio.io/config=proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}']],
    [`diff "a b" c\\ d`, ['diff', 'a b', 'c d']],
  ])('splits %s as a shell would', (text, words) => {
    expect(shellWords(text, 1)).toEqual(words);
  });

  it('refuses shell syntax it would not run', () => {
    expect(() => shellWords('--rules - | cat', 7)).toThrow(/line 7/);
  });

  it('reads transcripts, shell blocks, continuation lines and output comments', () => {
    const md = [
      '```',
      '$ sidecar-trace --dst 1.2.3.4:80',
      'out 1',
      '…',
      '```',
      '```sh',
      '# comment',
      'npx sidecar-trace --src 1.1.1.1 \\',
      '  --dst 2.2.2.2:80   # trailing',
      '# Local Pod → OUTPUT      (decided by x)',
      'echo not ours',
      '```',
    ].join('\n');
    const cmds = readmeCommands(md);
    expect(cmds.map((c) => [c.line, c.args, c.output, c.contains])).toEqual([
      [2, ['--dst', '1.2.3.4:80'], ['out 1', '…'], []],
      [8, ['--src', '1.1.1.1', '--dst', '2.2.2.2:80'], null, ['Local Pod → OUTPUT']],
    ]);
  });

  it('matches `…` against any run of lines, and nothing else loosely', () => {
    expect(matchesTranscript(['a', '…', 'd'], ['a', 'b', 'c', 'd'])).toBe(true);
    expect(matchesTranscript(['a', '…', 'd'], ['a', 'd'])).toBe(true);
    expect(matchesTranscript(['a', 'b'], ['a', 'c'])).toBe(false);
    expect(matchesTranscript(['a'], ['a', 'extra'])).toBe(false);
  });
});
