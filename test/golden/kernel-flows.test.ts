/**
 * The ten flows measured on a real kernel (shared/reference/kernel-traces.md,
 * copied verbatim into kernel-flows.txt) must be reproduced step for step:
 * hops, tables, chains, rule numbers, policies, interfaces and where each hop ends.
 * Run through the CLI with --format json against the measured rule set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Hop, Trace } from '../../src/core/trace.js';
import { stepNotation } from '../../src/analysis/step-notation.js';
import { cli, fixture } from '../helpers/cli.js';

/** CLI flags per measured flow; 03 and 09 hold two connections each. */
const FLOWS: Record<string, string[][]> = {
  '01': [['--src', '10.244.2.7', '--dst', '10.244.1.5:9080']],
  '02': [['--src', '10.244.1.5', '--dst', '10.244.2.7:9080', '--uid', '1000']],
  '03': [
    ['--src', '10.244.3.9', '--dst', '10.244.1.5:15090'],
    ['--src', '10.244.3.9', '--dst', '10.244.1.5:15020'],
  ],
  '04': [['--src', '10.244.1.5', '--dst', '10.244.1.5:9080', '--uid', '1000']],
  '05': [['--src', '127.0.0.1', '--dst', '127.0.0.1:15000', '--uid', '1337']],
  '06': [['--src', '10.244.1.5', '--dst', '10.96.0.20:15012', '--uid', '1337']],
  '07': [['--src', '127.0.0.1', '--dst', '127.0.0.1:9080', '--uid', '1000']],
  '08': [['--src', '10.244.1.5', '--dst', '10.96.0.10:53', '--proto', 'udp', '--uid', '1000']],
  '09': [
    ['--src', 'fd00:10:244:2::7', '--dst', '[fd00:10:244:1::5]:9080'],
    ['--src', 'fd00:10:244:1::5', '--dst', '[fd00:10:244:2::7]:9080', '--uid', '1000'],
  ],
  '10': [['--src', '10.244.1.5', '--dst', '10.244.1.5:9080', '--uid', '1337']],
};

interface KernelHop {
  proto: string;
  src: string;
  dst: string;
  iface: string;
  steps: string[];
  end: string;
}

function parseGolden(): Map<string, KernelHop[]> {
  const text = readFileSync(join(import.meta.dirname, 'kernel-flows.txt'), 'utf8');
  const flows = new Map<string, KernelHop[]>();
  let current: KernelHop[] = [];
  for (const line of text.split('\n')) {
    const head = /^(\d\d) /.exec(line);
    if (head) {
      current = [];
      flows.set(head[1]!, current);
      continue;
    }
    const hop = /^hop\d+ (\w+) (\S+) -> (\S+) (\S+)\s+\| (.*?) => (.*)$/.exec(line);
    if (!hop) continue;
    current.push({ proto: hop[1]!, src: hop[2]!, dst: hop[3]!, iface: hop[4]!, steps: hop[5]!.split(' -> '), end: hop[6]! });
  }
  return flows;
}

function endpoint(addr: string, port: number | null, wildcard: boolean): string {
  const p = wildcard ? '*' : String(port);
  return addr.includes(':') ? `[${addr}]:${p}` : `${addr}:${p}`;
}

/** Reduce a simulated hop to the kernel notation's facts. */
function simulated(hop: Hop): KernelHop {
  const p = hop.packet;
  const o = hop.outcome;
  let end = o.type;
  if (o.type === 'delivered') end = `${o.listener?.startsWith('app') ? 'app' : 'listener'} ${o.port}`;
  if (o.type === 'egress') end = 'remote';
  return {
    proto: p.proto,
    src: endpoint(p.src, p.sport, true),
    dst: endpoint(p.dst, p.dport, false),
    iface: p.in ? `in=${p.in}` : `out=${p.out}`,
    steps: hop.steps.filter((s) => s.kind !== 'return').map((s) => stepNotation(s, hop.family)),
    end,
  };
}

/** The kernel line's ending, reduced the same way: "listener 15006 (…)" -> "listener 15006". */
function kernelEnd(end: string): string {
  const m = /^(listener|app) (\d+)/.exec(end);
  if (m) return `${m[1]} ${m[2]}`;
  if (end.startsWith('remote')) return 'remote';
  return end;
}

describe('the kernel-measured flows are reproduced step for step', () => {
  const golden = parseGolden();
  it('has all ten measured flows', async () => expect([...golden.keys()].sort()).toEqual(Object.keys(FLOWS).sort()));
  for (const [id, runs] of Object.entries(FLOWS)) {
    it(`flow ${id}`, async () => {
      const hops: Hop[] = [];
      for (const args of runs) {
        const r = (await cli(['--rules', fixture('kernel-traces.rules'), '--format', 'json', ...args]));
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const trace = JSON.parse(r.stdout) as Trace;
        expect(trace.warnings).toEqual([]);
        hops.push(...trace.hops);
      }
      const expected = golden.get(id)!.map((h) => ({ ...h, end: kernelEnd(h.end) }));
      expect(hops.map(simulated)).toEqual(expected);
    });
  }
});
