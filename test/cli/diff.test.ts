/** `sidecar-trace diff BEFORE AFTER`: changed routes over a flow matrix, exit codes, stable JSON. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { DiffReport } from '../../src/analysis/trace-diff.js';
import { cli, fixture, ROOT } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'sidecar-trace-diff-'));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

async function diffJson(args: string[]): Promise<{ code: number; report: DiffReport }> {
  const r = await cli(['diff', ...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as DiffReport };
}

const EXCLUDE_3306 = 'traffic.sidecar.istio.io/excludeOutboundPorts=3306';

describe('diff: Istio 1.13 against 1.25 over the built-in matrix', () => {
  it('reports the real changes: UDP now enters ISTIO_OUTPUT, and the HBONE port 15008 is no longer redirected to 15006', async () => {
    const { code, report } = await diffJson(['profile:istio-1.13', 'profile:istio-1.25']);
    expect(code).toBe(1);
    expect(report.summary).toEqual({ flows: 249, changed: 34 });
    const names = report.changed.map((e) => e.name);
    // Every change is UDP from the pod, or Envoy dialling its own pod IP on 15008.
    for (const e of report.changed) expect(e.name).toMatch(/ udp( \(DNS\))?$|:15008 tcp \(Istio port\)$/);
    expect(names).toContain('app (uid 1000) -> remote 10.244.2.7:3306 udp');
    expect(names).toContain('app (uid 1000) -> nameserver [fd00:10:96::a]:53 udp (DNS)');
    expect(names).toContain('sidecar (uid 1337) -> own pod IP 10.244.1.5:15008 tcp (Istio port)');
    // Inbound UDP is captured by neither version: PREROUTING only jumps for tcp.
    expect(names.filter((n) => n.startsWith('remote'))).toEqual([]);
    const udp = report.changed.find((e) => e.name === 'app (uid 1000) -> remote 10.244.2.7:80 udp')!;
    expect(udp.before).toEqual({ path: 'Local Pod → POSTROUTING → Remote Pod', decidedBy: [{ hop: 1, table: 'nat', chain: 'POSTROUTING', rule: null }] });
    expect(udp.after.path).toBe('Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 → POSTROUTING → Remote Pod');
    const hbone = report.changed.find((e) => e.name === 'sidecar (uid 1337) -> own pod IP 10.244.1.5:15008 tcp (Istio port)')!;
    expect(hbone.before.decidedBy).toEqual([
      { hop: 1, table: 'nat', chain: 'ISTIO_OUTPUT', rule: 2 },
      { hop: 2, table: 'nat', chain: 'ISTIO_OUTPUT', rule: 1 },
    ]);
    expect(hbone.after).toEqual({
      path: 'Sidecar (uid 1337) → OUTPUT → ISTIO_OUTPUT RULE 4 → POSTROUTING → Envoy 15008 (HBONE)',
      decidedBy: [{ hop: 1, table: 'nat', chain: 'ISTIO_OUTPUT', rule: 4 }],
    });
  });
  it('prints each changed flow before → after with the deciding rules, then one summary line', async () => {
    const r = await cli(['diff', 'profile:istio-1.13', 'profile:istio-1.25']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('diff profile:istio-1.13 → profile:istio-1.25 · flows: built-in matrix');
    expect(lines[2]).toMatch(/^│ Flow\s+│ Before: profile:istio-1\.13\s+│ After: profile:istio-1\.25\s+│$/);
    expect(lines.at(-1)).toBe('249 flows, 34 changed');
    expect(r.stdout).toMatch(/│ app \(uid 1000\) -> remote\s+│ Local Pod → POSTROUTING → Remote Pod\s+│ Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 →\s+│\n│ 10\.244\.2\.7:80 udp\s+│ decided by: hop 1 nat POSTROUTING policy\s+│ POSTROUTING → Remote Pod\s+│/);
    expect(r.stdout).toContain('decided by: hop 1 nat ISTIO_OUTPUT rule 2, hop');
    expect(r.stdout).not.toMatch(/\u001b\[/);
    const ascii = await cli(['diff', 'profile:istio-1.13', 'profile:istio-1.25', '--ascii']);
    expect(ascii.stdout).not.toMatch(/[→│┌]/);
  });
});

describe('diff: annotations', () => {
  it('excludeOutboundPorts=3306 changes exactly the 3306 flows, though it renumbers ISTIO_OUTPUT', async () => {
    const { code, report } = await diffJson(['istio:1.25', `istio:1.25+${EXCLUDE_3306}`]);
    expect(code).toBe(1);
    expect(report.after.spec).toBe(`istio:1.25+${EXCLUDE_3306}`);
    expect(report.changed.map((e) => e.name)).toEqual([
      'app (uid 1000) -> remote 10.244.2.7:3306 tcp',
      'app (uid 1000) -> remote 10.244.2.7:3306 udp',
      'sidecar (uid 1337) -> own pod IP 10.244.1.5:3306 tcp',
      'app (uid 1000) -> Service 10.96.0.15:3306 with endpoint this pod (Service-to-self) tcp',
      'app (uid 1000) -> remote [fd00:10:244:2::7]:3306 tcp',
      'app (uid 1000) -> remote [fd00:10:244:2::7]:3306 udp',
      'sidecar (uid 1337) -> own pod IP [fd00:10:244:1::5]:3306 tcp',
      'app (uid 1000) -> Service [fd00:10:96::f]:3306 with endpoint this pod (Service-to-self) tcp',
    ]);
    const mysql = report.changed[0]!;
    expect(mysql.before.path).toBe(
      'Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 → ISTIO_REDIRECT → Envoy 15001 (Outbound) → OUTPUT → ISTIO_OUTPUT RULE 4 → POSTROUTING → Remote Pod',
    );
    expect(mysql.after).toEqual({ path: 'Local Pod → OUTPUT → ISTIO_OUTPUT RULE 1 → POSTROUTING → Remote Pod', decidedBy: [{ hop: 1, table: 'nat', chain: 'ISTIO_OUTPUT', rule: 1 }] });
  });
  it('--after-annotation and --annotation say the same as +KEY=VALUE', async () => {
    const a = await diffJson(['istio:1.25', 'istio:1.25', '--after-annotation', EXCLUDE_3306]);
    expect(a.report.summary).toEqual({ flows: 249, changed: 8 });
    expect(a.report.after.spec).toBe(`istio:1.25+${EXCLUDE_3306}`);
    const both = await diffJson(['istio:1.13', 'istio:1.25', '--annotation', EXCLUDE_3306]);
    expect(both.report.before.spec).toBe(`istio:1.13+${EXCLUDE_3306}`);
    expect(both.report.changed.every((e) => !e.name.includes(':3306 tcp'))).toBe(true);
  });
});

describe('diff: exit codes', () => {
  it('exits 0 and says so when no route changed', async () => {
    const r = await cli(['diff', 'profile:istio-1.25', 'istio:1.25']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('diff profile:istio-1.25 → istio:1.25 · flows: built-in matrix\n249 flows, 0 changed\n');
  });
  it('compares two dump files', async () => {
    const r = await cli(['diff', fixture('kernel-traces.rules'), join(ROOT, 'rules/istio-1.10.rules')]);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toMatch(/^249 flows, \d+ changed$/m);
  });
  const bad: Array<[string, string[], RegExp]> = [
    ['unknown profile', ['profile:istio-0.1', 'profile:istio-1.25'], /^sidecar-trace: BEFORE \(profile:istio-0\.1\): unknown profile "istio-0\.1"/],
    ['missing dump', [join(tmp, 'nope.rules'), 'profile:istio-1.25'], /nope\.rules: cannot read rules: no such file/],
    ['an annotation on a profile', ['profile:istio-1.25', 'profile:istio-1.25', '--after-annotation', EXCLUDE_3306], /--after-annotation applies to rules Istio generates, but AFTER is "profile:istio-1\.25": name it as istio:VERSION/],
    ['a malformed annotation', ['istio:1.25', 'istio:1.25+excludeOutboundPorts'], /AFTER: "\+excludeOutboundPorts" in "istio:1\.25\+excludeOutboundPorts" is not KEY=VALUE/],
    ['a bad annotation value', ['istio:1.25', 'istio:1.25+traffic.sidecar.istio.io/excludeOutboundPorts=abc'], /AFTER \(istio:1\.25\+traffic.*\): annotation traffic\.sidecar\.istio\.io\/excludeOutboundPorts: "abc" is not valid/],
    ['a bad version', ['istio:0.9', 'istio:1.25'], /BEFORE \(istio:0\.9\): bad Istio version "0\.9"/],
    ['both sides on stdin', ['-', '-'], /BEFORE and AFTER both read stdin/],
    ['a missing argument', ['profile:istio-1.25'], /missing required argument 'after'/],
  ];
  for (const [name, args, message] of bad) {
    it(`exits 2 for ${name}`, async () => {
      const r = await cli(['diff', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('diff --flows', () => {
  it('replaces the matrix; flows are named by name or title and located by line', async () => {
    const flows = file('flows.yaml', '- name: mysql\n  dst: 10.96.0.30:3306\n- dst: 10.244.2.7:80\n- dst: 10.96.0.10:53\n  proto: udp\n');
    const { code, report } = await diffJson(['istio:1.25', `istio:1.25+${EXCLUDE_3306}`, '--flows', flows]);
    expect(code).toBe(1);
    expect(report.flows).toBe(flows);
    expect(report.summary).toEqual({ flows: 3, changed: 1 });
    expect(report.changed.map((e) => [e.name, e.line, e.title])).toEqual([['mysql', 1, 'mysql']]);
    const table = await cli(['diff', 'istio:1.25', `istio:1.25+${EXCLUDE_3306}`, '--flows', flows]);
    expect(table.stdout).toMatch(/│ mysql\s+│/);
    expect(table.stdout).toMatch(/│ \(line 1\)\s+│/);
  });
  it('takes a check file as the flow list, ignoring its expectations', async () => {
    const { code, report } = await diffJson(['profile:istio-1.13', 'profile:istio-1.25', '--flows', join(ROOT, 'examples/expectations.yaml')]);
    expect(code).toBe(1);
    expect(report.summary).toEqual({ flows: 10, changed: 1 });
    expect(report.changed[0]!.name).toBe('DNS capture sends UDP 53 to 15053');
  });
  it('takes JSON Lines on stdin', async () => {
    const r = await cli(['diff', 'profile:istio-1.13', 'profile:istio-1.25', '--flows', '-', '--format', 'json'], { stdin: '{"dst":"10.244.2.7:80","proto":"udp"}\n{"dst":"10.244.2.7:80"}\n' });
    const report = JSON.parse(r.stdout) as DiffReport;
    expect(report.summary).toEqual({ flows: 2, changed: 1 });
    expect(report.changed[0]!.line).toBe(1);
  });
  it('a bad flows file exits 2 with file:line:column', async () => {
    const bad = file('bad.yaml', '- dst: 10.244.2.7:80\n- dst: 10.0.0.300:80\n');
    const r = await cli(['diff', 'profile:istio-1.13', 'profile:istio-1.25', '--flows', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2:8: dst: "10\.0\.0\.300" is not an IP address/);
    const unknown = await cli(['diff', 'profile:istio-1.13', 'profile:istio-1.25', '--flows', file('bad2.yaml', '- dst: 1.2.3.4:80\n  dts: 1\n')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/bad2\.yaml:2:3: unknown key "dts"/);
  });
});

describe('diff: stable machine output', () => {
  const args = ['istio:1.25', `istio:1.25+${EXCLUDE_3306}`];
  it('JSON has schemaVersion and a fixed field order', async () => {
    const { report } = await diffJson(args);
    expect(Object.keys(report)).toEqual(['schemaVersion', 'kind', 'before', 'after', 'flows', 'summary', 'changed']);
    expect(report.schemaVersion).toBe(1);
    expect(report.kind).toBe('diff');
    expect(Object.keys(report.before)).toEqual(['spec', 'ruleset']);
    expect(Object.keys(report.after.ruleset)).toEqual(['source', 'format', 'families', 'origin']);
    expect(Object.keys(report.summary)).toEqual(['flows', 'changed']);
    expect(Object.keys(report.changed[0]!)).toEqual(['name', 'line', 'title', 'before', 'after']);
    expect(Object.keys(report.changed[0]!.before)).toEqual(['path', 'decidedBy']);
    expect(Object.keys(report.changed[0]!.before.decidedBy[0]!)).toEqual(['hop', 'table', 'chain', 'rule']);
  });
  it('the same input gives byte-identical JSON and YAML twice, and YAML parses to the JSON', async () => {
    for (const format of ['json', 'yaml', 'table']) {
      const a = await cli(['diff', ...args, '--format', format]);
      const b = await cli(['diff', ...args, '--format', format]);
      expect(a.code).toBe(1);
      expect(a.stdout).toBe(b.stdout);
    }
    const json = JSON.parse((await cli(['diff', ...args, '--format', 'json'])).stdout);
    expect(parseYaml((await cli(['diff', ...args, '--format', 'yaml'])).stdout)).toEqual(json);
  });
  it('never writes a progress bar without a terminal on stderr', async () => {
    expect((await cli(['diff', ...args])).stderr).toBe('');
  });
});
