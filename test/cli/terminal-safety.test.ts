/**
 * Terminal safety (issue 12, F9): text from the input reaches the terminal with its
 * control characters escaped, in every human format, in errors and in commander's
 * complaints; JSON keeps the exact names; names are never stripped of escape sequences.
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { toLogicalLines } from '../../src/sources/istio-init/log-prefix.js';
import type { Trace } from '../../src/core/trace.js';
import { showable } from '../../src/render/safe-text.js';
import { cli, fixture } from '../helpers/cli.js';

const EVIL = fixture('terminal/escape-sequences.rules');
const CHAIN = 'EVIL\x1b[31mRED';
/** What a terminal would act on: C0 controls other than the line break, DEL, C1, line separators, bidi overrides. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('showable', () => {
  it('escapes C0, DEL, C1, separators and bidi controls, and nothing else', () => {
    expect(showable('a\x1b]52;c;QQ==\x07b')).toBe('a\\x1b]52;c;QQ==\\x07b');
    expect(showable('\x9b2J\x7f\t\n\r\u202e\u2028')).toBe('\\x9b2J\\x7f\\t\\n\\r\\u202e\\u2028');
    expect(showable('plain → ≠ café 日本')).toBe('plain → ≠ café 日本');
  });
});

describe('rule text from the input on the terminal', () => {
  for (const format of ['table', 'path', 'mermaid', 'dot']) {
    for (const extra of [[], ['--explain'], ['--ascii']]) {
      it(`--format ${format} ${extra.join(' ')}: no raw control characters, the real chain name shown escaped`, async () => {
        const r = await cli(['--rules', EVIL, '--dst', '10.244.2.7:80', '--format', format, ...extra]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).not.toMatch(RAW_CONTROL);
        // DOT doubles the backslash of the escape inside its quoted strings.
        expect(r.stdout).toContain(format === 'dot' ? 'EVIL\\\\x1b[31mRED' : 'EVIL\\x1b[31mRED');
      });
    }
  }

  it('the table shows the comment escaped, clipboard sequence (OSC 52), C1 CSI and bidi override included', async () => {
    const r = await cli(['--rules', EVIL, '--dst', '10.244.2.7:80']);
    for (const part of ['"\\x1b]52;c;SGVsbG8=\\x07clipboard', '\\x9b', '\\u202e"']) expect(r.stdout).toContain(part);
  });

  it('JSON keeps the exact names (escape sequences are part of them, never stripped), with C1 written as \\u escapes', async () => {
    const r = await cli(['--rules', EVIL, '--dst', '10.244.2.7:80', '--format', 'json']);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.hops[0]!.steps.map((s) => s.chain)).toContain(CHAIN);
    expect(t.hops[0]!.steps[0]!.text).toBe(`-A OUTPUT -m comment --comment "\x1b]52;c;SGVsbG8=\x07clipboard \x9b \u202e" -j ${CHAIN}`);
  });

  it('YAML keeps the exact names too, every control character escaped in double quotes', async () => {
    const r = await cli(['--rules', EVIL, '--dst', '10.244.2.7:80', '--format', 'yaml']);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const json = await cli(['--rules', EVIL, '--dst', '10.244.2.7:80', '--format', 'json']);
    expect(parseYaml(r.stdout)).toEqual(JSON.parse(json.stdout));
  });

  it('a coloured log loses the colours of its prefix and ends, not the escape sequences inside a rule', async () => {
    const r = await cli(['--rules', fixture('terminal/coloured-log.log'), '--dst', '10.244.2.7:80', '--format', 'json']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.hops[0]!.steps.map((s) => s.chain)).toEqual(['OUTPUT', 'KEEP\x1b[7mME']);
  });
});

describe('log colours', () => {
  it('are removed from prefixes and line ends only; blanks before a CRI continuation stay', () => {
    const lines = [
      '\x1b[32m2024-05-07T02:28:03Z\x1b[0m info \x1b[1m-A OUTPUT -j KEEP\x1b[7mME\x1b[0m ',
      '\x1b[1m-A OUTPUT -j ACCEPT\x1b[0m',
      '2024-05-07T02:28:03.1Z stdout P -A OUTPUT -p tcp \x1b[0m',
      '2024-05-07T02:28:03.2Z stdout F -j RETURN',
    ];
    expect(toLogicalLines(lines).map((l) => l.text)).toEqual(['-A OUTPUT -j KEEP\x1b[7mME', '-A OUTPUT -j ACCEPT', '-A OUTPUT -p tcp -j RETURN']);
  });
});

describe('rules', () => {
  it('prints the rules byte for byte to a pipe, escaped on a terminal', async () => {
    const piped = await cli(['rules', '--rules', EVIL]);
    expect(piped.stdout).toContain(`:${CHAIN} - [0:0]`);
    const tty = await cli(['rules', '--rules', EVIL], { tty: true });
    expect(tty.stdout).not.toMatch(RAW_CONTROL);
    expect(tty.stdout).toContain(':EVIL\\x1b[31mRED - [0:0]');
  });
});

describe('errors on the terminal', () => {
  it('an input error quoting the bad rule is one line, escaped, exit 2', async () => {
    const r = await cli(['--rules', fixture('terminal/escape-sequences-bad.rules'), '--dst', '10.244.2.7:80']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toMatch(/^sidecar-trace: .*escape-sequences-bad\.rules:3: invalid port "15001\\x1b\]52;c;SGVsbG8=\\x07"/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('a flag value is escaped in its error', async () => {
    const r = await cli(['--dst', '\x1b]52;c;SGVsbG8=\x07']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('\\x1b]52;c;SGVsbG8=\\x07');
  });

  it("commander's own complaint is escaped too", async () => {
    const r = await cli(['--\x1b]52;c;SGVsbG8=\x07']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("sidecar-trace: unknown option '--\\x1b]52;c;SGVsbG8=\\x07'\n");
  });
});

describe('check output on the terminal', () => {
  it('flow and suite names are escaped in the table and the failure diff; JUnit carries them escaped', async () => {
    const r = await cli(['check', fixture('terminal/escape-sequences-check.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('FAIL evil \\x1b]52;c;SGVsbG8=\\x07 flow \\x9b2J');
  });
});
