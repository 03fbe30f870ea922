/** Batch tracing: --flows FILE (YAML) or JSON Lines on stdin, one Trace per flow. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/core/trace.js';
import { cli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'sidecar-trace-flows-'));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('--flows', () => {
  it('traces every flow of a YAML list, in order', async () => {
    const f = file('flows.yaml', ['- name: app to remote', '  dst: 10.244.2.7:9080', '- name: envoy admin', '  src: 127.0.0.1', '  dst: 127.0.0.1:15000', '  uid: 1337', '- dst: 10.96.0.10:53', '  proto: udp'].join('\n'));
    const r = await cli(['--flows', f, '--format', 'json']);
    expect(r.stderr).toBe('');
    const traces = JSON.parse(r.stdout) as Trace[];
    expect(traces.map((t) => [t.flow.title, t.hops.at(-1)!.outcome.type])).toEqual([
      ['app to remote', 'egress'],
      ['envoy admin', 'delivered'],
      ['udp pod -> 10.96.0.10:53 (uid 1000, gid 1000)', 'egress'],
    ]);
  });
  it('accepts a flows: key and JSON Lines on stdin; --format jsonl writes one trace per line', async () => {
    const stdin = '{"src":"10.244.2.7","dst":"pod:9080"}\n{"dst":"10.244.2.7:9080","uid":1337}\n';
    const r = await cli(['--flows', '-', '--format', 'jsonl'], { stdin });
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Trace);
    expect(lines.map((t) => t.hops.length)).toEqual([2, 1]);
    const y = await cli(['--flows', file('keyed.yaml', 'flows:\n  - dst: 10.244.2.7:80\n'), '--format', 'path']);
    expect(y.stdout).toMatch(/^Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9/);
  });
  const bad: Array<[string, string, RegExp]> = [
    ['unknown key', '- dst: 1.2.3.4:80\n  dts: 1\n', /bad\.yaml:2:3: unknown key "dts"/],
    ['missing dst', '- src: pod\n', /bad\.yaml:1:3: flow 1 has no "dst"/],
    ['not a list', 'dst: 1.2.3.4:80\n', /bad\.yaml:1:1: expected a list of flows/],
    ['bad uid', '- dst: 1.2.3.4:80\n  uid: root\n', /bad\.yaml:2:8: "uid" must be a non-negative integer/],
    ['invalid yaml', '- dst: [1.2\n', /bad\.yaml:\d+:\d+: invalid YAML/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name} with file:line:column`, async () => {
      const r = await cli(['--flows', file('bad.yaml', text)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }
});
