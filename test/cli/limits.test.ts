/** Every limit has a clear message: hops, input size, line length, chain names; and odd but valid input is accepted. */
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/core/trace.js';
import { cli } from '../helpers/cli.js';

const run = (stdin: string, extra: string[] = []) => cli(['--rules', '-', '--dst', '10.244.2.7:9080', ...extra], { stdin });

describe('limits', () => {
  it('the hop cap stops a rule set that loops Envoy into itself, and says so', async () => {
    const r = await run('*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j REDIRECT --to-ports 15006\nCOMMIT\n', ['--format', 'json', '--max-hops', '4']);
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.hops).toHaveLength(4);
    expect(t.hops[3]!.outcome.type).toBe('hop-limit');
    expect(t.warnings.join()).toMatch(/hop limit reached: stopped after 4 hops \(--max-hops\)/);
  });
  it('input over --max-input-size is refused with the way to raise it', async () => {
    const r = await run(`*nat\n${'# padding\n'.repeat(120_000)}COMMIT\n`, ['--max-input-size', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sidecar-trace: <stdin>: input is 1\.1 MiB, over the 1 MiB limit \(raise it with --max-input-size MIB\)\n$/);
  });
  it('a line over 64 KiB is refused with its line number', async () => {
    const r = await run(`*nat\n-A OUTPUT -m comment --comment ${'x'.repeat(70_000)} -j RETURN\nCOMMIT\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sidecar-trace: <stdin>:2: line is 70041 bytes long, over the 65536-byte limit\n$/);
  });
  it('chain names: 28 characters load, 29 are refused', async () => {
    const ok = await run(`*filter\n:${'C'.repeat(28)} - [0:0]\n-A OUTPUT -j ${'C'.repeat(28)}\nCOMMIT\n`);
    expect(ok.code).toBe(0);
    const bad = await run(`*filter\n:${'C'.repeat(29)} - [0:0]\nCOMMIT\n`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/<stdin>:2: chain name "C{29}" is longer than 28 characters/);
  });
});

describe('quoting, escaping and encodings', () => {
  it('comments with spaces, escaped quotes and UTF-8 survive into the step text', async () => {
    const r = await run('*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -m comment --comment "héllo \\"mesh\\" 日本" -j ACCEPT\nCOMMIT\n', ['--format', 'json']);
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.hops[0]!.steps[0]!.text).toBe('-A OUTPUT -p tcp -m comment --comment "héllo \\"mesh\\" 日本" -j ACCEPT');
  });
  it('interface wildcards with + match by prefix', async () => {
    const r = await run('*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -o eth+ -p tcp -j REDIRECT --to-ports 15001\nCOMMIT\n', ['--format', 'json']);
    expect((JSON.parse(r.stdout) as Trace).hops[0]!.steps[0]!.target).toBe('REDIRECT');
  });
  it('CRLF line endings, a BOM and tabs are accepted', async () => {
    const r = await run('\uFEFF*filter\r\n:OUTPUT ACCEPT [0:0]\r\n-A\tOUTPUT\t-p\ttcp\t-j\tACCEPT\r\nCOMMIT\r\n', ['--format', 'path']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Local Pod → OUTPUT → filter OUTPUT → POSTROUTING → Remote Pod\n');
  });
});

describe('jump depth', () => {
  const chain = (depth: number) => {
    const decl = Array.from({ length: depth }, (_, i) => `:C${i + 1} - [0:0]`);
    const rules = ['-A OUTPUT -j C1', ...Array.from({ length: depth - 1 }, (_, i) => `-A C${i + 1} -j C${i + 2}`)];
    return `*filter\n:OUTPUT ACCEPT [0:0]\n${decl.join('\n')}\n${rules.join('\n')}\nCOMMIT\n`;
  };
  it('15 nested user chains load (the kernel accepts them)', async () => {
    expect((await run(chain(15), ['--format', 'path'])).code).toBe(0);
  });
  it('16 are refused at the rule that goes too deep, as the kernel does ("Too many links")', async () => {
    const r = await run(chain(16));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sidecar-trace: <stdin>:34: jumps nest 16 user chains deep \(OUTPUT -> C1 -> .* -> C16\); the kernel allows 15 \("Too many links"\)\n$/);
  });
});
