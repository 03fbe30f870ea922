/** The engine's prepared forms (compiled routing, hook plans, the IPv4 CIDR test) answer as the plain forms do. */
import { describe, expect, it } from 'vitest';
import { cidrContains, parseAddress, parseCidr, type Cidr } from '../../../src/core/net/address.js';
import { baseChains, familyPlan } from '../../../src/core/netfilter/hook-plan.js';
import { TABLE_ORDER } from '../../../src/core/netfilter/hooks.js';
import { inCidr } from '../../../src/core/netfilter/hot-cidr.js';
import { lookupRoute, primaryAddress, type RoutingModel } from '../../../src/core/netfilter/routing.js';
import type { HookName } from '../../../src/core/types.js';
import { rulesetOf } from '../../helpers/rules.js';

const addr = (text: string) => parseAddress(text)!;
const cidr = (text: string) => parseCidr(text)!;

describe('inCidr', () => {
  const addrs = ['0.0.0.0', '10.244.1.5', '127.0.0.1', '127.255.255.255', '128.0.0.0', '192.168.1.1', '255.255.255.255', '::1', 'fd00::5'];
  const cidrs = ['0.0.0.0/0', '10.0.0.0/8', '127.0.0.0/8', '128.0.0.0/1', '0.0.0.0/1', '255.255.255.255/32', '10.244.1.5/31', '192.168.1.0/24', '::/0', 'fd00::/8'];
  for (const c of cidrs) {
    it(`${c}: the same answer as cidrContains for every address`, () => {
      for (const a of addrs) expect(inCidr(cidr(c), addr(a))).toBe(cidrContains(cidr(c), addr(a)));
    });
  }
  it('a base with host bits set contains nothing, as in cidrContains', () => {
    const odd: Cidr = { family: 'ipv4', base: addr('10.0.0.1'), prefix: 8 };
    expect(inCidr(odd, addr('10.0.0.1'))).toBe(cidrContains(odd, addr('10.0.0.1')));
  });
});

describe('compiled routing', () => {
  const model = (): RoutingModel => ({
    interfaces: [
      { name: 'lo', addrs: [{ addr: addr('127.0.0.1'), prefix: 8 }] },
      { name: 'eth0', addrs: [{ addr: addr('10.244.1.5'), prefix: 24 }, { addr: addr('10.244.1.6'), prefix: 24 }] },
      { name: 'eth0', addrs: [{ addr: addr('10.9.9.9'), prefix: 24 }] },
    ],
    rules: [
      { priority: 200, fwmark: { value: 2, mask: 0xff }, table: 'late' },
      { priority: 100, fwmark: { value: 1, mask: 0xff }, table: 'early' },
      { priority: 100, fwmark: { value: 1, mask: 0xff }, table: 'second' },
    ],
    tables: {
      main: [
        { dst: cidr('0.0.0.0/0'), type: 'unicast', dev: 'eth0', via: addr('10.244.1.1') },
        { dst: cidr('::/0'), type: 'unicast', dev: 'eth0', via: null },
      ],
      early: [{ dst: cidr('10.0.0.0/8'), type: 'blackhole', dev: null, via: null }],
      second: [{ dst: cidr('0.0.0.0/0'), type: 'local', dev: 'lo', via: null }],
      late: [{ dst: cidr('0.0.0.0/0'), type: 'unreachable', dev: null, via: null }],
    },
  });

  it('orders policy rules by priority, keeping the configured order among equals, main last', () => {
    const m = model();
    expect(lookupRoute(m, addr('10.1.2.3'), 1)).toMatchObject({ type: 'blackhole', table: 'early' });
    expect(lookupRoute(m, addr('192.168.0.1'), 1)).toMatchObject({ type: 'local', table: 'second' });
    expect(lookupRoute(m, addr('192.168.0.1'), 2)).toMatchObject({ type: 'unreachable', table: 'late' });
    expect(lookupRoute(m, addr('192.168.0.1'), 0)).toMatchObject({ type: 'unicast', table: 'main', dev: 'eth0', prefSrc: addr('10.244.1.5') });
  });

  it('keeps routes of each family apart and knows local addresses of every interface', () => {
    const m = model();
    expect(lookupRoute(m, addr('fd00::1'), 1)).toMatchObject({ type: 'unicast', table: 'main', prefSrc: null });
    expect(lookupRoute(m, addr('10.244.1.6'), 0)).toMatchObject({ type: 'local', table: 'local' });
    expect(lookupRoute(m, addr('10.9.9.9'), 0)).toMatchObject({ type: 'local', table: 'local' });
    expect(lookupRoute(m, addr('127.3.4.5'), 0)).toMatchObject({ type: 'local', table: 'local' });
  });

  it('keeps answers apart by mark and by family, and gives the same answer again', () => {
    const m = model();
    const first = lookupRoute(m, addr('192.168.0.1'), 0);
    expect(lookupRoute(m, addr('192.168.0.1'), 1)).toMatchObject({ type: 'local', table: 'second' });
    expect(lookupRoute(m, addr('192.168.0.1'), 0)).toEqual(first);
    // 0.0.0.1 and ::1 have the values 1 and 1n.
    expect(lookupRoute(m, addr('0.0.0.1'), 0)).toMatchObject({ type: 'unicast', table: 'main', prefSrc: addr('10.244.1.5') });
    expect(lookupRoute(m, addr('::1'), 0)).toMatchObject({ type: 'unicast', table: 'main', prefSrc: null });
  });

  it('takes the primary address from the first interface of a name', () => {
    const m = model();
    expect(primaryAddress(m, 'eth0', 'ipv4')).toEqual(addr('10.244.1.5'));
    expect(primaryAddress(m, 'eth0', 'ipv6')).toBeNull();
    expect(primaryAddress(m, 'eth9', 'ipv4')).toBeNull();
  });
});

describe('hook plans', () => {
  it('list the tables of TABLE_ORDER that have the built-in chain, in that order, and are kept per family', () => {
    const rs = rulesetOf('*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n*mangle\n:OUTPUT ACCEPT [0:0]\nCOMMIT');
    const fr = rs.families.ipv4!;
    const plan = familyPlan(fr);
    for (const hook of Object.keys(TABLE_ORDER) as HookName[]) {
      const declared = TABLE_ORDER[hook].filter((t) => fr.tables.get(t)?.chains.get(hook)?.builtin);
      expect(baseChains(fr, hook).map((b) => b.table)).toEqual(declared);
      for (const b of baseChains(fr, hook)) expect(b.chainRef).toBe(fr.tables.get(b.table)!.chains.get(hook));
    }
    expect(plan.OUTPUT.natManip).toBe('dst');
    expect(plan.POSTROUTING.natManip).toBe('src');
    expect(plan.FORWARD.natManip).toBeUndefined();
    expect(familyPlan(fr)).toBe(plan);
  });

  it('without rules, only the kernel steps remain', () => {
    for (const p of Object.values(familyPlan(undefined))) expect(p.stages.every((s) => s.type === 'kernel')).toBe(true);
  });
});
