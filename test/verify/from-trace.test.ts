/** planFromTrace: which listeners and connections a simulated trace turns into (pure, no kernel). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRulesText } from '../../src/sources/rule-text.js';
import { podContext } from '../../src/istio/pod-context.js';
import { defaultPodConfig } from '../../src/istio/config.js';
import { resolveFlow, type FlowInput } from '../../src/istio/flow.js';
import { DEFAULT_MAX_HOPS, traceFlow } from '../../src/istio/trace-flow.js';
import { planFromTrace } from '../../src/verify/from-trace.js';
import { resolvePlan } from '../../src/verify/plan.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function plan(profile: string, input: FlowInput) {
  const file = path.join('rules', `${profile}.rules`);
  const ctx = podContext(loadRulesText(readFileSync(path.join(ROOT, file), 'utf8'), file, file), defaultPodConfig());
  const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', ...input }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
  const planned = planFromTrace(trace, ctx.ruleset, ctx.pod);
  if (!planned.ok) throw new Error(planned.reason);
  resolvePlan(planned.plan); // valid as the harness would check it
  return planned.plan;
}

/** Plan a flow over a rule text (no profile): the listeners the harness would start. */
function planText(text: string, input: FlowInput) {
  const ctx = podContext(loadRulesText(text, 'test.rules', 'test.rules'), defaultPodConfig());
  const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', ...input }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
  const planned = planFromTrace(trace, ctx.ruleset, ctx.pod);
  if (!planned.ok) throw new Error(planned.reason);
  return { trace, plan: planned.plan };
}

describe('planFromTrace', () => {
  it("keeps the listener a failed handshake's SYN reached: the remote's, when its SYN-ACK is dropped coming in", () => {
    const { trace, plan: p } = planText('*mangle\n:INPUT DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n', { src: '10.244.1.5', dst: '10.244.2.7:15000', uid: 1000 });
    expect(trace.hops[0]!.outcome).toMatchObject({ type: 'dropped', iface: 'eth0' });
    expect(p.listeners).toEqual([{ ns: 'peer', family: 'ipv4', proto: 'tcp', port: 15000, uid: 0, gid: 0, name: 'remote' }]);
  });

  it("keeps the listener a failed handshake's SYN reached: a pod listener, when its SYN-ACK is dropped on the way back", () => {
    const rules = '*nat\n-A OUTPUT -p tcp -m owner ! --uid-owner 1337 -j REDIRECT --to-ports 15001\nCOMMIT\n*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT ! -o lo -j ACCEPT\nCOMMIT\n';
    const { trace, plan: p } = planText(rules, { src: '10.244.1.5', dst: '10.244.2.7:9080', uid: 1000 });
    expect(trace.hops).toHaveLength(1);
    expect(trace.hops[0]!.outcome).toMatchObject({ type: 'dropped', role: 'envoy-outbound', listenerPort: 15001 });
    expect(p.listeners.map((l) => [l.ns, l.port, l.name])).toEqual([['pod', 15001, 'Envoy outbound (15001)']]);
  });

  it('restores owner names as the ids the pod model was given (this machine need not know them)', () => {
    const file = path.join('test', 'data', 'istio-goldens', '1.25.0', 'capture', 'outbound-owner-groups.golden');
    const base = defaultPodConfig();
    base.owners = { users: new Map(), groups: new Map([['java', 3001]]) };
    const ctx = podContext(loadRulesText(readFileSync(path.join(ROOT, file), 'utf8'), file, file), base);
    const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', dst: '10.244.2.7:9080', uid: 1000 }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
    const planned = planFromTrace(trace, ctx.ruleset, ctx.pod);
    if (!planned.ok) throw new Error(planned.reason);
    expect(planned.plan.rules.ipv4).toContain('-m owner ! --gid-owner 3001 -m owner ! --gid-owner 202 -j RETURN');
    expect(planned.plan.rules.ipv4).not.toContain('java');
  });

  it("replays TPROXY's original_src upstream: transparent, mark 1337, the client's address, uid 0 / gid 1337", () => {
    const p = plan('istio-1.25-tproxy', { src: '10.244.2.7', dst: 'pod:9080' });
    expect(p.policyRouting).toEqual([{ fwmark: 1337, table: 133 }]);
    expect(p.listeners).toEqual([
      {
        ns: 'pod', family: 'ipv4', proto: 'tcp', port: 15006, uid: 0, gid: 1337, name: 'Envoy inbound (15006)', transparent: true,
        then: { connect: { proto: 'tcp', src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, mark: 1337, transparent: true }, uid: 0, gid: 1337 },
      },
      { ns: 'pod', family: 'ipv4', proto: 'tcp', port: 9080, uid: 1000, gid: 1000, name: 'app' },
    ]);
    expect(p.start).toEqual({ ns: 'peer', proto: 'tcp', src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, uid: 0, gid: 0 });
  });

  it('marks but does not make transparent an original_src upstream from a local address (Service-to-self)', () => {
    const p = plan('istio-1.25-tproxy', { src: 'pod', dst: '10.96.0.15:9080', via: 'pod:9080', uid: 1000 });
    const inbound = p.listeners.find((l) => l.port === 15006)!;
    expect(inbound.then?.connect).toEqual({ proto: 'tcp', src: '10.244.1.5', dst: '10.244.1.5', dport: 9080, mark: 1337 });
  });

  it('bounds a flow that loops through a listener by the onward connections the trace shows', () => {
    const loop = plan('istio-1.25-tproxy', { src: '10.244.2.7', dst: 'pod:15006' });
    expect(loop.listeners).toHaveLength(1);
    expect(loop.listeners[0]!.then).toMatchObject({ connect: { src: '10.244.2.7', dport: 15006, transparent: true, mark: 1337 }, times: 7 });
    // REDIRECT mode: Envoy forwards once from 127.0.0.6; reached on its own port again, it stops.
    const once = plan('istio-1.25', { src: '10.244.2.7', dst: 'pod:15006' });
    expect(once.listeners[0]!.then).toMatchObject({ connect: { src: '127.0.0.6', dport: 15006 }, times: 1 });
    expect(plan('istio-1.25', { src: '10.244.2.7', dst: 'pod:9080' }).listeners[0]!.then).not.toHaveProperty('times');
  });

  it('leaves REDIRECT-mode connections plain', () => {
    const p = plan('istio-1.25', { src: '10.244.2.7', dst: 'pod:9080' });
    expect(p.policyRouting).toBeUndefined();
    expect(p.listeners[0]!.then?.connect).toEqual({ proto: 'tcp', src: '127.0.0.6', dst: '10.244.1.5', dport: 9080 });
    expect(p.listeners[0]!.transparent).toBeUndefined();
  });

  it('binds the source port a flow names, and only then', () => {
    expect(plan('istio-1.25-dns', { src: '127.0.0.1:15053', dst: '127.0.0.1:41000', proto: 'udp', uid: 1337 }).start).toMatchObject({ src: '127.0.0.1', sport: 15053 });
    expect(plan('istio-1.25-dns', { src: '10.244.2.7:5555', dst: 'pod:9080' }).start).toMatchObject({ ns: 'peer', sport: 5555 });
    expect(plan('istio-1.25-dns', { src: 'pod', dst: '10.244.2.7:80' }).start).not.toHaveProperty('sport');
  });

  it('gives the pod the listener a -m socket rule consults, even when the flow never reaches it', () => {
    // test/fixtures/random-kernel/socket-nowildcard-1.rules: the socket match drops the SYN in
    // filter INPUT because the app listens on 9080; the kernel must have that listener too.
    const file = path.join('test', 'fixtures', 'random-kernel', 'socket-nowildcard-1.rules');
    const ctx = podContext(loadRulesText(readFileSync(path.join(ROOT, file), 'utf8'), file, file), defaultPodConfig());
    const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', src: '10.244.2.7', dst: '10.244.1.5:9080' }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
    expect(trace.hops[0]!.outcome.type).toBe('dropped');
    const planned = planFromTrace(trace, ctx.ruleset, ctx.pod);
    if (!planned.ok) throw new Error(planned.reason);
    expect(planned.plan.listeners).toEqual([{ ns: 'pod', family: 'ipv4', proto: 'tcp', port: 9080, uid: 1000, gid: 1000, name: 'app' }]);
  });

  it('gives the pod the listener a TPROXY rule looks up on its --on-port, even when the flow is dropped later', () => {
    // test/fixtures/random-kernel/tproxy-listener-started-1.rules (fuzz:kernel seed 2026 case 22):
    // TPROXY assigns 15001 to a looped-back SYN, then filter INPUT drops it.
    const file = path.join('test', 'fixtures', 'random-kernel', 'tproxy-listener-started-1.rules');
    const ctx = podContext(loadRulesText(readFileSync(path.join(ROOT, file), 'utf8'), file, file), defaultPodConfig());
    const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', src: '10.244.1.5', dst: '10.244.1.5:15000', uid: 1000 }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
    expect(trace.hops[0]!.outcome.type).toBe('dropped');
    const planned = planFromTrace(trace, ctx.ruleset, ctx.pod);
    if (!planned.ok) throw new Error(planned.reason);
    expect(planned.plan.listeners.map((l) => [l.port, l.transparent === true])).toContainEqual([15001, true]);
  });

  it('adds no listener the flow does not reach when no rule uses -m socket', () => {
    const p = plan('istio-1.25', { src: '10.244.2.7', dst: 'pod:9080' });
    expect(p.listeners.map((l) => l.port)).toEqual([15006, 9080]);
  });
});
