/** The CLI shell: exit codes, messages, formats and determinism. */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Trace } from '../../src/core/trace.js';
import { cli, fixture } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'sidecar-trace-cli-'));
function file(name: string, content: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

describe('exit codes and one-line errors', () => {
  const badRule = file('bad.rules', '*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp --dport 99999 -j RETURN\nCOMMIT\n');
  const cases: Array<[string, string[], number, RegExp, string?]> = [
    ['missing --dst', ['--src', 'pod'], 2, /^sidecar-trace: missing --dst/],
    ['bad address', ['--dst', '10.0.0.300:80'], 2, /--dst: "10.0.0.300" is not an IP address/],
    ['bad port', ['--dst', '10.0.0.3:99999'], 2, /--dst: invalid port "99999"/],
    ['dst without port', ['--dst', '10.0.0.3'], 2, /has no port/],
    ['unknown profile', ['--profile', 'istio-0.1', '--dst', '1.2.3.4:80'], 2, /unknown profile "istio-0.1": expected one of istio-1\.10, .*istio-1\.13, .*istio-1\.25/],
    ['missing rules file', ['--rules', join(tmp, 'nope.rules'), '--dst', '1.2.3.4:80'], 2, /nope\.rules: cannot read rules: no such file/],
    ['empty rules file', ['--rules', file('empty.rules', ''), '--dst', '1.2.3.4:80'], 2, /empty\.rules: empty input/],
    ['binary rules file', ['--rules', file('bin.rules', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])), '--dst', '1.2.3.4:80'], 2, /not an iptables dump \(binary data\)/],
    ['malformed rule names file and line', ['--rules', badRule, '--dst', '1.2.3.4:80'], 2, /bad\.rules:3: invalid port "99999"/],
    ['unknown option', ['--dts', '1.2.3.4:80'], 2, /unknown option '--dts'/],
    ['bad --proto', ['--dst', '1.2.3.4:80', '--proto', 'icmp'], 2, /argument 'icmp' is invalid/],
    ['mixed families', ['--src', '10.244.1.5', '--dst', '[fd00::1]:80'], 2, /mix IPv4 and IPv6/],
    ['rules and profile together', ['--rules', badRule, '--profile', 'istio-1.13', '--dst', '1.2.3.4:80'], 2, /--rules and --profile are alternatives/],
    ['unknown scenario', ['--scenario', 'nope'], 2, /unknown scenario "nope"/],
    ['bad uid', ['--dst', '1.2.3.4:80', '--uid', 'root'], 2, /--uid: "root" is not a non-negative integer/],
  ];
  for (const [name, args, code, message] of cases) {
    it(name, async () => {
      const r = (await cli(args));
      expect(r.code).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      // One clear line (commander may add a "Did you mean" hint), never a stack trace.
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(message);
      expect(lines.slice(1).every((l) => l.startsWith('(Did you mean'))).toBe(true);
    });
  }
  it('--help exits 0 and lists every flag', async () => {
    const r = (await cli(['--help']));
    expect(r.code).toBe(0);
    for (const flag of ['--rules', '--profile', '--list-profiles', '--src', '--dst', '--proto', '--uid', '--gid', '--pod-ip', '--via', '--in-iface', '--scenario', '--format', '--ascii', '--no-color', '--explain', '--unknown', '--max-hops']) {
      expect(r.stdout).toContain(flag);
    }
  });
  it('a successful trace exits 0', async () => expect((await cli(['--dst', '10.244.2.7:9080'])).code).toBe(0));
});

describe('rule sources', () => {
  it('--list-profiles names each built-in rule set and the default', async () => {
    const r = (await cli(['--list-profiles']));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^istio-1\.10\n/m);
    expect(r.stdout).toMatch(/^istio-1\.13\n/m);
    expect(r.stdout).toMatch(/^istio-1\.25 \(default\)\n/m);
  });
  it('reads rules from stdin with --rules -', async () => {
    const stdin = '*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j REDIRECT --to-ports 15001\nCOMMIT\n';
    const r = (await cli(['--rules', '-', '--dst', '10.1.2.3:80', '--format', 'json'], { stdin }));
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.ruleset.source).toBe('<stdin>');
    expect(t.hops[0]!.outcome).toMatchObject({ type: 'delivered', port: 15001 });
  });
  it('without --rules uses the current Istio default profile', async () => {
    const t = JSON.parse((await cli(['--dst', '10.244.2.7:9080', '--format', 'json'])).stdout) as Trace;
    expect(t.ruleset.source).toBe('profile:istio-1.25');
  });
});

describe('output formats', () => {
  const args = ['--rules', fixture('kernel-traces.rules'), '--src', '10.244.1.5', '--dst', '10.244.2.7:9080'];
  it('json carries the documented fields in a fixed order', async () => {
    const t = JSON.parse((await cli([...args, '--format', 'json'])).stdout) as Trace;
    expect(Object.keys(t)).toEqual(['schemaVersion', 'ruleset', 'flow', 'proxy', 'hops', 'path', 'notes', 'warnings']);
    expect(t.schemaVersion).toBe(1);
    expect(Object.keys(t.proxy!)).toEqual(['mode', 'uid', 'gid', 'settings']);
    expect(t.proxy!.settings.map((s) => s.setting).slice(0, 5)).toEqual(['uid', 'gid', 'mode', 'outbound', 'inbound']);
    expect(t.proxy!.settings[0]!.from).toMatchObject({ kind: 'rule', table: 'nat', chain: 'ISTIO_OUTPUT', rule: 4 });
    expect(Object.keys(t.hops[0]!)).toEqual(['index', 'actor', 'family', 'packet', 'steps', 'decidedBy', 'outcome', 'notes']);
    expect(t.hops.map((h) => h.decidedBy)).toEqual([
      { table: 'nat', chain: 'ISTIO_OUTPUT', rule: 9 },
      { table: 'nat', chain: 'ISTIO_OUTPUT', rule: 4 },
    ]);
    expect(Object.keys(t.hops[0]!.packet)).toEqual(['proto', 'src', 'sport', 'dst', 'dport', 'in', 'out', 'uid', 'gid', 'mark']);
    expect(Object.keys(t.hops[0]!.steps[0]!).slice(0, 8)).toEqual(['hook', 'table', 'chain', 'rule', 'kind', 'target', 'verdict', 'text']);
    expect(t.hops[0]!.packet.sport).toBe(40000);
    expect(t.hops[1]!.packet.sport).toBe(40001);
  });
  it('the same input gives byte-identical JSON and YAML twice', async () => {
    for (const format of ['json', 'yaml']) {
      expect((await cli([...args, '--format', format])).stdout).toBe((await cli([...args, '--format', format])).stdout);
    }
  });
  it('YAML parses to the same object as JSON', async () => {
    expect(parseYaml((await cli([...args, '--format', 'yaml'])).stdout)).toEqual(JSON.parse((await cli([...args, '--format', 'json'])).stdout));
  });
  it('path prints the blog-style line alone; --ascii uses ->', async () => {
    expect((await cli([...args, '--format', 'path'])).stdout).toBe(
      'Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 → ISTIO_REDIRECT → Envoy 15001 (Outbound) → OUTPUT → ISTIO_OUTPUT RULE 4 → POSTROUTING → Remote Pod\n',
    );
    expect((await cli([...args, '--format', 'path', '--ascii'])).stdout).toBe(
      'Local Pod -> OUTPUT -> ISTIO_OUTPUT RULE 9 -> ISTIO_REDIRECT -> Envoy 15001 (Outbound) -> OUTPUT -> ISTIO_OUTPUT RULE 4 -> POSTROUTING -> Remote Pod\n',
    );
  });
  it('table shows the title, one row per step and the path; no colour without a terminal', async () => {
    const out = (await cli(args)).stdout;
    expect(out).toContain('tcp 10.244.1.5 -> 10.244.2.7:9080 (uid 1000, gid 1000)');
    expect(out).toMatch(/│ 1\s+│ OUTPUT\s+│ nat\s+│ ISTIO_OUTPUT\s+│ 9\s+│ -A ISTIO_OUTPUT -j ISTIO_REDIRECT/);
    expect(out).toMatch(/│ 2\s+│ OUTPUT\s+│ nat\s+│ ISTIO_OUTPUT\s+│ 4\s+│ -A ISTIO_OUTPUT -m owner --uid-owner 1337/);
    expect(out).toContain('Path: Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9');
    expect(out).not.toMatch(/\u001b\[/);
  });
  it('colour only on a terminal, and never with NO_COLOR or --no-color', async () => {
    expect((await cli(args, { tty: true })).stdout).toMatch(/\u001b\[/);
    expect((await cli(args, { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(/\u001b\[/);
    expect((await cli([...args, '--no-color'], { tty: true })).stdout).not.toMatch(/\u001b\[/);
  });
  it('--explain lists rules that did not match, with the reason', async () => {
    const t = JSON.parse((await cli([...args, '--format', 'json', '--explain'])).stdout) as Trace;
    const misses = t.hops[1]!.misses!;
    expect(misses.map((m) => m.rule)).toEqual([1, 2, 3]);
    expect(misses[2]!.reason).toMatch(/out-interface eth0 ≠ lo/);
    expect((await cli([...args, '--explain'])).stdout).toMatch(/no match:/);
  });
});

describe('--scenario', () => {
  it('all prints the six types with the blog claims and the kernel result', async () => {
    const r = (await cli(['--scenario', 'all', '--rules', fixture('kernel-traces.rules'), '--format', 'json']));
    const traces = JSON.parse(r.stdout) as Trace[];
    expect(traces.map((t) => [t.scenario!.type, t.path])).toEqual([
      [1, 'Remote Pod → PREROUTING → ISTIO_INBOUND RULE 6 → ISTIO_IN_REDIRECT → Envoy 15006 (Inbound) → OUTPUT → ISTIO_OUTPUT RULE 1 → POSTROUTING → Local Pod :9080'],
      [2, 'Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 → ISTIO_REDIRECT → Envoy 15001 (Outbound) → OUTPUT → ISTIO_OUTPUT RULE 4 → POSTROUTING → Remote Pod'],
      [3, 'Prometheus → PREROUTING → ISTIO_INBOUND RULE 3 → INPUT → Envoy 15090 (Prometheus)'],
      [3, 'Prometheus → PREROUTING → ISTIO_INBOUND RULE 5 → INPUT → pilot-agent 15020 (Status)'],
      [4, 'Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 → ISTIO_REDIRECT → Envoy 15001 (Outbound) → OUTPUT → ISTIO_OUTPUT RULE 2 → ISTIO_IN_REDIRECT → Envoy 15006 (Inbound) → OUTPUT → ISTIO_OUTPUT RULE 1 → POSTROUTING → Local Pod :9080'],
      [5, 'Envoy → OUTPUT → ISTIO_OUTPUT RULE 4 → POSTROUTING → Envoy 15000 (Admin)'],
      [6, 'pilot-agent → OUTPUT → ISTIO_OUTPUT RULE 4 → POSTROUTING → Remote Pod'],
    ]);
    expect(traces.filter((t) => !t.scenario!.blogAgrees).map((t) => t.scenario!.type)).toEqual([3, 3, 5]);
  });
  it('the table states the blog claim and the kernel result for types 3 and 5', async () => {
    const out = (await cli(['--scenario', 'all'])).stdout;
    expect(out).toMatch(/Kernel differs: Blog: RULE 8 .* Kernel: RULE 4/);
    expect(out).toMatch(/Kernel differs: Blog: the scrape goes .* Kernel: the SYN is RETURNed in ISTIO_INBOUND/);
  });
});
