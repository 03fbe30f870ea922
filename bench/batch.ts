/**
 * The batch figures of issue 16, run by bench/run.ts: `--flows` JSON Lines end to end
 * (process start to last byte, output to /dev/null), peak RSS from 10,000 to 1,000,000
 * flows, and `check` over 10,000 and 100,000 flows.
 *
 * The flow mix is written down here because the cache makes it matter:
 * - "log" mix: DISTINCT different flows (outbound to 10.244.x.7 on 50 ports, one in seven
 *   as uid 1337, i.e. Envoy's own traffic), repeated in a shuffled order, as a flow log
 *   repeats its connections; the fraction of repeats is (flows - DISTINCT) / flows.
 * - "distinct" mix: every flow different (a new destination port each), so the cache never
 *   helps: the engine's own speed end to end.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from './generate.js';

export const DISTINCT = 2000;

export interface RunFigures {
  wallMs: number;
  cpuMs: number | null;
  rssMb: number | null;
  flowsPerSec: number;
  stats: string;
}

/**
 * Write N flows as JSON Lines. `log`: DISTINCT flows (k = 0 … DISTINCT-1) drawn at random;
 * `distinct`: flow k = i. Flow k goes to dsts[k % dsts.length] when given (a node dump's
 * Service VIPs), else to 10.244.(k % 200).7 on port 8000 + k / 200 (distinct mix: a /8 of
 * remote addresses); one in seven is sent as uid 1337 (Envoy).
 */
export function writeFlows(file: string, n: number, mix: 'log' | 'distinct', dsts?: string[]): void {
  const rand = rng(7);
  const fd = openSync(file, 'w');
  let buf: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = mix === 'log' ? Math.floor(rand() * DISTINCT) : i;
    const dst = dsts
      ? dsts[k % dsts.length]!
      : mix === 'log'
        ? `10.244.${k % 200}.7:${8000 + Math.floor(k / 200)}`
        : `10.${100 + ((k >> 16) & 63)}.${(k >> 8) & 255}.${k & 255}:9080`;
    buf.push(JSON.stringify({ dst, uid: k % 7 === 0 ? 1337 : 1000 }));
    if (buf.length === 10000) {
      writeFileSync(fd, `${buf.join('\n')}\n`);
      buf = [];
    }
  }
  if (buf.length) writeFileSync(fd, `${buf.join('\n')}\n`);
  closeSync(fd);
}

/** A check file of N flows (the log mix), each expecting what the default profile does. */
export function writeCheck(file: string, n: number): void {
  const rand = rng(11);
  const out = ['rules:\n  profile: istio-1.25\nflows:'];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rand() * DISTINCT);
    const envoy = k % 7 === 0;
    out.push(`  - name: flow ${i + 1}\n    dst: 10.244.${k % 200}.7:${8000 + (k % 50)}\n    uid: ${envoy ? 1337 : 1000}\n    expect:\n      via: ${envoy ? 'none' : 'envoy-outbound'}`);
  }
  writeFileSync(file, `${out.join('\n')}\n`);
}

function childCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** One run of `node --import RSS_HOOK ARGS` with stdout to /dev/null: wall, CPU, peak RSS, the --stats line. */
export function runToNull(args: string[], rssHook: string, dir: string, flows: number): RunFigures {
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}.txt`);
  const out = openSync('/dev/null', 'w');
  const c0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', rssHook, ...args], { stdio: ['ignore', out, 'pipe'], encoding: 'utf8', env: { ...process.env, BENCH_RSS_FILE: rssFile } });
  const wallMs = performance.now() - t0;
  const c1 = childCpuMs();
  closeSync(out);
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 300)}`);
  let rssMb: number | null = null;
  try {
    rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    rssMb = null;
  }
  return { wallMs, cpuMs: c0 === null || c1 === null ? null : c1 - c0, rssMb, flowsPerSec: (flows / wallMs) * 1000, stats: r.stderr.trim() };
}
