/**
 * The trace table drawn by the linear grid is byte for byte the table cli-table3 drew
 * (test/render/reference/cli-table3-table.ts) on every profile x scenario, with and
 * without --explain and colours, and on the README's examples; and it draws big tables
 * without cli-table3's layout, which is quadratic in rows.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/core/trace.js';
import { palette } from '../../src/render/palette.js';
import { renderTable } from '../../src/render/table.js';
import { cli, fixture, ROOT } from '../helpers/cli.js';
import { renderTable as renderWithCliTable3 } from './reference/cli-table3-table.js';

const PROFILES = readdirSync(join(ROOT, 'rules'))
  .filter((f) => f.endsWith('.rules'))
  .map((f) => f.replace(/\.rules$/, ''));

async function traces(args: string[]): Promise<Trace[]> {
  const r = await cli([...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  const doc = JSON.parse(r.stdout) as Trace | Trace[];
  return Array.isArray(doc) ? doc : [doc];
}

const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

function expectSameTables(ts: Trace[], explain: boolean): void {
  const plain = { colors: palette(false), ascii: false, explain };
  expect(renderTable(ts, plain)).toBe(renderWithCliTable3(ts, plain));
  // cli-table3 paints a wrapped cell once across its lines (the colour runs over the borders);
  // the grid paints each line: the same text, with the codes in other places.
  const coloured = { ...plain, colors: palette(true) };
  expect(strip(renderTable(ts, coloured))).toBe(strip(renderWithCliTable3(ts, coloured)));
}

describe('trace table: the grid draws what cli-table3 drew', () => {
  for (const profile of PROFILES) {
    it(`${profile}, every scenario, with and without --explain`, async () => {
      const plain = await traces(['--profile', profile, '--scenario', 'all']);
      expect(plain.length).toBeGreaterThan(5);
      expectSameTables(plain, false);
      expectSameTables(await traces(['--profile', profile, '--scenario', 'all', '--explain']), true);
    });
  }

  const README_EXAMPLES = [
    ['--src', '10.244.2.7', '--dst', '10.244.1.5:9080'],
    ['--src', '10.244.1.5', '--dst', '10.244.2.7:9080'],
    ['--dst', '10.96.0.15:9080', '--via', 'pod:9080'],
    ['--src', '127.0.0.1', '--dst', '127.0.0.1:15000', '--uid', '1337'],
  ];
  for (const args of README_EXAMPLES) {
    it(`README example: ${args.join(' ')}`, async () => {
      expectSameTables(await traces(args), false);
      expectSameTables(await traces([...args, '--explain']), true);
    });
  }
});

/** The Chain column of a drawn table, each row's lines joined. */
function chainColumn(table: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const line of table.split('\n')) {
    const cells = line.split('│');
    if (cells.length === 9) cur += cells[4]!.trim();
    else if (cur) {
      out.push(cur);
      cur = '';
    }
  }
  return out;
}

describe('trace table: long names', () => {
  it('shows a chain name wider than its column in full, over two lines, where cli-table3 cut it with "…"', async () => {
    const ts = await traces(['--rules', fixture('kube-proxy/node-nat.rules'), '--src', '10.1.2.3', '--dst', '10.96.0.50:80']);
    const opts = { colors: palette(false), ascii: false, explain: false };
    const grid = renderTable(ts, opts);
    expect(renderWithCliTable3(ts, opts)).toContain('KUBE-SEP-AAAAAAA…');
    expect(grid).not.toContain('…');
    const names = new Set(ts[0]!.hops.flatMap((h) => h.steps.map((s) => s.chain)));
    expect(names).toContain('KUBE-SEP-AAAAAAAAAAAAAAAA');
    expect(new Set(chainColumn(grid))).toEqual(new Set(['Chain', ...names]));
  });
});

describe('trace table: big tables', () => {
  it('renders a hop of 20,000 steps with one visual line per step', () => {
    const [base] = [structuredClone(BASE)];
    const hop = base.hops[0]!;
    hop.steps = Array.from({ length: 20_000 }, (_, i) => ({ hook: 'OUTPUT' as const, table: 'mangle' as const, chain: 'OUTPUT', rule: i + 1, kind: 'rule' as const, target: 'MARK', verdict: 'continue' as const, text: `-A OUTPUT -j MARK --set-xmark 0x${i.toString(16)}/0xffffffff` }));
    const out = renderTable([base], { colors: palette(false), ascii: false, explain: false });
    const lines = out.split('\n');
    // title, rules line, top border, head, separator, hop header, then a separator and a line per step.
    expect(lines.filter((l) => l.startsWith('│ 1   │ OUTPUT'))).toHaveLength(20_000);
    expect(lines.filter((l) => l.startsWith('├─────┼'))).toHaveLength(19_999);
  });
});

const BASE: Trace = {
  schemaVersion: 1,
  ruleset: { source: 'test', format: 'iptables-save', families: ['ipv4'] },
  flow: { title: 'app -> remote', proto: 'tcp', src: '10.244.1.5', sport: 40000, dst: '10.244.2.7', dport: 80, uid: 1000, gid: 1000, via: null, inIface: null },
  hops: [
    {
      index: 1,
      actor: 'app',
      family: 'ipv4',
      packet: { proto: 'tcp', src: '10.244.1.5', sport: 40000, dst: '10.244.2.7', dport: 80, in: null, out: 'eth0', uid: 1000, gid: 1000, mark: 0 },
      steps: [],
      decidedBy: null,
      outcome: { type: 'egress', iface: 'eth0', address: '10.244.2.7', port: 80 },
      notes: [],
    },
  ],
  path: 'Local Pod → OUTPUT → POSTROUTING → Remote Pod',
  notes: [],
  warnings: [],
} as unknown as Trace;
