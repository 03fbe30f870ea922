/**
 * Kernel differential tests: the harness must reproduce, step for step, the ten traces that
 * shared/reference/kernel-traces.md measured on a real kernel, and must leave nothing behind.
 *
 * Needs Linux and root (it creates network namespaces). Elsewhere the suite is skipped with a
 * message, except under CI (CI set), where missing capabilities are a failure.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/verify/exec.js';
import { createNamespaces } from '../../src/verify/netns.js';
import {
  checkCapabilities,
  listNamespaces,
  NS_PREFIX,
  PlanError,
  type Progress,
  removeStaleNamespaces,
  resolvePlan,
  runKernelFlow,
} from '../../src/verify/index.js';
import { compileVerify, type CompiledVerify, ROOT } from './compile-verify.js';
import { FLOWS, ISTIO_NAT_V4 } from './istio-flows.js';
import { parseHopLine, viewOf } from './notation.js';

const caps = checkCapabilities();
const DOC = path.join(ROOT, '..', 'shared', 'reference', 'kernel-traces.md');
/** Each documented flow runs this many times (SIDECAR_TRACE_KERNEL_RUNS, default 1; 3 by hand to hunt flakiness); every run must match. */
const RUNS = Number(process.env.SIDECAR_TRACE_KERNEL_RUNS ?? 1);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

if (!caps.ok && process.env.CI) {
  describe('kernel harness', () => {
    it('can run on this machine (required under CI)', () => {
      expect.fail(caps.message);
    });
  });
} else if (!caps.ok) {
  console.warn(`[test/kernel] skipped: ${caps.message}`);
  describe.skip(`kernel harness (skipped: ${caps.message})`, () => {
    it('needs Linux and root', () => undefined);
  });
} else {
  const { ip } = caps.tools;

  describe('kernel harness', () => {
    let compiled: CompiledVerify;
    // Runs started by this process are named sctrace-<our pid>-…; other processes' runs are not ours to judge.
    const ours = async (): Promise<string[]> => (await listNamespaces(ip)).filter((n) => n.startsWith(`${NS_PREFIX}${process.pid}-`));

    beforeAll(async () => {
      compiled = compileVerify({ 'sigterm-child.js': path.join(ROOT, 'test', 'kernel', 'sigterm-child.ts') });
      await removeStaleNamespaces(ip); // leftovers of runs killed with SIGKILL, whose pid is gone
    });
    afterAll(() => compiled?.remove());

    it.runIf(existsSync(DOC))('transcribes the documented traces verbatim', () => {
      const doc = readFileSync(DOC, 'utf8');
      expect(doc).toContain(ISTIO_NAT_V4.trim());
      for (const flow of FLOWS) {
        expect(doc).toContain(flow.title);
        for (const hop of flow.hops) expect(doc).toContain(hop);
      }
    });

    for (const flow of FLOWS) {
      it(`flow ${flow.title}`, async () => {
        const expected = flow.hops.map(parseHopLine);
        for (let i = 0; i < RUNS; i++) {
          const result = await runKernelFlow(flow.plan, { standinScript: compiled.standin });
          expect(result.warnings, `run ${i + 1}`).toEqual([]);
          expect(result.hops.map(viewOf), `run ${i + 1}`).toEqual(expected);
          // Every hop was opened by a stand-in we started, and the first by the plan's start.
          expect(result.hops[0]?.openedBy).toEqual({ kind: 'start', index: 0 });
          for (const hop of result.hops) expect(hop.openedBy).toBeDefined();
        }
      }, 60_000);
    }

    it('reports the rule text and the NAT effect of each step', async () => {
      const result = await runKernelFlow(FLOWS.find((f) => f.id === '02')!.plan, { standinScript: compiled.standin });
      const redirect = result.hops[0]!.steps[2]!;
      expect(redirect.text).toBe('-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001');
      expect(redirect.effect).toBe('dst 10.244.2.7:9080 -> 127.0.0.1:15001');
      expect(result.hops[1]!.steps[1]!.text).toBe('-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN');
      expect(result.raw.some((l) => l.includes('ip nat ISTIO_REDIRECT rule'))).toBe(true);
      expect(result.connections.map((c) => [c.openedBy.kind, c.uid, c.ok])).toEqual([
        ['start', 1000, true],
        ['listener', 1337, true],
      ]);
    }, 30_000);

    it('sees filter verdicts and reports a dropped SYN once', async () => {
      const result = await runKernelFlow(
        {
          rules: { ipv4: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:CHECK - [0:0]\n-A OUTPUT -p tcp -j CHECK\n-A CHECK -p tcp --dport 9999 -j DROP\nCOMMIT\n' },
          listeners: [],
          start: { ns: 'pod', proto: 'tcp', dst: '10.96.0.1', dport: 9999, uid: 1000, gid: 1000 },
          connectTimeoutMs: 1500, // long enough for one SYN retransmission, which is not a new hop
        },
        { standinScript: compiled.standin },
      );
      expect(result.warnings).toEqual([]);
      expect(result.hops).toHaveLength(1);
      expect(result.hops[0]!.steps.map((s) => [s.hook, s.table, s.chain, s.rule, s.kind, s.verdict])).toEqual([
        ['OUTPUT', 'filter', 'OUTPUT', 1, 'rule', 'jump'],
        ['OUTPUT', 'filter', 'CHECK', 1, 'rule', 'drop'],
      ]);
      expect(result.hops[0]!.delivered).toBeUndefined();
      expect(result.connections[0]).toMatchObject({ ok: false, error: 'ETIMEDOUT' });
    }, 30_000);

    it('does not itself turn conntrack on: nat is skipped until a rule needs conntrack', async () => {
      // nat chains only run for packets that conntrack tracks, and conntrack only runs in a
      // namespace once some rule needs it (a NAT target here). The trace table must not be such
      // a rule (no `ct` expressions), or every run would measure a different kernel.
      const steps = async (natRules: string): Promise<string[]> => {
        const result = await runKernelFlow(
          {
            rules: { ipv4: `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n${natRules}COMMIT\n` },
            listeners: [{ ns: 'peer', family: 'ipv4', proto: 'tcp', port: 80, uid: 0, gid: 0 }],
            start: { ns: 'pod', proto: 'tcp', dst: '10.96.0.1', dport: 80, uid: 1000, gid: 1000 },
          },
          { standinScript: compiled.standin },
        );
        expect(result.warnings).toEqual([]);
        return result.hops[0]!.steps.map((s) => `${s.chain} ${s.kind}`);
      };
      expect(await steps('-A OUTPUT -p udp -j ACCEPT\n')).toEqual([]);
      expect(await steps('-A OUTPUT -p udp -j ACCEPT\n-A OUTPUT -p tcp --dport 1 -j REDIRECT --to-ports 2\n')).toEqual(['OUTPUT policy', 'POSTROUTING policy']);
    }, 30_000);

    it('sets up policy routing: a marked datagram is routed to the pod itself', async () => {
      const result = await runKernelFlow(
        {
          rules: { ipv4: '*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -d 10.96.0.50/32 -p udp -j MARK --set-xmark 0x539/0xffffffff\nCOMMIT\n' },
          policyRouting: [{ fwmark: 0x539, table: 133 }],
          listeners: [
            { ns: 'pod', family: 'ipv4', proto: 'udp', port: 53, uid: 1000, gid: 1000 },
            { ns: 'peer', family: 'ipv4', proto: 'udp', port: 53, uid: 0, gid: 0 },
          ],
          start: [
            { ns: 'pod', proto: 'udp', dst: '10.96.0.50', dport: 53, uid: 1000, gid: 1000 },
            { ns: 'pod', proto: 'udp', dst: '10.96.0.51', dport: 53, uid: 1000, gid: 1000 },
          ],
        },
        { standinScript: compiled.standin },
      );
      expect(result.warnings).toEqual([]);
      expect(result.hops.map((h) => [h.packet.dst, h.delivered?.ns])).toEqual([
        ['10.96.0.50', 'pod'],
        ['10.96.0.51', 'peer'],
      ]);
      expect(result.hops[0]!.steps[0]).toMatchObject({ hook: 'OUTPUT', table: 'mangle', chain: 'OUTPUT', rule: 1, kind: 'rule', target: 'MARK', verdict: 'continue' });
    }, 30_000);

    for (const family of ['ipv4', 'ipv6'] as const) {
      it(`delivers a TPROXY connection to a transparent listener (${family})`, async () => {
        const v6 = family === 'ipv6';
        const mangle = [
          '*mangle',
          ':PREROUTING ACCEPT [0:0]',
          ':INPUT ACCEPT [0:0]',
          ':ISTIO_INBOUND - [0:0]',
          ':ISTIO_TPROXY - [0:0]',
          '-A PREROUTING -p tcp -j ISTIO_INBOUND',
          '-A ISTIO_INBOUND -i lo -j RETURN',
          '-A ISTIO_INBOUND -p tcp -j ISTIO_TPROXY',
          `-A ISTIO_TPROXY -p tcp -j TPROXY --on-port 15006 --on-ip ${v6 ? '::' : '0.0.0.0'} --tproxy-mark 0x539/0xffffffff`,
          'COMMIT',
          '',
        ].join('\n');
        const pod = v6 ? 'fd00:10:244:1::5' : '10.244.1.5';
        const result = await runKernelFlow(
          {
            rules: v6 ? { ipv6: mangle } : { ipv4: mangle },
            policyRouting: [{ fwmark: 0x539, table: 133 }],
            listeners: [
              {
                ns: 'pod', family, proto: 'tcp', port: 15006, uid: 1337, gid: 1337, transparent: true,
                then: { connect: { proto: 'tcp', src: v6 ? '::6' : '127.0.0.6', dst: pod, dport: 9080 }, uid: 1337, gid: 1337 },
              },
              { ns: 'pod', family, proto: 'tcp', port: 9080, uid: 1000, gid: 1000 },
            ],
            start: { ns: 'peer', proto: 'tcp', src: v6 ? 'fd00:10:244:2::7' : '10.244.2.7', dst: pod, dport: 9080, uid: 0, gid: 0 },
          },
          { standinScript: compiled.standin },
        );
        expect(result.warnings).toEqual([]);
        const [inbound, toApp] = result.hops;
        expect(inbound!.steps.map((s) => [s.hook, s.table, s.chain, s.rule, s.kind, s.target, s.verdict])).toEqual([
          ['PREROUTING', 'mangle', 'PREROUTING', 1, 'rule', 'ISTIO_INBOUND', 'jump'],
          ['PREROUTING', 'mangle', 'ISTIO_INBOUND', 2, 'rule', 'ISTIO_TPROXY', 'jump'],
          ['PREROUTING', 'mangle', 'ISTIO_TPROXY', 1, 'rule', 'TPROXY', 'accept'],
          ['INPUT', 'mangle', 'INPUT', null, 'policy', 'ACCEPT', 'accept'],
        ]);
        // TPROXY keeps the original destination: the transparent listener accepts it as pod:9080.
        expect(inbound!.delivered).toEqual({ ns: 'pod', listener: 0, address: pod, port: 9080 });
        expect(toApp!.openedBy).toEqual({ kind: 'listener', index: 0 });
        expect(toApp!.delivered).toMatchObject({ listener: 1, port: 9080 });
      }, 30_000);
    }

    for (const family of ['ipv4', 'ipv6'] as const) {
      it(`replays Envoy's original_src upstream: transparent, marked, from the client's address (${family})`, async () => {
        const v6 = family === 'ipv6';
        const pod = v6 ? 'fd00:10:244:1::5' : '10.244.1.5';
        const client = v6 ? 'fd00:10:244:2::7' : '10.244.2.7';
        // Istio's TPROXY mangle rules (1.13+), cut down to what this flow needs.
        const rules = [
          '*mangle',
          ':PREROUTING ACCEPT [0:0]',
          ':OUTPUT ACCEPT [0:0]',
          ':ISTIO_INBOUND - [0:0]',
          ':ISTIO_TPROXY - [0:0]',
          '-A PREROUTING -p tcp -j ISTIO_INBOUND',
          '-A PREROUTING -p tcp -m mark --mark 0x539 -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff',
          '-A OUTPUT -o lo -p tcp -m mark --mark 0x539 -j RETURN',
          '-A OUTPUT -p tcp -m connmark --mark 0x539 -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff',
          '-A ISTIO_INBOUND -p tcp -m mark --mark 0x539 -j RETURN',
          '-A ISTIO_INBOUND -p tcp -j ISTIO_TPROXY',
          `-A ISTIO_TPROXY -p tcp -j TPROXY --on-port 15006 --on-ip ${v6 ? '::' : '0.0.0.0'} --tproxy-mark 0x539/0xffffffff`,
          'COMMIT',
          '*filter',
          ':OUTPUT ACCEPT [0:0]',
          // Only the proxy's identity (uid 0, gid 1337) with mark 1337 matches: proves all three.
          '-A OUTPUT -p tcp -m owner --uid-owner 0 --gid-owner 1337 -m mark --mark 0x539 -j ACCEPT',
          'COMMIT',
          '',
        ].join('\n');
        const result = await runKernelFlow(
          {
            rules: v6 ? { ipv6: rules } : { ipv4: rules },
            policyRouting: [{ fwmark: 0x539, table: 133 }],
            listeners: [
              {
                ns: 'pod', family, proto: 'tcp', port: 15006, uid: 0, gid: 1337, transparent: true,
                then: { connect: { proto: 'tcp', src: client, dst: pod, dport: 9080, transparent: true, mark: 0x539 }, uid: 0, gid: 1337 },
              },
              { ns: 'pod', family, proto: 'tcp', port: 9080, uid: 1000, gid: 1000 },
            ],
            start: { ns: 'peer', proto: 'tcp', src: client, dst: pod, dport: 9080, uid: 0, gid: 0 },
          },
          { standinScript: compiled.standin },
        );
        expect(result.warnings).toEqual([]);
        const [inbound, upstream] = result.hops;
        expect(inbound!.delivered).toMatchObject({ listener: 0, port: 9080 });
        expect(upstream!.packet).toMatchObject({ src: client, dst: pod, dport: 9080, in: null, out: 'lo' });
        expect(upstream!.packet.sport).not.toBe(inbound!.packet.sport);
        expect(upstream!.steps.map((s) => [s.hook, s.table, s.chain, s.rule, s.verdict])).toEqual([
          ['OUTPUT', 'mangle', 'OUTPUT', 1, 'return'],
          ['OUTPUT', 'mangle', 'OUTPUT', null, 'accept'],
          ['OUTPUT', 'filter', 'OUTPUT', 1, 'accept'],
          // Looped back over lo: the mark survives, so ISTIO_INBOUND returns and CONNMARK saves it.
          ['PREROUTING', 'mangle', 'PREROUTING', 1, 'jump'],
          ['PREROUTING', 'mangle', 'ISTIO_INBOUND', 1, 'return'],
          ['PREROUTING', 'mangle', 'PREROUTING', 2, 'continue'],
          ['PREROUTING', 'mangle', 'PREROUTING', null, 'accept'],
        ]);
        // The handshake completed (the app's SYN-ACK found its way back by CONNMARK and policy routing).
        expect(upstream!.openedBy).toEqual({ kind: 'listener', index: 0 });
        expect(upstream!.delivered).toMatchObject({ listener: 1, port: 9080 });
        expect(result.connections.find((c) => c.openedBy.kind === 'listener')).toMatchObject({ ok: true, uid: 0, gid: 1337, local: { address: client } });
      }, 30_000);
    }

    // The source is bound: with no source, the kernel would take the `local default` route's
    // answer (source = destination), which is no interface's address, and refuse (ENETUNREACH).
    it('sets SO_MARK on a datagram: policy routing delivers it to the pod itself', async () => {
      const result = await runKernelFlow(
        {
          rules: { ipv4: '*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -m mark --mark 0x539 -m owner --uid-owner 1000 -j ACCEPT\nCOMMIT\n' },
          policyRouting: [{ fwmark: 0x539, table: 133 }],
          listeners: [
            { ns: 'pod', family: 'ipv4', proto: 'udp', port: 53, uid: 1000, gid: 1000 },
            { ns: 'peer', family: 'ipv4', proto: 'udp', port: 53, uid: 0, gid: 0 },
          ],
          start: [
            { ns: 'pod', proto: 'udp', src: '10.244.1.5', dst: '10.96.0.50', dport: 53, uid: 1000, gid: 1000, mark: 0x539 },
            { ns: 'pod', proto: 'udp', dst: '10.96.0.51', dport: 53, uid: 1000, gid: 1000 },
          ],
        },
        { standinScript: compiled.standin },
      );
      expect(result.warnings).toEqual([]);
      expect(result.hops.map((h) => [h.packet.dst, h.packet.out, h.delivered?.ns, h.steps[0]?.rule ?? null])).toEqual([
        ['10.96.0.50', 'lo', 'pod', 1],
        ['10.96.0.51', 'eth0', 'peer', null],
      ]);
    }, 30_000);

    it('reports a transparent connection that cannot connect as failed, and cleans up', async () => {
      const result = await runKernelFlow(
        {
          rules: { ipv4: '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp --dport 9999 -j DROP\nCOMMIT\n' },
          listeners: [],
          start: { ns: 'pod', proto: 'tcp', src: '10.244.2.9', dst: '10.244.1.5', dport: 9999, uid: 0, gid: 1337, transparent: true, mark: 7 },
          connectTimeoutMs: 500,
        },
        { standinScript: compiled.standin },
      );
      expect(result.connections).toEqual([
        expect.objectContaining({ ok: false, error: 'ETIMEDOUT', uid: 0, gid: 1337 }),
      ]);
      expect(result.hops[0]!.packet.src).toBe('10.244.2.9');
      expect(await ours()).toEqual([]);
    }, 30_000);

    it('leaves no namespace and no process behind after a run', async () => {
      const seen: Progress[] = [];
      await runKernelFlow(FLOWS[0]!.plan, { standinScript: compiled.standin, onProgress: (p) => seen.push(p) });
      const pids = seen.at(-1)!.pids;
      expect(pids.length).toBeGreaterThan(3);
      expect(await ours()).toEqual([]);
      expect(await waitUntil(() => pids.every((p) => !alive(p)), 3000)).toBe(true);
    }, 30_000);

    it('cleans up when loading the rules fails', async () => {
      const seen: Progress[] = [];
      await expect(
        runKernelFlow(
          { rules: { ipv4: '*nat\n-A NO_SUCH_CHAIN -j ACCEPT\nCOMMIT\n' }, listeners: [], start: { ns: 'pod', proto: 'tcp', dst: '10.96.0.1', dport: 80, uid: 0, gid: 0 } },
          { standinScript: compiled.standin, onProgress: (p) => seen.push(p) },
        ),
      ).rejects.toThrow(/iptables.*restore/);
      expect(seen.map((p) => p.phase)).toEqual(['namespaces', 'cleanup']);
      expect(await ours()).toEqual([]);
    }, 30_000);

    it('cleans up on timeout', async () => {
      const seen: Progress[] = [];
      await expect(
        runKernelFlow(
          {
            rules: { ipv4: '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp --dport 9999 -j DROP\nCOMMIT\n' },
            listeners: [{ ns: 'peer', family: 'ipv4', proto: 'tcp', port: 80, uid: 0, gid: 0 }],
            start: { ns: 'pod', proto: 'tcp', dst: '10.96.0.1', dport: 9999, uid: 1000, gid: 1000 },
            connectTimeoutMs: 60_000,
            timeoutMs: 2500,
          },
          { standinScript: compiled.standin, onProgress: (p) => seen.push(p) },
        ),
      ).rejects.toThrow(/timed out after 2500 ms/);
      const pids = seen.at(-1)!.pids;
      expect(await ours()).toEqual([]);
      expect(await waitUntil(() => pids.every((p) => !alive(p)), 3000)).toBe(true);
    }, 30_000);

    it('refuses to touch a namespace that already exists', async () => {
      const taken = `${NS_PREFIX}${process.pid}-taken-pod`;
      await run(ip, ['netns', 'add', taken]);
      try {
        const created: string[] = [];
        await expect(
          createNamespaces(caps.tools, { pod: taken, peer: `${NS_PREFIX}${process.pid}-taken-peer` }, resolvePlan(FLOWS[0]!.plan), created),
        ).rejects.toThrow(/already exists/);
        expect(created).toEqual([]);
        expect(await listNamespaces(ip)).toContain(taken);
      } finally {
        await run(ip, ['netns', 'del', taken]);
      }
    });

    it('rejects an invalid plan before touching anything', async () => {
      await expect(
        runKernelFlow({ rules: { ipv4: '' }, listeners: [], start: { ns: 'pod', proto: 'tcp', dst: 'fd00::1', dport: 80, uid: 0, gid: 0 }, pod: { ipv6: null } }),
      ).rejects.toThrow(PlanError);
    });

    it('leaves nothing behind when its process gets SIGTERM mid-run', async () => {
      const child = spawn(process.execPath, [path.join(compiled.dir, 'sigterm-child.js'), compiled.index, compiled.standin], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const progress: Progress[] = [];
      const started = new Promise<void>((resolve, reject) => {
        let buf = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          buf += d;
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const line of lines) {
            const p = JSON.parse(line) as Progress;
            progress.push(p);
            if (p.phase === 'start') resolve();
          }
        });
        child.once('exit', () => reject(new Error(`child exited before the flow started: ${stderr}`)));
      });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
      await started;
      const { namespaces, pids } = progress.at(-1)!;
      expect(await listNamespaces(ip)).toEqual(expect.arrayContaining([namespaces.pod, namespaces.peer]));
      expect(pids.filter(alive).length).toBeGreaterThan(0);

      child.kill('SIGTERM');
      expect(await exited).toBe('SIGTERM'); // the harness cleaned up, then re-raised the signal
      const names = await listNamespaces(ip);
      expect(names).not.toContain(namespaces.pod);
      expect(names).not.toContain(namespaces.peer);
      expect(await waitUntil(() => pids.every((p) => !alive(p)), 3000)).toBe(true);
    }, 30_000);

    it('leaves no namespace with its prefix at the end', async () => {
      expect(await ours()).toEqual([]);
    });
  });
}
