/** The proxy's identity and ports read from the rules and a log's banner; real Istio goldens as fixtures. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRulesText } from '../../src/sources/rule-text.js';
import { podContext, type PodOverrides } from '../../src/istio/pod-context.js';
import type { Ruleset, SourceSetting } from '../../src/core/ruleset/model.js';
import { defaultPodConfig } from '../../src/istio/config.js';
import { resolveFlow, type FlowInput } from '../../src/istio/flow.js';
import { DEFAULT_MAX_HOPS, traceFlow } from '../../src/istio/trace-flow.js';
import { proxyLine } from '../../src/render/proxy.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = path.join('test', 'fixtures', 'identity');

function load(file: string): Ruleset {
  const rel = path.join(FIXTURES, file);
  return loadRulesText(readFileSync(path.join(ROOT, rel), 'utf8'), rel, rel);
}

function trace(ruleset: Ruleset, input: FlowInput, overrides: PodOverrides = {}) {
  const ctx = podContext(ruleset, defaultPodConfig(), overrides);
  const t = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', ...input }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
  return { ctx, t };
}

const setting = (t: ReturnType<typeof trace>['t'], name: string) => t.proxy!.settings.find((s) => s.setting === name);

describe('identity from Istio 1.25 dns-uid-gid.golden (ProxyUID "3,4", ProxyGID "1,2")', () => {
  const rs = load('istio-1.25-dns-uid-gid.golden');

  it('reads every owner RETURN as the proxy; Envoy runs as the first uid and gid', () => {
    const { ctx, t } = trace(rs, { dst: '10.244.2.7:9080' });
    expect(ctx.pod.proxyUids).toEqual([3, 4]);
    expect(ctx.pod.proxyGids).toEqual([1, 2]);
    expect(ctx.pod.proxyUid).toBe(3);
    expect(ctx.pod.proxyGid).toBe(1);
    expect(setting(t, 'uid')!.from).toEqual({ kind: 'rule', table: 'nat', chain: 'ISTIO_OUTPUT', rule: 4, line: 16 });
    expect(setting(t, 'gid')!.from).toMatchObject({ chain: 'ISTIO_OUTPUT', rule: 10 });
    expect(setting(t, 'dns')).toMatchObject({ value: '15053', from: { chain: 'ISTIO_OUTPUT_DNS', rule: 1 } });
    expect(setting(t, 'inbound bind')).toMatchObject({ value: '127.0.0.6', from: { chain: 'ISTIO_OUTPUT', rule: 1 } });
    expect(setting(t, 'inbound bind6')).toMatchObject({ value: '::6' });
  });

  it('an Envoy connection as uid 4 (the second listed) is exempt too: no loop', () => {
    const { t } = trace(rs, { dst: '10.244.2.7:9080', uid: 4, gid: 4 });
    expect(t.hops).toHaveLength(1);
    expect(t.hops[0]!.outcome.type).toBe('egress');
    expect(t.hops[0]!.decidedBy).toEqual({ table: 'nat', chain: 'ISTIO_OUTPUT', rule: 7 });
    expect(t.warnings.join('\n')).not.toMatch(/loop/);
  });

  it('DNS from the app reaches the DNS proxy, whose upstream query (uid 3) leaves', () => {
    const app = trace(rs, { dst: '127.0.0.53:53', proto: 'tcp' }).t;
    expect(app.hops[0]!.outcome.role).toBe('agent-dns');
    const agent = trace(rs, { dst: '127.0.0.53:53', proto: 'udp', uid: 3, gid: 1 }).t;
    expect(agent.hops[0]!.decidedBy).toEqual({ table: 'nat', chain: 'ISTIO_OUTPUT', rule: 4 });
  });
});

describe('identity from the Istio 1.5 golden mode_redirect (uid 4321, gid 4444, port 12345)', () => {
  const rs = load('istio-1.5-mode-redirect.golden.txt');

  it('takes uid, gid and both capture ports from the rules, and names the rules in the header', () => {
    const { ctx, t } = trace(rs, { dst: '1.1.2.3:80' });
    expect([ctx.pod.proxyUid, ctx.pod.proxyGid, ctx.pod.ports.outbound, ctx.pod.ports.inbound]).toEqual([4321, 4444, 12345, 12345]);
    expect(t.hops.map((h) => h.outcome.type)).toEqual(['delivered', 'egress']);
    expect(t.hops[1]!.packet.uid).toBe(4321);
    expect(t.hops[1]!.decidedBy).toMatchObject({ chain: 'ISTIO_OUTPUT', rule: 4 });
    expect(t.warnings.join('\n')).not.toMatch(/loop|hop limit/);
    const line = proxyLine(t)!;
    expect(line).toContain('uid 4321 (nat ISTIO_OUTPUT rule 4, ');
    expect(line).toContain('gid 4444 (nat ISTIO_OUTPUT rule 7, ');
    expect(line).toMatch(/outbound 12345 \(nat ISTIO_REDIRECT rule 1, [^)]*:\d+\)/);
  });

  it('an inbound connection captured on the shared port reaches the app, not a loop', () => {
    const { t } = trace(rs, { src: '10.244.2.7', dst: 'pod:5555' });
    expect(t.hops.at(-1)!.outcome).toMatchObject({ type: 'delivered', role: 'app', port: 5555 });
    expect(t.warnings.join('\n')).not.toMatch(/loop/);
  });

  it('the kubevirt interfaces get an assumed address, so their traffic reaches Envoy instead of a drop', () => {
    const { ctx, t } = trace(rs, { src: '10.0.2.2', dst: '1.1.2.3:80', inIface: 'eth1' });
    expect(ctx.pod.extraInterfaces.map((i) => i.name)).toEqual(['eth2', 'eth1']);
    expect(t.hops[0]!.outcome).toMatchObject({ type: 'delivered', role: 'envoy-outbound' });
    expect(t.notes.join('\n')).toMatch(/eth1 is a virtual interface .* assumed 10\.0\.\d\.1\/24/);
  });
});

describe('identity from outbound-owner-groups-exclude.golden (apps of gid 888 and "ftp" excluded)', () => {
  it('only the owners of the loopback rules are the proxy; the excluded groups are not', () => {
    const { ctx, t } = trace(load('istio-1.25-outbound-owner-groups-exclude.golden'), { dst: '10.244.2.7:9080', uid: 1000, gid: 888 });
    expect(ctx.pod.proxyGids).toEqual([1337]);
    expect(ctx.pod.proxyUids).toEqual([1337]);
    expect(t.notes.join('\n')).not.toContain('ftp');
    expect(t.hops[0]!.actor).toBe('app (uid 1000)');
    expect(t.hops[0]!.decidedBy).toEqual({ table: 'nat', chain: 'ISTIO_OUTPUT', rule: 8 });
  });
});

describe('the banner fills what the rules do not say, and loses where they disagree', () => {
  const withSettings = (rs: Ruleset, settings: SourceSetting[]): Ruleset => ({ ...rs, settings });
  const plain = load('istio-1.25-dns-uid-gid.golden');

  it('a VM log that says PROXY_UID=997 but exempts 3,4: the rules win, and a note says so', () => {
    const { ctx, t } = trace(withSettings(plain, [{ key: 'PROXY_UID', value: '997', line: 3 }]), { dst: '10.244.2.7:9080' });
    expect(ctx.pod.proxyUids).toEqual([3, 4]);
    expect(t.notes.join('\n')).toContain("the log's banner says PROXY_UID=997 (line 3), but the rules give uid 3,4");
  });

  it('without owner rules the banner gives the uid (1.27+ name) and the route table', () => {
    const rs = loadRulesText(
      '*nat\n:OUTPUT ACCEPT [0:0]\n:PREROUTING ACCEPT [0:0]\n:ISTIO_REDIRECT - [0:0]\n-A OUTPUT -p tcp -j ISTIO_REDIRECT\n-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001\nCOMMIT\n',
      'vm.txt',
      'vm.txt',
    );
    const { ctx, t } = trace(
      withSettings(rs, [
        { key: 'ProxyUID', value: '997', line: 2 },
        { key: 'PROXY_GID', value: '998', line: 3 },
        { key: 'INBOUND_TPROXY_ROUTE_TABLE', value: '200', line: 4 },
      ]),
      { dst: '10.0.0.1:80' },
    );
    expect([ctx.pod.proxyUid, ctx.pod.proxyGid]).toEqual([997, 998]);
    expect(setting(t, 'uid')!.from).toEqual({ kind: 'banner', key: 'ProxyUID', line: 2 });
    expect(proxyLine(t)).toContain('uid 997 (ProxyUID, vm.txt:2)');
  });

  it('TPROXY: Envoy runs as uid 0 before 1.27; a 1.27+ banner (NATIVE_NFTABLES printed) keeps the listed uid', () => {
    const f = path.join('rules', 'istio-1.25-tproxy.rules');
    const tproxy = loadRulesText(readFileSync(path.join(ROOT, f), 'utf8'), f, f);
    const old = trace(tproxy, { dst: '10.244.2.7:9080' });
    expect([old.ctx.pod.proxyUid, old.ctx.pod.proxyGid]).toEqual([0, 1337]);
    expect(old.t.hops[1]!.decidedBy).toMatchObject({ chain: 'ISTIO_OUTPUT', rule: 7 });
    const recent = trace(withSettings(tproxy, [{ key: 'NATIVE_NFTABLES', value: 'false', line: 30 }]), { dst: '10.244.2.7:9080' });
    expect(recent.ctx.pod.proxyUid).toBe(1337);
    expect(recent.t.hops[1]!.decidedBy).toMatchObject({ chain: 'ISTIO_OUTPUT', rule: 4 });
  });

  it('--interception-mode against the rules is noted', () => {
    const { t } = trace(plain, { dst: '10.244.2.7:9080' }, { mode: 'TPROXY' });
    expect(t.notes.join('\n')).toContain('--interception-mode TPROXY: the rules are those of REDIRECT mode');
  });

  it('flags override the rules', () => {
    const { ctx, t } = trace(plain, { dst: '10.244.2.7:9080' }, { proxyUid: 1337, outboundPort: 16001 });
    expect(ctx.pod.proxyUid).toBe(1337);
    expect(ctx.pod.ports.outbound).toBe(16001);
    expect(setting(t, 'outbound')!.from).toEqual({ kind: 'flag', flag: '--proxy-port' });
  });
});

describe('loop warning', () => {
  it('is given only when a connection opens again as one already seen', () => {
    // The proxy is not exempt here: Envoy's connection is captured again and again.
    const rs = loadRulesText(
      '*nat\n:OUTPUT ACCEPT [0:0]\n:ISTIO_REDIRECT - [0:0]\n-A OUTPUT -p tcp -j ISTIO_REDIRECT\n-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001\nCOMMIT\n',
      'loop.txt',
      'loop.txt',
    );
    const { t } = trace(rs, { dst: '10.0.0.1:80' });
    expect(t.hops.at(-1)!.outcome.type).toBe('hop-limit');
    expect(t.warnings.join('\n')).toContain('around a loop');
  });
});

describe('the header without a proxy in the rules', () => {
  it('says the defaults were assumed', () => {
    const rs = loadRulesText('*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'f.txt', 'f.txt');
    const { t } = trace(rs, { dst: '10.0.0.1:80' });
    expect(proxyLine(t)).toBe("proxy: none named by the rules; Istio's defaults assumed (uid 1337, gid 1337, outbound 15001, inbound 15006)");
  });
});

