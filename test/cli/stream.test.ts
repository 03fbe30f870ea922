/**
 * `--flows` streams (issue 16): the streamed json/jsonl/yaml/path output is byte-identical
 * to the batch renderers over the same traces, with and without the trace cache; flow-file
 * errors name the record's line and the field's column (issue 12, F10); CRLF is accepted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTraces, runTrace } from '../../src/cli/commands/trace.js';
import type { TraceFlags } from '../../src/cli/flags.js';
import { cli, fixture, ROOT, testIo } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'st-stream-'));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

/** A mix with repeats: inbound, outbound, Envoy's own traffic, DNS, IPv6, titles. */
const RECORDS = [
  { dst: '10.244.2.7:9080' },
  { src: '10.244.2.7', dst: 'pod:9080' },
  { dst: '10.244.2.7:9080', uid: 1337 },
  { dst: '10.96.0.10:53', proto: 'udp' },
  { name: 'admin', src: '127.0.0.1', dst: '127.0.0.1:15000', uid: 1337 },
  { dst: '[fd00:10:244:2::7]:443' },
  { dst: '10.96.0.50:80' },
];
const jsonl = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify(RECORDS[i % RECORDS.length])).join('\n') + '\n';
const yamlList = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    Object.entries(RECORDS[i % RECORDS.length]!)
      .map(([k, v], j) => `${j ? '  ' : '- '}${k}: "${v}"`)
      .join('\n'),
  ).join('\n') + '\n';

/** The previous way: every trace kept, then rendered in one batch. */
async function batchOutput(args: Partial<TraceFlags>): Promise<string> {
  const io = testIo({}, () => {}, () => {});
  const flags = { proto: 'tcp', color: false, unknown: 'stop', maxHops: '8', pick: 'all', validate: 'auto', ...args } as TraceFlags;
  return renderTraces(io, flags, await runTrace(io, flags));
}

describe('streamed output is byte-identical to the batch renderers', () => {
  const cases: Array<[string, string, string[]]> = [
    ['one JSON Lines flow', file('one.jsonl', jsonl(1)), []],
    ['twenty JSON Lines flows with repeats', file('twenty.jsonl', jsonl(20)), []],
    ['a YAML list', file('list.yaml', yamlList(9)), []],
    ['a node dump', file('dump.jsonl', jsonl(10)), ['--rules', fixture('kube-proxy/node-nat.rules')]],
    // C1 controls and bidi overrides, which the JSON and YAML writers would leave raw: escaped alike.
    [
      'controls in a comment and a flow name',
      file('controls.jsonl', `${JSON.stringify({ name: 'plain', dst: '10.244.2.7:80' })}\n${JSON.stringify({ name: 'evil\u202ename', dst: '10.244.2.7:80' })}\n`),
      ['--rules', file('controls.rules', '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m comment --comment "a\u009bb" -j ACCEPT\nCOMMIT\n')],
    ],
  ];
  for (const [name, flows, extra] of cases) {
    for (const format of ['json', 'jsonl', 'yaml', 'path']) {
      it(`${name}, --format ${format}, with and without the cache`, async () => {
        const rules = extra.length ? { rules: extra[1]! } : {};
        const expected = await batchOutput({ flows, format, ...rules });
        const cached = await cli(['--flows', flows, '--format', format, ...extra]);
        const uncached = await cli(['--flows', flows, '--format', format, '--cache-size', '0', ...extra]);
        expect(cached.stderr).toBe('');
        expect(cached.code).toBe(0);
        expect(cached.stdout).toBe(expected);
        expect(uncached.stdout).toBe(expected);
      });
    }
  }
  it('a cache smaller than the distinct flows evicts and still prints the same bytes', async () => {
    const flows = file('evict.jsonl', jsonl(40));
    const small = await cli(['--flows', flows, '--format', 'jsonl', '--cache-size', '2', '--stats']);
    expect(small.stdout).toBe(await batchOutput({ flows, format: 'jsonl' }));
    expect(small.stderr).toMatch(/^sidecar-trace: stats: 40 flows in \d+\.\d\d s \([\d,]+ flows\/s after loading the rules\); traced (\d+), from the cache (\d+) \([\d.]+%\); cache 2 of 2 entries\n$/);
  });
  it('--stats counts the repeats the cache served', async () => {
    const r = await cli(['--flows', file('stats.jsonl', jsonl(70)), '--format', 'path', '--stats']);
    expect(r.stderr).toMatch(/; traced 7, from the cache 63 \(90\.0%\); cache 7 of 4,096 entries\n$/);
  });
});

describe('flow-file errors point at the record and field (F10)', () => {
  const records = ['{"dst":"10.244.2.7:9080"}', '{"dst":"10.244.2.7:9081"}', '', '{"dst": "10.244.2.7:9082",  "uid": "root"}'];
  it('a bad field on line 4 of JSON Lines: line 4, the column of its value', async () => {
    const r = await cli(['--flows', file('bad4.jsonl', `${records.join('\n')}\n`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sidecar-trace: ${tmp}/bad4.jsonl:4:36: "uid" must be a non-negative integer, not "root"\n`);
  });
  it('a JSON syntax error: its line and column', async () => {
    const r = await cli(['--flows', file('syntax.jsonl', '{"dst":"10.244.2.7:9080"}\n{"dst":"10.244.2.7:9080",}\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^sidecar-trace: ${tmp}/syntax\\.jsonl:2:26: invalid JSON: `));
  });
  it('an unknown key and a record that is not an object', async () => {
    const unknown = await cli(['--flows', file('unknown.jsonl', '{"dst":"1.2.3.4:80"}\n{"dst":"1.2.3.4:80", "dts": 1}\n')]);
    expect(unknown.stderr).toBe(`sidecar-trace: ${tmp}/unknown.jsonl:2:22: unknown key "dts": expected one of name, title, src, dst, proto, uid, gid, groups, via, inIface\n`);
    const list = await cli(['--flows', file('list.jsonl', '{"dst":"1.2.3.4:80"}\n  [1]\n')]);
    expect(list.code).toBe(2);
    expect(list.stderr).toBe(`sidecar-trace: ${tmp}/list.jsonl:2:3: expected one JSON object per line\n`);
  });
  it.each(['jsonl', 'path', 'table'])('a bad address in a JSON Lines file is blamed on the file, not --dst (--format %s)', async (format) => {
    const r = await cli(['--flows', file('badaddr.jsonl', '{"dst":"10.244.2.7:9080"}\n{"src":"10.244.2.7", "dst":"10.244.2.999:80"}\n'), '--format', format]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^sidecar-trace: ${tmp}/badaddr\\.jsonl:2:28: dst: `));
    expect(r.stderr).not.toMatch(/--dst/);
  });
  it('a bad address in a YAML flow list: the line and column of the value', async () => {
    const r = await cli(['--flows', file('badaddr.yaml', '- dst: 10.244.2.7:9080\n- src: 10.244.2.7\n  dst: nowhere\n'), '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^sidecar-trace: ${tmp}/badaddr\\.yaml:3:8: dst: `));
  });
  it('CRLF JSON Lines are accepted, on stdin and from a file', async () => {
    const text = '{"dst":"10.244.2.7:9080"}\r\n{"src":"10.244.2.7","dst":"pod:9080"}\r\n';
    const lf = await cli(['--flows', file('lf.jsonl', text.replace(/\r/g, '')), '--format', 'path']);
    const crlf = await cli(['--flows', file('crlf.jsonl', text), '--format', 'path']);
    const stdin = await cli(['--flows', '-', '--format', 'path'], { stdin: text });
    expect(lf.stdout.split('\n')).toHaveLength(3);
    expect(crlf.stdout).toBe(lf.stdout);
    expect(stdin.stdout).toBe(lf.stdout);
  });
});

describe('--jobs N: worker threads, the same bytes in the same order (the built CLI)', () => {
  const BIN = join(ROOT, 'bin/sidecar-trace.js');
  const runBin = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  // More records than one read chunk holds, so several batches go to the workers.
  const jsonlDistinct = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ dst: `10.${100 + (i % 7)}.${(i >> 8) & 255}.${i & 255}:9080`, uid: i % 5 ? 1000 : 1337 })).join('\n') + '\n';
  const many = file('many.jsonl', jsonlDistinct(25_000));
  it.each([
    ['jsonl, 2,000 flows, no cache', ['--flows', file('jobs2k.jsonl', jsonlDistinct(2000)), '--format', 'jsonl', '--cache-size', '0']],
    ['path, 25,000 flows, a small cache', ['--flows', many, '--format', 'path', '--cache-size', '100']],
    ['json, twenty flows with repeats', ['--flows', file('jobs20.jsonl', jsonl(20)), '--format', 'json']],
    ['yaml, one flow', ['--flows', file('jobs1.jsonl', jsonl(1)), '--format', 'yaml']],
    ['a node dump', ['--rules', fixture('kube-proxy/node-nat.rules'), '--flows', file('jobsdump.jsonl', jsonl(10)), '--format', 'jsonl']],
  ])('%s', { timeout: 120_000 }, (_, args) => {
    const one = runBin([...args, '--jobs', '1']);
    const two = runBin([...args, '--jobs', '2']);
    expect(one.status).toBe(0);
    expect(two.stderr).toBe('');
    expect(two.status).toBe(0);
    expect(two.stdout.length).toBeGreaterThan(0);
    expect(two.stdout === one.stdout).toBe(true);
  });
  it('a reader that goes away (`| head`) stops the stream: not every flow is traced', { timeout: 120_000 }, () => {
    const r = spawnSync('sh', ['-c', `'${process.execPath}' '${BIN}' --flows '${many}' --format jsonl --stats | head -c 100 > /dev/null`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const done = Number(/stats: ([\d,]+) flows/.exec(r.stderr)![1]!.replace(/,/g, ''));
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(25_000);
  });
  it('a bad record: the same traces before it, the same error', () => {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ dst: `10.100.0.${i}:80` }));
    lines[37] = '{"dst":"10.100.0.999:80"}';
    const f = file('jobsbad.jsonl', `${lines.join('\n')}\n`);
    const one = runBin(['--flows', f, '--format', 'path', '--jobs', '1']);
    const two = runBin(['--flows', f, '--format', 'path', '--jobs', '2']);
    expect(one.status).toBe(2);
    expect(two.status).toBe(2);
    expect(two.stderr).toBe(one.stderr);
    expect(two.stderr).toMatch(/jobsbad\.jsonl:38:8: dst: /);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stdout.split('\n')).toHaveLength(38);
  });
});
