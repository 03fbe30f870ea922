/**
 * The listing formats users paste, end to end through the CLI: `iptables -S` listings,
 * and the same rules from `-S` and from `iptables-save` giving the same trace. Inputs
 * are data files under test/fixtures/inputs/.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, fixture } from '../helpers/cli.js';

/**
 * A trace's JSON without what names the input (source, format, file lines). A one-family
 * listing is compared with a dual-stack dump, so the proxy facts read from the other
 * family's rules (the inbound bind addresses, one per family) are left out too.
 */
function traceBody(json: string): unknown {
  return JSON.parse(json, (key, value) => {
    if (key === 'line' || key === 'source' || key === 'format' || key === 'families') return undefined;
    if (key === 'settings' && Array.isArray(value)) return value.filter((s: { setting?: string }) => !/^inbound bind/.test(s.setting ?? ''));
    // Notes name input lines, which differ between the two inputs.
    return typeof value === 'string' ? value.replace(/\bline \d+/g, 'line N') : value;
  });
}

const FLOWS: string[][] = [
  ['--src', '10.244.1.5', '--dst', '10.244.2.7:9080'],
  ['--src', '10.244.2.7', '--dst', 'pod:9080'],
  ['--src', '10.244.1.5', '--dst', '10.244.2.7:15090', '--uid', '1337'],
  ['--src', 'fd00:10:244:2::7', '--dst', '[fd00:10:244:1::5]:9080'],
];

describe('iptables -S listings', () => {
  const cases: Array<{ file: string; format: string; families: string[]; sameAs: string; flows: string[][] }> = [
    { file: 'nat-v4.txt', format: 'iptables-S', families: ['ipv4'], sameAs: 'rules/istio-1.25.rules', flows: FLOWS.slice(0, 3) },
    { file: 'nat-v4-counters.txt', format: 'iptables-S', families: ['ipv4'], sameAs: 'rules/istio-1.25.rules', flows: FLOWS.slice(0, 3) },
    { file: 'tproxy-both-families-prompts.txt', format: 'iptables-S', families: ['ipv4', 'ipv6'], sameAs: 'rules/istio-1.25-tproxy.rules', flows: FLOWS },
    { file: 'tproxy-v4-concatenated.txt', format: 'iptables-S', families: ['ipv4'], sameAs: 'rules/istio-1.25-tproxy.rules', flows: FLOWS.slice(0, 3) },
    { file: 'tproxy-v6-concatenated.txt', format: 'iptables-S', families: ['ipv6'], sameAs: 'rules/istio-1.25-tproxy.rules', flows: FLOWS.slice(3) },
  ];
  for (const c of cases) {
    describe(c.file, () => {
      const file = fixture(`inputs/list-rules/${c.file}`);
      it(`loads as ${c.format} (${c.families.join(', ')})`, async () => {
        const r = await cli(['--rules', file, ...FLOWS[0]!, '--format', 'json']);
        expect(r.stderr).toBe('');
        const j = JSON.parse(r.stdout) as { ruleset: { format: string; families: string[] } };
        expect(j.ruleset.format).toBe(c.format);
        expect(j.ruleset.families).toEqual(c.families);
      });
      for (const flow of c.flows) {
        it(`traces ${flow.join(' ')} as ${c.sameAs} does`, async () => {
          const a = await cli(['--rules', file, ...flow, '--format', 'json']);
          const b = await cli(['--rules', fixture(`../../${c.sameAs}`), ...flow, '--format', 'json']);
          expect(a.code).toBe(b.code);
          expect(traceBody(a.stdout)).toEqual(traceBody(b.stdout));
        });
      }
    });
  }

  it('a lone chain listing takes its table from a target only nat allows', async () => {
    const r = await cli(['--rules', fixture('inputs/list-rules/chain-only-redirect.txt'), ...FLOWS[0]!, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"format": "iptables-S"');
  });

  it('refuses a listing whose table cannot be told, with file:line and how to fix it', async () => {
    const file = fixture('inputs/list-rules/chain-only-ambiguous.txt');
    const r = await cli(['--rules', file, ...FLOWS[0]!]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `sidecar-trace: ${file}:1: cannot tell which table this "iptables -S" listing is (it could be raw, mangle, nat, filter): put a "*nat"-style line before it, or paste it with its command line ("iptables -t nat -S")\n`,
    );
  });

  it('the same listing with its command line, or a "*nat" line, before it loads', async () => {
    const text = readFileSync(fixture('inputs/list-rules/chain-only-ambiguous.txt'), 'utf8');
    for (const head of ['$ iptables -t nat -S ISTIO_OUTPUT', '*nat']) {
      const tail = head === '*nat' ? 'COMMIT\n' : '';
      const r = await cli(['--rules', '-', ...FLOWS[0]!], { stdin: `${head}\n${text}${tail}` });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it('`iptables -S` without -t is the filter table', async () => {
    const r = await cli(['--rules', '-', ...FLOWS[0]!, '--format', 'json'], { stdin: '$ iptables -S\n-P INPUT ACCEPT\n-P OUTPUT DROP\n' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('"chain": "OUTPUT"');
    expect(r.stdout).toMatch(/"verdict": "(?:drop|DROP)|policy DROP/);
  });
});

describe('log prefixes and banners', () => {
  /** Rules per family the log's final state holds (the 1.25 dual-stack default: 18 per family). */
  const cases: Array<{ file: string; families: string[]; rules: number }> = [
    { file: 'vm-1.25-journald.log', families: ['ipv4', 'ipv6'], rules: 36 },
    { file: 'vm-1.25-journald-iso.log', families: ['ipv4', 'ipv6'], rules: 36 },
    { file: 'istio-1.28-config-banner.log', families: ['ipv4', 'ipv6'], rules: 36 },
    { file: 'istio-1.28-config-json.kubectl-timestamps.log', families: ['ipv4', 'ipv6'], rules: 36 },
  ];
  for (const c of cases) {
    it(`${c.file} loads as an istio-init log with ${c.rules} rules`, async () => {
      const { loadRulesText } = await import('../../src/sources/rule-text.js');
      const file = fixture(`inputs/${c.file}`);
      const rs = loadRulesText(readFileSync(file, 'utf8'), file, file);
      expect(rs.source.format).toBe('istio-init-log');
      expect(Object.keys(rs.families)).toEqual(c.families);
      let n = 0;
      for (const fr of Object.values(rs.families)) for (const t of fr!.tables.values()) for (const ch of t.chains.values()) n += ch.rules.length;
      expect(n).toBe(c.rules);
      expect(rs.notes.every((n) => /a later iptables-save dump .*; using the dump/.test(n))).toBe(true);
      expect(rs.settings?.find((s) => s.key === 'PROXY_UID')?.value).toBe('997');
    });
  }

  it('the journald VM log traces as the same log without the journald prefixes', async () => {
    const text = readFileSync(fixture('inputs/vm-1.25-journald.log'), 'utf8');
    const bare = text
      .split('\n')
      .filter((l) => l.includes('istio-start.sh['))
      .map((l) => l.replace(/^.*?istio-start\.sh\[\d+\]: ?/, ''))
      .join('\n');
    for (const flow of FLOWS) {
      const a = await cli(['--rules', fixture('inputs/vm-1.25-journald.log'), ...flow, '--format', 'json']);
      const b = await cli(['--rules', '-', ...flow, '--format', 'json'], { stdin: bare });
      expect(a.stderr).toBe('');
      expect(traceBody(a.stdout)).toEqual(traceBody(b.stdout));
    }
  });

  it('nft-backend warnings around and inside a dump are ignored', async () => {
    const dump = readFileSync(fixture('inputs/save-counters.txt'), 'utf8').split('\n');
    const at = dump.findIndex((l) => l.startsWith(':'));
    dump.splice(at, 0, 'Warning: Extension REDIRECT revision 0 not supported, missing kernel module?');
    const text = ['# Warning: iptables-legacy tables present, use iptables-legacy-save to see them', ...dump].join('\n');
    const a = await cli(['--rules', '-', ...FLOWS[0]!, '--format', 'json'], { stdin: text });
    const b = await cli(['--rules', fixture('inputs/save-counters.txt'), ...FLOWS[0]!, '--format', 'json']);
    expect(a.stderr).toBe('');
    expect(traceBody(a.stdout)).toEqual(traceBody(b.stdout));
  });
});

describe('refusals through the CLI: exit 2, one line, no trace', () => {
  for (const f of ['ambient-default.golden', 'nft-list-ruleset-empty.txt', 'knftables-sidecar-tproxy.golden', 'nft-json-hostprobe.json']) {
    it(f, async () => {
      const r = await cli(['--rules', fixture(`inputs/refuse/${f}`), ...FLOWS[0]!]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^sidecar-trace: .+:\d+: this is (?:an ambient-mode in-pod rule set .*; ambient mode|nftables input .*; native nftables) is not modelled yet\n$/);
    });
  }
});

describe('--ipset', () => {
  const rules = fixture('inputs/ipset/node-ipvs.rules');
  const save = fixture('inputs/ipset/kube-proxy-ipvs.save');
  const list = fixture('inputs/ipset/list.txt');
  const flow = ['--src', '10.244.1.5', '--dst', '10.96.0.1:443'];

  it('without it, a -m set rule is unknown and the reason names the set', async () => {
    const r = await cli(['--rules', rules, ...flow, '--format', 'json']);
    expect(r.stdout).toContain('ipset KUBE-CLUSTER-IP is not known: give --ipset FILE with `ipset save` output');
  });

  it('with `ipset save` or `ipset list` output, the rule decides, the same way', async () => {
    const a = await cli(['--rules', rules, '--ipset', save, ...flow, '--format', 'json']);
    const b = await cli(['--rules', rules, '--ipset', list, ...flow, '--format', 'json']);
    expect(a.stderr).toBe('');
    expect(a.stdout).not.toContain('not known');
    expect(a.stdout).toContain('KUBE-SERVICES RULE 2');
    expect(traceBody(a.stdout)).toEqual(traceBody(b.stdout));
  });

  it('a set the file lacks is named', async () => {
    const r = await cli(['--rules', '-', '--ipset', list, ...flow], { stdin: '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m set --match-set KUBE-NOPE dst -j DROP\nCOMMIT\n' });
    expect(r.stdout).toContain('ipset KUBE-NOPE is not known: it is not in the --ipset file');
  });

  it('a bad ipset file: file:line, exit 2, nothing on stdout', async () => {
    const r = await cli(['--rules', rules, '--ipset', '-', ...flow], { stdin: 'create A hash:ip\nadd A 10.0.0.1,tcp:80\n' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('sidecar-trace: <stdin>:2: ipset A: element "10.0.0.1,tcp:80" does not fit type hash:ip (1 part)\n');
  });

  it('a missing ipset file, and a set defined in two files', async () => {
    const missing = await cli(['--rules', rules, '--ipset', 'no-such.save', ...flow]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('sidecar-trace: no-such.save: cannot read ipset file: no such file\n');
    const twice = await cli(['--rules', rules, '--ipset', list, '--ipset', save, ...flow]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(`sidecar-trace: ${save}:1: ipset KUBE-CLUSTER-IP is also defined in ${list} (line 1)\n`);
  });

  it('diff takes it for both sides', async () => {
    const r = await cli(['diff', rules, rules, '--ipset', save, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('every journalctl output form', () => {
  const text = readFileSync(fixture('inputs/vm-1.25-journald.log'), 'utf8');
  const forms: Array<[string, string]> = [
    ['short-precise', 'Mar 01 12:00:01.123456 vm-ratings-1 '],
    ['short-iso', '2026-03-01T12:00:01+0000 vm-ratings-1 '],
    ['short-full', 'Sun 2026-03-01 12:00:01 UTC vm-ratings-1 '],
    ['short-unix', '1772366401.123456 vm-ratings-1 '],
    ['short-monotonic', '[ 1234.567890] vm-ratings-1 '],
    ['RFC 5424 syslog', '<30>1 2026-03-01T12:00:01.123456+00:00 vm-ratings-1 istio-start.sh 6717 - - '],
  ];
  for (const [name, head] of forms) {
    it(`${name} loads as the short form does`, async () => {
      const converted = text.replace(/^Mar 01 12:00:0\d vm-ratings-1 /gm, head).replace(/istio-start\.sh 6717 - - istio-start\.sh\[6717\]: ?/g, 'istio-start.sh 6717 - - ');
      const a = await cli(['--rules', '-', ...FLOWS[0]!, '--format', 'json'], { stdin: converted });
      const b = await cli(['--rules', fixture('inputs/vm-1.25-journald.log'), ...FLOWS[0]!, '--format', 'json']);
      expect(a.stderr).toBe('');
      expect(traceBody(a.stdout)).toEqual(traceBody(b.stdout));
    });
  }
});
