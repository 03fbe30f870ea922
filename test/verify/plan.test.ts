import { describe, expect, it } from 'vitest';
import { PlanError, resolvePlan, type KernelPlan } from '../../src/verify/plan.js';

const base: KernelPlan = {
  rules: { ipv4: '*nat\nCOMMIT\n' },
  listeners: [],
  start: { ns: 'pod', proto: 'tcp', dst: '10.96.0.1', dport: 80, uid: 1000, gid: 1000 },
};

describe('resolvePlan', () => {
  it('fills in the documented pod network', () => {
    const r = resolvePlan(base);
    expect(r.pod).toEqual({
      ipv4: '10.244.1.5',
      prefix4: 24,
      gateway4: '10.244.1.1',
      net4: '10.244.1.0/24',
      ipv6: 'fd00:10:244:1::5',
      prefix6: 64,
      gateway6: 'fd00:10:244:1::1',
      net6: 'fd00:10:244:1::/64',
    });
    expect(r.start).toHaveLength(1);
    expect(r.timeoutMs).toBe(30_000);
    expect(r.connectTimeoutMs).toBe(1500);
  });

  it("accepts an original_src onward connection: transparent, marked, from the client's address", () => {
    const r = resolvePlan({
      ...base,
      listeners: [{ ns: 'pod', family: 'ipv4', proto: 'tcp', port: 15006, uid: 0, gid: 1337, transparent: true, then: { connect: { proto: 'tcp', src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, transparent: true, mark: 1337 }, uid: 0, gid: 1337 } }],
      start: { ns: 'peer', proto: 'tcp', src: '10.244.2.7', sport: 5555, dst: '10.244.1.5', dport: 9080, uid: 0, gid: 0 },
    });
    expect(r.listeners[0]!.then!.connect).toMatchObject({ transparent: true, mark: 1337 });
    expect(r.start[0]).toMatchObject({ sport: 5555 });
  });

  it('accepts CIDR notation and an IPv4-only pod', () => {
    const r = resolvePlan({ ...base, pod: { ipv4: '192.168.7.20/28', ipv6: null } });
    expect(r.pod).toMatchObject({ ipv4: '192.168.7.20', prefix4: 28, gateway4: '192.168.7.17', net4: '192.168.7.16/28', ipv6: null });
  });

  const bad: Array<[string, KernelPlan, RegExp]> = [
    ['no rules', { ...base, rules: {} }, /rules/],
    ['a bad address', { ...base, start: { ...(base.start as object), dst: '10.96.0.300' } as KernelPlan['start'] }, /not an IP address/],
    ['a bad port', { ...base, start: { ...(base.start as object), dport: 0 } as KernelPlan['start'] }, /bad port/],
    ['mixed families', { ...base, start: { ...(base.start as object), src: '::6' } as KernelPlan['start'] }, /is not ipv4/],
    ['IPv6 on an IPv4-only pod', { ...base, pod: { ipv6: null }, start: { ...(base.start as object), dst: 'fd00::1' } as KernelPlan['start'] }, /no IPv6/],
    ['the probe range', { ...base, start: { ...(base.start as object), dst: '127.88.0.1' } as KernelPlan['start'] }, /reserves/],
    [
      'a transparent UDP listener',
      { ...base, listeners: [{ ns: 'pod', family: 'ipv4', proto: 'udp', port: 15006, uid: 1337, gid: 1337, transparent: true }] },
      /only TCP listeners can be transparent/,
    ],
    [
      'two listeners on one port',
      {
        ...base,
        listeners: [
          { ns: 'pod', family: 'ipv4', proto: 'tcp', port: 80, uid: 0, gid: 0 },
          { ns: 'pod', family: 'ipv4', proto: 'tcp', port: 80, uid: 1, gid: 1 },
        ],
      },
      /two listeners/,
    ],
    [
      'a transparent connection without a source to bind',
      { ...base, start: { ...(base.start as object), transparent: true } as KernelPlan['start'] },
      /transparent: give the \(non-local\) src/,
    ],
    ['a mark beyond 32 bits', { ...base, start: { ...(base.start as object), mark: 2 ** 32 } as KernelPlan['start'] }, /bad mark/],
    ['a bad source port', { ...base, start: { ...(base.start as object), sport: 70000 } as KernelPlan['start'] }, /sport: bad port/],
    [
      'a marked onward connection with a bad mark',
      {
        ...base,
        listeners: [{ ns: 'pod', family: 'ipv4', proto: 'tcp', port: 15006, uid: 0, gid: 1337, then: { connect: { proto: 'tcp', src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, transparent: true, mark: -1 }, uid: 0, gid: 1337 } }],
      },
      /then\.connect\.mark: bad mark/,
    ],
    ['a reserved routing table', { ...base, policyRouting: [{ fwmark: 0x539, table: 254 }] }, /bad table/],
    ['no start', { ...base, start: [] }, /at least one/],
  ];
  for (const [what, plan, message] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => resolvePlan(plan)).toThrow(PlanError);
      expect(() => resolvePlan(plan)).toThrow(message);
    });
  }
});

describe('resolveStandinScript', () => {
  it('refuses an explicit path that does not exist', async () => {
    const { resolveStandinScript } = await import('../../src/verify/standin-path.js');
    expect(() => resolveStandinScript('/nonexistent/standin.js')).toThrow(/not found/);
  });
});

describe('onLinkRemotes', () => {
  it("lists the remote hosts a plan uses inside the pod's subnets, not the pod, the gateway or off-link hosts", async () => {
    const { onLinkRemotes } = await import('../../src/verify/netns.js');
    const plan = resolvePlan({
      ...base,
      listeners: [
        { ns: 'pod', family: 'ipv4', proto: 'tcp', port: 15001, uid: 1337, gid: 1337, then: { connect: { proto: 'tcp', dst: '10.244.1.9', dport: 80 }, uid: 1337, gid: 1337 } },
        { ns: 'pod', family: 'ipv6', proto: 'tcp', port: 15006, uid: 0, gid: 1337, transparent: true, then: { connect: { proto: 'tcp', src: 'fd00:10:244:1::9', dst: 'fd00:10:244:1::5', dport: 80, transparent: true, mark: 1337 }, uid: 0, gid: 1337 } },
      ],
      start: [
        { ns: 'pod', proto: 'tcp', dst: '10.244.1.1', dport: 80, uid: 1000, gid: 1000 },
        { ns: 'pod', proto: 'tcp', dst: '10.244.2.7', dport: 80, uid: 1000, gid: 1000 },
        { ns: 'peer', proto: 'tcp', src: 'fd00:10:244:1:0:0:0:7', dst: 'fd00:10:244:1::5', dport: 80, uid: 0, gid: 0 },
        { ns: 'pod', proto: 'tcp', dst: '10.244.1.5', dport: 80, uid: 1000, gid: 1000 },
      ],
    });
    expect(onLinkRemotes(plan)).toEqual(['fd00:10:244:1::7', '10.244.1.9']);
  });
});
