/** `sidecar-trace check FILE`: expectations, diffs, located errors, exit codes, JUnit, stable JSON. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { CheckReport } from '../../src/analysis/expectations.js';
import { cli, ROOT } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'sidecar-trace-check-'));
let n = 0;
/** A check file in a fresh directory of its own. */
function checkFile(text: string, name = 'check.yaml'): string {
  const dir = join(tmp, `case-${++n}`);
  mkdirSync(dir);
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** One flow (app -> remote 10.244.2.7:9080 unless `flow` says otherwise) with the given expect block. */
function oneFlow(expectYaml: string, flow = 'dst: 10.244.2.7:9080'): string {
  const indent = (s: string, by: string) => s.split('\n').map((l) => by + l).join('\n');
  return `rules: { profile: istio-1.25 }\nflows:\n  - name: f\n${indent(flow, '    ')}\n    expect:\n${indent(expectYaml, '      ')}\n`;
}

/** The failure block of flow "f": the lines after `FAIL f (…)` up to the blank line. */
function failureBlock(stdout: string): string {
  const m = /^FAIL f \([^)]*\)\n([\s\S]*?)\n\n/m.exec(stdout);
  return m ? m[1]! : '';
}

const OUTBOUND_PATH =
  'Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 → ISTIO_REDIRECT → Envoy 15001 (Outbound) → OUTPUT → ISTIO_OUTPUT RULE 4 → POSTROUTING → Remote Pod';
const TITLE = '  tcp pod -> 10.244.2.7:9080 (uid 1000, gid 1000)';

describe('check: expectations that hold', () => {
  const passing: Array<[string, string, string?]> = [
    ['via envoy-outbound', 'via: envoy-outbound'],
    ['via none (a remote scrape of 15090)', 'via: none', 'src: 10.244.3.9\ndst: pod:15090'],
    ['via both Envoys (Service-to-self)', 'via: [envoy-outbound, envoy-inbound]', 'dst: 10.96.0.15:9080\nvia: pod:9080'],
    ['decidedBy of hop 1', 'decidedBy: { chain: ISTIO_OUTPUT, rule: 9 }'],
    ['decidedBy of hop 2 with table', 'decidedBy: { hop: 2, table: nat, chain: ISTIO_OUTPUT, rule: 4 }'],
    ['decidedBy any rule of the chain', 'decidedBy: { chain: ISTIO_OUTPUT }'],
    ['decidedBy a policy', 'decidedBy: { chain: INPUT, rule: policy }', 'src: 10.244.2.7\ndst: pod:80\nproto: udp'],
    ['outcome', 'outcome: egress'],
    ['exact path', `path: "${OUTBOUND_PATH}"`],
    ['path in ASCII arrows', `path: "${OUTBOUND_PATH.replace(/→/g, '->')}"`],
    [
      'hop steps in kernel-traces notation',
      'hops:\n  - steps: ["nat OUTPUT#1 JUMP:ISTIO_OUTPUT", "nat ISTIO_OUTPUT#9 JUMP:ISTIO_REDIRECT", "nat ISTIO_REDIRECT#1 REDIRECT(ACCEPT)", "nat POSTROUTING policy:ACCEPT"]',
    ],
    ['hop listener by role and outcome', 'hops:\n  - listener: envoy-outbound\n  - outcome: egress'],
    ['hop listener by label, hop decidedBy', 'hops:\n  - listener: Envoy outbound (15001)\n  - decidedBy: { chain: ISTIO_OUTPUT, rule: 4 }'],
    ['explicit hop number', 'hops:\n  - hop: 2\n    outcome: egress'],
  ];
  for (const [name, expectYaml, flow] of passing) {
    it(name, async () => {
      const r = await cli(['check', checkFile(oneFlow(expectYaml, flow))]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/│ PASS\s+│ f\s+│ 3\s+│ ✓ /);
      expect(r.stdout).toContain('1 flow: 1 passed, 0 failed');
      expect(r.code).toBe(0);
    });
  }
});

describe('check: failures print expected against actual', () => {
  const failing: Array<[string, string, string[]]> = [
    ['via', 'via: none', ['  via:', '    - expected: none', '    + actual:   envoy-outbound']],
    ['via sequence', 'via: [envoy-outbound, envoy-inbound]', ['  via:', '    - expected: envoy-outbound, envoy-inbound', '    + actual:   envoy-outbound']],
    ['decidedBy rule', 'decidedBy: { chain: ISTIO_OUTPUT, rule: 4 }', ['  decidedBy:', '    - expected: hop 1: ISTIO_OUTPUT rule 4', '    + actual:   hop 1: ISTIO_OUTPUT rule 9']],
    ['decidedBy table', 'decidedBy: { table: mangle, chain: ISTIO_OUTPUT }', ['  decidedBy:', '    - expected: hop 1: mangle ISTIO_OUTPUT', '    + actual:   hop 1: nat ISTIO_OUTPUT rule 9']],
    ['decidedBy of a missing hop', 'decidedBy: { hop: 3, chain: ISTIO_OUTPUT }', ['  decidedBy:', '    - expected: hop 3: ISTIO_OUTPUT', '    + actual:   (no hop 3: the trace has 2 hops)']],
    ['outcome', 'outcome: dropped', ['  outcome:', '    - expected: dropped', '    + actual:   egress']],
    [
      'path',
      `path: "${OUTBOUND_PATH.replace('RULE 4', 'RULE 8')}"`,
      ['  path:', `    - expected: ${OUTBOUND_PATH.replace('RULE 4', 'RULE 8')}`, `    + actual:   ${OUTBOUND_PATH}`],
    ],
    [
      'hop steps as a unified diff',
      'hops:\n  - hop: 2\n    steps: ["nat OUTPUT#1 JUMP:ISTIO_OUTPUT", "nat ISTIO_OUTPUT#8 RETURN", "nat OUTPUT policy:ACCEPT"]',
      [
        '  hop 2 steps:',
        '    --- expected',
        '    +++ actual',
        '      nat OUTPUT#1 JUMP:ISTIO_OUTPUT',
        '    - nat ISTIO_OUTPUT#8 RETURN',
        '    + nat ISTIO_OUTPUT#4 RETURN',
        '      nat OUTPUT policy:ACCEPT',
        '    + nat POSTROUTING policy:ACCEPT',
      ],
    ],
    ['hop listener', 'hops:\n  - listener: app', ['  hop 1 listener:', '    - expected: app', '    + actual:   envoy-outbound']],
    ['hop listener of a hop that left the pod', 'hops:\n  - hop: 2\n    listener: Envoy inbound (15006)', ['  hop 2 listener:', '    - expected: Envoy inbound (15006)', '    + actual:   (not delivered: egress)']],
    ['outcome of a missing hop', 'hops:\n  - hop: 3\n    outcome: egress', ['  hop 3 outcome:', '    - expected: egress', '    + actual:   (no hop 3: the trace has 2 hops)']],
    [
      'only the failed expectations, in a fixed order',
      'path: x\noutcome: egress\nvia: none',
      ['  via:', '    - expected: none', '    + actual:   envoy-outbound', '  path:', '    - expected: x', `    + actual:   ${OUTBOUND_PATH}`],
    ],
  ];
  for (const [name, expectYaml, diff] of failing) {
    it(name, async () => {
      const file = checkFile(oneFlow(expectYaml));
      const r = await cli(['check', file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/│ FAIL\s+│ f\s+│ 3\s+│ /);
      expect(r.stdout).toContain(`FAIL f (${file}:3)`);
      expect(failureBlock(r.stdout)).toBe([TITLE, ...diff].join('\n'));
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 flow: 0 passed, 1 failed');
    });
  }
  it('--ascii prints ASCII arrows and marks; no colour without a terminal, colour on one', async () => {
    const file = checkFile(oneFlow('path: x'));
    const r = await cli(['check', file, '--ascii']);
    expect(r.stdout).toContain(`    + actual:   ${OUTBOUND_PATH.replace(/→/g, '->')}`);
    expect(r.stdout).toMatch(/\| FAIL\s+\| f\s+\| 3\s+\| X path/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    expect((await cli(['check', file], { tty: true })).stdout).toMatch(/\u001b\[/);
    expect((await cli(['check', file], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(/\u001b\[/);
  });
});

describe('check: bad files are located (file:line:column) and exit 2', () => {
  const flow = '  - dst: 10.244.2.7:9080\n';
  const bad: Array<[string, string, RegExp]> = [
    ['invalid YAML', 'flows: [\n', /check\.yaml:2:1: invalid YAML/],
    ['not a mapping', '- dst: 1.2.3.4:80\n', /check\.yaml:1:1: a check file is a mapping with "flows:"/],
    ['unknown top-level key', `flowz:\n${flow}`, /check\.yaml:1:1: unknown key "flowz" in the check file: expected one of name, rules, pod, flows/],
    ['no flows', 'rules: { profile: istio-1.25 }\n', /check\.yaml:1:1: the check file has no "flows:" list/],
    ['empty flow list', 'flows: []\n', /check\.yaml:1:8: "flows" must be a non-empty list of flows/],
    ['unknown flow key', 'flows:\n  - dst: 1.2.3.4:80\n    dts: 1\n    expect: { via: none }\n', /check\.yaml:3:5: unknown key "dts": expected one of name, title, src, dst, proto, uid, gid, groups, via, inIface, expect/],
    ['flow without expect', `flows:\n${flow}`, /check\.yaml:2:5: flow 1 has no "expect"/],
    ['empty expect', `flows:\n${flow}    expect: {}\n`, /check\.yaml:3:13: expect is empty/],
    ['unknown expect key', `flows:\n${flow}    expect:\n      vai: none\n`, /check\.yaml:4:7: unknown key "vai" in expect: expected one of via, decidedBy, outcome, path, hops/],
    ['bad via', `flows:\n${flow}    expect:\n      via: nowhere\n`, /check\.yaml:4:12: expect\.via must be one of envoy-outbound, envoy-inbound, none, not "nowhere"/],
    ['bad outcome', `flows:\n${flow}    expect:\n      outcome: egres\n`, /check\.yaml:4:16: expect\.outcome must be one of delivered, egress, dropped, rejected/],
    ['decidedBy without chain', `flows:\n${flow}    expect:\n      decidedBy: { rule: 1 }\n`, /check\.yaml:4:18: expect\.decidedBy needs "chain"/],
    ['bad rule number', `flows:\n${flow}    expect:\n      decidedBy: { chain: X, rule: 0 }\n`, /check\.yaml:4:36: expect\.decidedBy\.rule must be a rule number \(1, 2, …\) or "policy"/],
    ['bad table', `flows:\n${flow}    expect:\n      decidedBy: { table: nta, chain: X }\n`, /check\.yaml:4:27: expect\.decidedBy\.table must be one of raw, mangle, nat, filter, security, not "nta"/],
    ['steps not a list', `flows:\n${flow}    expect:\n      hops:\n        - steps: nat OUTPUT\n`, /check\.yaml:5:18: expect\.hops\[1\]\.steps must be a list of steps/],
    ['hop entry that checks nothing', `flows:\n${flow}    expect:\n      hops:\n        - hop: 2\n`, /check\.yaml:5:11: expect\.hops\[1\] checks nothing/],
    ['bad uid type', 'flows:\n  - dst: 1.2.3.4:80\n    uid: root\n    expect: { via: none }\n', /check\.yaml:3:10: "uid" must be a non-negative integer/],
    ['address that does not resolve', 'flows:\n  - dst: 10.0.0.300:80\n    expect: { via: none }\n', /check\.yaml:2:10: dst: "10\.0\.0\.300" is not an IP address/],
    ['mixed families', 'flows:\n  - src: 10.244.1.5\n    dst: "[fd00::1]:80"\n    expect: { via: none }\n', /check\.yaml:2:10: src and dst mix IPv4 and IPv6/],
    ['unknown profile', `rules:\n  profile: istio-0.1\nflows:\n${flow}    expect: { via: none }\n`, /check\.yaml:2:12: unknown profile "istio-0\.1"/],
    ['two rule sources', `rules:\n  profile: istio-1.25\n  file: x.rules\nflows:\n${flow}    expect: { via: none }\n`, /check\.yaml:2:3: rules needs exactly one of profile, file, istio \(got profile and file\)/],
    ['missing rules file', `rules:\n  file: nope.rules\nflows:\n${flow}    expect: { via: none }\n`, /check\.yaml:2:9: .*nope\.rules: cannot read rules: no such file/],
    ['unknown istio key', `rules:\n  istio:\n    versoin: "1.25"\nflows:\n${flow}    expect: { via: none }\n`, /check\.yaml:3:5: unknown key "versoin" in rules\.istio: expected one of version, installer/],
    ['bad installer', `rules:\n  istio:\n    installer: helm\nflows:\n${flow}    expect: { via: none }\n`, /check\.yaml:3:16: rules\.istio\.installer must be one of init, cni, not "helm"/],
    [
      'bad annotation value',
      `rules:\n  istio:\n    annotations:\n      traffic.sidecar.istio.io/excludeOutboundPorts: abc\nflows:\n${flow}    expect: { via: none }\n`,
      /check\.yaml:4:7: annotation traffic\.sidecar\.istio\.io\/excludeOutboundPorts: "abc" is not valid/,
    ],
    ['bad pod IP', `pod:\n  ips: [1.2.3]\nflows:\n${flow}    expect: { via: none }\n`, /check\.yaml:2:3: pod\.ips: "1\.2\.3" is not an IP address/],
  ];
  for (const [name, text, message] of bad) {
    it(name, async () => {
      const r = await cli(['check', checkFile(text)]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
  it('a missing or empty check file exits 2', async () => {
    expect((await cli(['check', join(tmp, 'nope.yaml')])).stderr).toMatch(/nope\.yaml: cannot read check file: no such file/);
    const r = await cli(['check', checkFile('')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/check\.yaml: empty check file/);
  });
  it('reads the check file from stdin with -', async () => {
    const r = await cli(['check', '-'], { stdin: oneFlow('via: envoy-outbound') });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('check <stdin>');
  });
  it('a rule file is found relative to the check file, not the working directory', async () => {
    const file = checkFile('rules:\n  file: dumps/pod.rules\nflows:\n  - name: f\n    dst: 10.244.2.7:9080\n    expect: { decidedBy: { chain: ISTIO_OUTPUT, rule: 9 } }\n');
    mkdirSync(join(file, '../dumps'));
    writeFileSync(join(file, '../dumps/pod.rules'), readFileSync(join(ROOT, 'test/fixtures/kernel-traces.rules')));
    const r = await cli(['check', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`rules: ${join(file, '../dumps/pod.rules')} (`);
  });
});

describe('check: the example policy', () => {
  it('examples/expectations.yaml passes against its rule source', async () => {
    const r = await cli(['check', join(ROOT, 'examples/expectations.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/10 flows: 10 passed, 0 failed\n$/);
    const report = JSON.parse((await cli(['check', join(ROOT, 'examples/expectations.yaml'), '--format', 'json'])).stdout) as CheckReport;
    expect(report.flows.map((f) => [f.name, f.pass])).toEqual(
      [
        'MySQL bypasses Envoy (excludeOutboundPorts 3306)',
        'HTTPS egress goes through Envoy outbound 15001',
        'PostgreSQL egress goes through Envoy outbound 15001',
        'IPv6 egress goes through Envoy outbound 15001',
        'inbound calls to the app go through Envoy inbound 15006',
        'Prometheus scrape of Envoy 15090 is not captured',
        'Prometheus scrape of pilot-agent 15020 is not captured',
        'Envoy admin on localhost stays local',
        'Service-to-self goes through both Envoys',
        'DNS capture sends UDP 53 to 15053',
      ].map((name) => [name, true]),
    );
  });
  it('fails where a policy would break: the same flows against Istio without the annotations', async () => {
    const text = readFileSync(join(ROOT, 'examples/expectations.yaml'), 'utf8').replace(/rules:\n(?: {2,}.*\n)+/, 'rules:\n  profile: istio-1.25\n');
    const r = await cli(['check', checkFile(text)]);
    expect(r.code).toBe(1);
    const report = JSON.parse((await cli(['check', checkFile(text), '--format', 'json'])).stdout) as CheckReport;
    expect(report.flows.filter((f) => !f.pass).map((f) => f.name)).toContain('MySQL bypasses Envoy (excludeOutboundPorts 3306)');
    expect(report.flows.find((f) => f.name.startsWith('MySQL'))!.expectations.find((e) => e.name === 'via')).toEqual({
      name: 'via',
      pass: false,
      expected: 'none',
      actual: 'envoy-outbound',
    });
  });
});

/** A tiny well-formedness check: balanced tags, escaped text and attributes. */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>\n/, '');
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+);)/.test(body)) return false;
  for (const m of body.matchAll(/<(\/?)([A-Za-z]+)((?:\s+[A-Za-z]+="[^"<]*")*)\s*(\/?)>|<|>/g)) {
    if (m[0] === '<' || m[0] === '>') return false;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else if (!m[4]) stack.push(m[2]!);
  }
  return stack.length === 0;
}

const unescape = (s: string) => s.replace(/&#10;/g, '\n').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

describe('check --junit', () => {
  const text = `name: 'policy <"&">'\nrules: { profile: istio-1.25 }\nflows:\n  - name: holds\n    dst: 10.244.2.7:9080\n    expect: { via: envoy-outbound }\n  - name: 'breaks <&>'\n    dst: 10.244.2.7:9080\n    expect: { via: none, outcome: egress }\n`;
  it('writes one testsuite, a testcase per flow, and a failure with the diff, XML-escaped', async () => {
    const file = checkFile(text);
    const xml = join(file, '../report.xml');
    const r = await cli(['check', file, '--junit', xml]);
    expect(r.code).toBe(1);
    const out = readFileSync(xml, 'utf8');
    expect(wellFormed(out)).toBe(true);
    expect(out).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="sidecar-trace check" tests="2" failures="1" errors="0">\n {2}<testsuite name="policy &lt;&quot;&amp;&quot;&gt;" tests="2" failures="1" errors="0" skipped="0">/);
    const cases = [...out.matchAll(/<testcase name="([^"]*)" classname="[^"]*" file="[^"]*" line="(\d+)"(\/>|>\n\s*<failure message="([^"]*)" type="expectation">([^<]*)<\/failure>)/g)];
    expect(cases.map((c) => [unescape(c[1]!), c[2]])).toEqual([
      ['holds', '4'],
      ['breaks <&>', '7'],
    ]);
    expect(cases[0]![3]).toBe('/>');
    expect(unescape(cases[1]![4]!)).toBe('1 of 2 expectations failed: via');
    expect(unescape(cases[1]![5]!)).toBe([TITLE, '  via:', '    - expected: none', '    + actual:   envoy-outbound'].join('\n'));
    expect(out).not.toMatch(/\u001b/);
  });
  it('the same run writes the same bytes', async () => {
    const file = checkFile(text);
    const a = join(file, '../a.xml');
    const b = join(file, '../b.xml');
    await cli(['check', file, '--junit', a]);
    await cli(['check', file, '--junit', b]);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
  });
  it('replaces an existing report atomically and leaves no temporary file', async () => {
    const file = checkFile(text);
    const dir = join(file, '..');
    const xml = join(dir, 'report.xml');
    writeFileSync(xml, 'old report');
    const r = await cli(['check', file, '--junit', xml]);
    expect(r.code).toBe(1);
    expect(readFileSync(xml, 'utf8')).toMatch(/^<\?xml/);
    expect(readdirSync(dir).sort()).toEqual(['check.yaml', 'report.xml']);
  });
  it('a report in a missing directory is a usage error, and nothing is written', async () => {
    const file = checkFile(text);
    const r = await cli(['check', file, '--junit', join(file, '../missing/report.xml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--junit .*missing\/report\.xml: cannot write: no such directory/);
    expect(readdirSync(join(file, '..'))).toEqual(['check.yaml']);
  });
  it('a bad check file leaves an existing report untouched', async () => {
    const file = checkFile('flows: []\n');
    const xml = join(file, '../report.xml');
    writeFileSync(xml, 'old report');
    expect((await cli(['check', file, '--junit', xml])).code).toBe(2);
    expect(readFileSync(xml, 'utf8')).toBe('old report');
  });
});

describe('check: stable machine output', () => {
  it('JSON has schemaVersion and a fixed field order', async () => {
    const r = await cli(['check', join(ROOT, 'examples/expectations.yaml'), '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(Object.keys(report)).toEqual(['schemaVersion', 'kind', 'file', 'ruleset', 'summary', 'flows']);
    expect(report.schemaVersion).toBe(1);
    expect(report.kind).toBe('check');
    expect(Object.keys(report.ruleset)).toEqual(['source', 'format', 'families', 'origin']);
    expect(Object.keys(report.summary)).toEqual(['flows', 'passed', 'failed']);
    expect(Object.keys(report.flows[0]!)).toEqual(['name', 'line', 'title', 'pass', 'path', 'expectations']);
    expect(Object.keys(report.flows[0]!.expectations[0]!)).toEqual(['name', 'pass', 'expected', 'actual']);
    expect(report.flows[0]!.expectations.map((e) => e.name)).toEqual(['via', 'decidedBy', 'outcome', 'path', 'hop 1 steps']);
  });
  it('the same input gives byte-identical JSON and YAML twice, and YAML parses to the JSON', async () => {
    const file = checkFile(oneFlow('via: none\npath: x'));
    for (const format of ['json', 'yaml']) {
      const a = await cli(['check', file, '--format', format]);
      const b = await cli(['check', file, '--format', format]);
      expect(a.code).toBe(1);
      expect(a.stdout).toBe(b.stdout);
    }
    const json = JSON.parse((await cli(['check', file, '--format', 'json'])).stdout);
    expect(parseYaml((await cli(['check', file, '--format', 'yaml'])).stdout)).toEqual(json);
  });
});

describe('check: progress', () => {
  it('never writes a progress bar without a terminal on stderr, nor for a short run on one', async () => {
    const file = checkFile(oneFlow('via: envoy-outbound'));
    expect((await cli(['check', file])).stderr).toBe('');
    expect((await cli(['check', file], { stderrTty: true })).stderr).toBe('');
  });
});
