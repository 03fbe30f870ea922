/**
 * Newcomer snags (issue 12 small items, issue 11 item 7): the option parser's errors in
 * the tool's one-line form, help with no arguments, --ascii output that is ASCII,
 * canonical annotation order, and the README's example manifest.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers/cli.js';

const PROFILES = readdirSync(join(ROOT, 'rules'))
  .filter((f) => f.endsWith('.rules'))
  .map((f) => f.replace(/\.rules$/, ''));
const NON_ASCII = /[^\x00-\x7f]/;

describe("the option parser's errors", () => {
  const cases: Array<[string, string[], string]> = [
    ['unknown option', ['--dts', '10.0.0.1:80'], "sidecar-trace: unknown option '--dts' (Did you mean --dst?)\n"],
    ['missing option value', ['--dst'], "sidecar-trace: option '--dst <addr>' argument missing\n"],
    ['bad choice', ['--format', 'xml'], "sidecar-trace: option '--format <format>' argument 'xml' is invalid. Allowed choices are table, path, json, yaml, jsonl, mermaid, dot.\n"],
    ['missing argument', ['check'], "sidecar-trace: missing required argument 'file'\n"],
    ['unknown option of a subcommand', ['diff', 'a', 'b', '--bogus'], "sidecar-trace: unknown option '--bogus'\n"],
  ];
  for (const [name, args, want] of cases) {
    it(`${name}: one line with the sidecar-trace: prefix, exit 2`, async () => {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(want);
      expect(r.stdout).toBe('');
    });
  }
});

describe('no arguments', () => {
  it('prints the help (with the examples) on stdout and exits 2, as --help prints it', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: sidecar-trace \[options\] \[command\]/);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).not.toMatch(/missing --dst/);
    expect(r.stdout).toBe((await cli(['--help'])).stdout);
  });
});

describe('--ascii is ASCII', () => {
  for (const profile of PROFILES) {
    it(`${profile}: every scenario as table (with --explain) and path`, async () => {
      for (const args of [['--explain'], [], ['--format', 'path']]) {
        const r = await cli(['--profile', profile, '--scenario', 'all', '--ascii', ...args]);
        expect(r.code).toBe(0);
        expect(r.stdout.match(NON_ASCII)?.[0], args.join(' ')).toBeUndefined();
      }
    });
  }
  it('check and diff tables', async () => {
    const check = await cli(['check', join(ROOT, 'examples/expectations.yaml'), '--ascii']);
    expect(check.code).toBe(0);
    expect(check.stdout.match(NON_ASCII)?.[0]).toBeUndefined();
    const failing = await cli(['check', '-', '--ascii'], { stdin: 'flows:\n  - name: f\n    dst: 10.244.2.7:9080\n    expect: { path: "Local Pod → nowhere" }\n' });
    expect(failing.code).toBe(1);
    expect(failing.stdout.match(NON_ASCII)?.[0]).toBeUndefined();
    const diff = await cli(['diff', 'profile:istio-1.13', 'profile:istio-1.25', '--ascii']);
    expect(diff.code).toBe(1);
    expect(diff.stdout.match(NON_ASCII)?.[0]).toBeUndefined();
  });
});

describe('annotations', () => {
  it('give the same JSON bytes in any order (origin.annotations sorted by key)', async () => {
    const a = ['--annotation', 'traffic.sidecar.istio.io/excludeOutboundPorts=3306'];
    const b = ['--annotation', 'traffic.sidecar.istio.io/excludeInboundPorts=9090'];
    const one = await cli([...a, ...b, '--dst', '10.96.0.30:3306', '--format', 'json']);
    const two = await cli([...b, ...a, '--dst', '10.96.0.30:3306', '--format', 'json']);
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(Object.keys(JSON.parse(one.stdout).ruleset.origin.annotations)).toEqual(['traffic.sidecar.istio.io/excludeInboundPorts', 'traffic.sidecar.istio.io/excludeOutboundPorts']);
  });
});

describe("the README's example manifest", () => {
  it('examples/reviews-pod.yaml gives its annotations, pod IPs and ports to the trace', async () => {
    const pod = join(ROOT, 'examples/reviews-pod.yaml');
    const mysql = await cli(['--pod', pod, '--dst', '10.96.0.30:3306', '--format', 'path']);
    expect(mysql.code).toBe(0);
    expect(mysql.stdout).toMatch(/ISTIO_OUTPUT RULE 1 → POSTROUTING → Remote Pod/);
    const metrics = await cli(['--pod', pod, '--src', '10.244.2.7', '--dst', 'pod:9090', '--format', 'json']);
    const t = JSON.parse(metrics.stdout);
    expect(t.flow.dst).toBe('10.244.1.5');
    expect(t.hops).toHaveLength(1);
    expect(t.ruleset.origin.pod).toBe(pod);
  });
});
