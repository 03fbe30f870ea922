/** The kernel's hook model (issue 13): stages as data, and the three behaviours that follow from it. */
import { describe, expect, it } from 'vitest';
import { baseChains, familyPlan, isBaseChain } from '../../../src/core/netfilter/hook-plan.js';
import { inPriorityOrder, IPTABLES_BASE_CHAINS, KERNEL_STEPS, PRIORITY } from '../../../src/core/netfilter/hooks.js';
import type { HookName } from '../../../src/core/types.js';
import { traverse } from '../../../src/core/netfilter/traverse.js';
import { defaultPodConfig } from '../../../src/istio/config.js';
import { buildPodHost } from '../../../src/istio/pod-host.js';
import { hop } from '../../helpers/engine.js';
import { makePacket } from '../../helpers/packet.js';
import { rulesetOf } from '../../helpers/rules.js';

/** Every table with every built-in chain declared (iptables-restore registers only declared ones). */
const ALL_TABLES = Object.entries({
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
})
  .map(([table, chains]) => [`*${table}`, ...chains.map((c) => `:${c} ACCEPT [0:0]`), 'COMMIT'].join('\n'))
  .join('\n');

describe('hook stages', () => {
  const plan = familyPlan(rulesetOf(ALL_TABLES).families.ipv4!);
  const names = (hook: HookName) =>
    plan[hook].stages.map((s) => (s.type === 'kernel' ? s.step : s.type === 'nat' ? `nat(${s.chains.map((b) => `${b.table} ${b.chain}`).join(',')})` : `${s.base.table} ${s.base.chain}`));
  it.each<[HookName, string[]]>([
    ['PREROUTING', ['raw PREROUTING', 'conntrack', 'mangle PREROUTING', 'nat(nat PREROUTING)']],
    ['INPUT', ['mangle INPUT', 'filter INPUT', 'nat(nat INPUT)', 'security INPUT', 'confirm']],
    ['FORWARD', ['mangle FORWARD', 'filter FORWARD', 'security FORWARD']],
    ['OUTPUT', ['raw OUTPUT', 'conntrack', 'mangle OUTPUT', 'nat(nat OUTPUT)', 'filter OUTPUT', 'security OUTPUT']],
    ['POSTROUTING', ['mangle POSTROUTING', 'nat(nat POSTROUTING)', 'confirm']],
  ])('%s runs its base chains and the kernel steps in priority order', (hook, want) => {
    expect(names(hook)).toEqual(want);
    const prios = plan[hook].stages.map((s) => s.priority);
    expect(prios).toEqual([...prios].sort((a, b) => a - b));
  });

  it('keeps the kernel priorities: nat is dstnat (-100) at PREROUTING/OUTPUT, srcnat (100) at INPUT/POSTROUTING', () => {
    const nat = IPTABLES_BASE_CHAINS.filter((b) => b.table === 'nat').map((b) => [b.hook, b.priority, b.kind]);
    expect(nat).toEqual([
      ['PREROUTING', -100, 'nat'],
      ['OUTPUT', -100, 'nat'],
      ['INPUT', 100, 'nat'],
      ['POSTROUTING', 100, 'nat'],
    ]);
    expect(KERNEL_STEPS.filter((k) => k.step === 'conntrack').map((k) => k.priority)).toEqual([PRIORITY.conntrack, PRIORITY.conntrack]);
    expect(IPTABLES_BASE_CHAINS.find((b) => b.table === 'mangle' && b.hook === 'OUTPUT')!.kind).toBe('route');
  });

  it('at equal priority the one registered last runs first', () => {
    const order = inPriorityOrder([
      { name: 'a', priority: 0 },
      { name: 'b', priority: -10 },
      { name: 'c', priority: 0 },
    ]);
    expect(order.map((x) => x.name)).toEqual(['b', 'c', 'a']);
  });

  it('runs nat at all four nat hooks once one nat chain exists, even where none is declared', () => {
    const fr = rulesetOf('*nat\n:OUTPUT ACCEPT [0:0]\nCOMMIT').families.ipv4!;
    const p = familyPlan(fr);
    expect(p.POSTROUTING.stages.filter((s) => s.type === 'nat').map((s) => (s.type === 'nat' ? s.chains.length : -1))).toEqual([0]);
    expect(p.OUTPUT.stages.filter((s) => s.type === 'nat').map((s) => (s.type === 'nat' ? s.chains.length : -1))).toEqual([1]);
    expect(familyPlan(rulesetOf('*filter\n:OUTPUT ACCEPT [0:0]\nCOMMIT').families.ipv4!).OUTPUT.stages.some((s) => s.type === 'nat')).toBe(false);
  });

  it('registers only the chains the rules declare, with their policy', () => {
    const fr = rulesetOf('*filter\n:OUTPUT DROP [0:0]\nCOMMIT').families.ipv4!;
    expect(baseChains(fr, 'OUTPUT').map((b) => [b.table, b.chain, b.policy, b.family])).toEqual([['filter', 'OUTPUT', 'DROP', 'ipv4']]);
    expect(isBaseChain(fr, 'OUTPUT', 'filter', 'OUTPUT')).toBe(true);
    expect(isBaseChain(fr, 'OUTPUT', 'filter', 'INPUT')).toBe(false);
    expect(isBaseChain(fr, 'OUTPUT', 'nat', 'OUTPUT')).toBe(false);
  });
});

describe('conntrack matches before conntrack (raw, priority -300)', () => {
  const inboundSyn = { src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, in: 'eth0', noSocket: true } as const;
  it.each([
    ['-m connmark ! --mark 0x10', false],
    ['-m connmark --mark 0x0', false],
    ['-m conntrack --ctstate NEW', false],
    ['-m conntrack --ctstate INVALID', true],
    ['-m state --state INVALID', true],
    ['-m conntrack ! --ctstate INVALID', false],
    ['-m conntrack --ctorigsrc 10.244.2.7', false],
    ['-m conntrack --ctdir ORIGINAL', false],
  ])('raw PREROUTING: %s matches: %s (no entry attached yet)', (match, want) => {
    const rs = rulesetOf(`*raw\n-A PREROUTING -p tcp ${match} -j MARK --set-mark 0x20\nCOMMIT`);
    const r = hop(rs, inboundSyn);
    expect(r.final.mark).toBe(want ? 0x20 : 0);
  });

  it('the same matches see the entry from mangle on (after -200)', () => {
    const rs = rulesetOf('*mangle\n-A PREROUTING -p tcp -m connmark ! --mark 0x10 -m conntrack --ctstate NEW -j MARK --set-mark 0x20\nCOMMIT');
    expect(hop(rs, inboundSyn).final.mark).toBe(0x20);
  });

  it('raw OUTPUT sees INVALID too, and a looped-back packet already carries its entry in raw PREROUTING', () => {
    const rs = rulesetOf(['*raw', '-A OUTPUT -m conntrack --ctstate INVALID -j ACCEPT', '-A PREROUTING -i lo -m conntrack --ctstate NEW -j ACCEPT', 'COMMIT'].join('\n'));
    const r = hop(rs, { src: '10.244.1.5', dst: '10.244.1.5', dport: 9080 });
    expect(r.notation).toEqual(['raw OUTPUT#1 ACCEPT', 'raw PREROUTING#1 ACCEPT']);
  });
});

describe('re-routing inside OUTPUT', () => {
  it('a 127/8 source DNATed to a remote address is dropped in nat OUTPUT, before filter OUTPUT and POSTROUTING (route_localnet=0)', () => {
    const rs = rulesetOf(['*nat', '-A OUTPUT -p tcp -j DNAT --to-destination 10.244.2.7', '-A POSTROUTING -j ACCEPT', 'COMMIT', '*filter', '-A OUTPUT -j ACCEPT', 'COMMIT'].join('\n'));
    const r = hop(rs, { src: '127.0.0.1', dst: '127.0.0.1', dport: 15090, uid: 0 });
    expect(r.notation).toEqual(['nat OUTPUT#1 DNAT(ACCEPT)']);
    expect(r.outcome.type).toBe('dropped');
    expect(r.outcome.detail).toMatch(/dropped in nat OUTPUT: re-routing to 10\.244\.2\.7 fails, because a loopback source \(127\.0\.0\.1\) may not leave by a non-loopback device/);
  });

  it('a local source DNATed to a remote address leaves by eth0; -o in filter OUTPUT still sees the first route', () => {
    const rs = rulesetOf(['*nat', '-A OUTPUT -p tcp -j DNAT --to-destination 10.244.2.7', 'COMMIT', '*filter', '-A OUTPUT -o lo -j ACCEPT', 'COMMIT'].join('\n'));
    const r = hop(rs, { src: '10.244.1.5', dst: '10.244.1.5', dport: 9080 });
    expect(r.notation).toEqual(['nat OUTPUT#1 DNAT(ACCEPT)', 'filter OUTPUT#1 ACCEPT']);
    expect(r.outcome).toMatchObject({ type: 'egress', iface: 'eth0' });
    expect(r.notes).toContain('re-routed after OUTPUT: lo -> eth0');
  });
});

describe('the nat step at a hook without a nat chain', () => {
  // test/fixtures/hooks/nat-null-binding.rules, replayed on the kernel by the differential table.
  const onlyPrerouting = rulesetOf(['*nat', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -p tcp -m tcp --dport 9080 -j DNAT --to-destination 10.244.1.5:9999', 'COMMIT'].join('\n'));
  it('gives a local connection its null binding at OUTPUT: the DNAT in PREROUTING does not apply over lo', () => {
    const r = hop(onlyPrerouting, { src: '10.244.1.5', dst: '10.244.1.5', dport: 9080, uid: 1000 });
    expect(r.notation).toEqual([]);
    expect(r.outcome).toMatchObject({ type: 'delivered', port: 9080 });
  });

  it('a remote connection meets the DNAT in PREROUTING', () => {
    const r = hop(onlyPrerouting, { src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, in: 'eth0' });
    expect(r.notation).toEqual(['nat PREROUTING#1 DNAT(ACCEPT)']);
    expect(r.outcome).toMatchObject({ type: 'delivered', port: 9999 });
  });
});

describe('the input routing decision after PREROUTING (route_localnet=0)', () => {
  const dnatTo = (to: string) => rulesetOf(['*nat', `-A PREROUTING -j DNAT --to-destination ${to}`, 'COMMIT', '*filter', ':INPUT ACCEPT [0:0]', 'COMMIT'].join('\n'));
  it('a packet from eth0 DNATed to 127.0.0.1 is dropped before INPUT: 127/8 is a martian destination there', () => {
    const r = hop(dnatTo('127.0.0.1'), { proto: 'udp', src: '10.244.2.7', dst: '10.244.1.5', dport: 80, in: 'eth0', noSocket: true });
    expect(r.notation).toEqual(['nat PREROUTING#1 DNAT(ACCEPT)']);
    expect(r.outcome.type).toBe('dropped');
    expect(r.outcome.detail).toMatch(/input routing decision after PREROUTING: 127\.0\.0\.1 arrived on eth0/);
  });

  it('the same DNAT for a packet arriving on lo passes the routing decision and reaches INPUT', () => {
    const r = hop(dnatTo('127.0.0.1'), { proto: 'udp', src: '127.0.0.1', dst: '10.244.1.5', dport: 15090, in: 'lo', noSocket: true });
    expect(r.notation).toEqual(['nat PREROUTING#1 DNAT(ACCEPT)', 'filter INPUT policy:ACCEPT']);
    expect(r.outcome).toMatchObject({ address: '127.0.0.1', port: 15090 });
  });

  it('IPv6: a packet from eth0 DNATed to ::1 is dropped the same way', () => {
    const rs = rulesetOf(['*nat', '-A PREROUTING -j DNAT --to-destination ::1', 'COMMIT'].join('\n'), 'restore', 'ipv6');
    const r = hop(rs, { proto: 'udp', src: 'fd00:10:244:2::7', dst: 'fd00:10:244:1::5', dport: 80, in: 'eth0', noSocket: true });
    expect(r.outcome.type).toBe('dropped');
    expect(r.outcome.detail).toMatch(/::1 arrived on eth0, and ::1 is only reachable over lo/);
  });
});

describe('the handshake reply (SYN-ACK) runs back through the hooks', () => {
  const outboundCapture = ['*nat', '-A OUTPUT -p tcp -m owner ! --uid-owner 1337 -j REDIRECT --to-ports 15001', 'COMMIT'];
  it('filter OUTPUT DROP with ! -o lo ACCEPT: the SYN passes (-o eth0), the SYN-ACK on lo is dropped, Envoy never accepts', () => {
    const rs = rulesetOf([...outboundCapture, '*filter', ':OUTPUT DROP [0:0]', '-A OUTPUT ! -o lo -j ACCEPT', 'COMMIT'].join('\n'));
    const r = hop(rs, { dst: '10.244.2.7', dport: 9080 });
    expect(r.notation).toEqual(['nat OUTPUT#1 REDIRECT(ACCEPT)', 'filter OUTPUT#1 ACCEPT']);
    expect(r.outcome.type).toBe('dropped');
    expect(r.outcome.detail).toMatch(/the SYN reaches Envoy outbound \(15001\), but its SYN-ACK to 10\.244\.1\.5 is dropped in filter OUTPUT, so the connection never completes/);
    expect(r.socket).toBeNull();
  });

  it('a REJECT that catches the reply (outbound 15001) ends the handshake the same way', () => {
    const rs = rulesetOf([...outboundCapture, '*filter', '-A OUTPUT -o lo -p tcp -m tcp --sport 15001 -j REJECT', 'COMMIT'].join('\n'));
    const r = hop(rs, { dst: '10.244.2.7', dport: 9080 });
    expect(r.outcome.type).toBe('dropped');
    expect(r.outcome.detail).toMatch(/SYN-ACK to 10\.244\.1\.5 is rejected in filter OUTPUT/);
  });

  it('inbound 15006: a REJECT on the reply in filter OUTPUT ends the handshake', () => {
    const rs = rulesetOf(['*nat', '-A PREROUTING -p tcp -j REDIRECT --to-ports 15006', 'COMMIT', '*filter', '-A OUTPUT -p tcp -m tcp --sport 15006 -j REJECT', 'COMMIT'].join('\n'));
    const r = hop(rs, { src: '10.244.2.7', dst: '10.244.1.5', dport: 9080, in: 'eth0', noSocket: true });
    expect(r.outcome.type).toBe('dropped');
    expect(r.outcome.detail).toMatch(/Envoy inbound.*SYN-ACK to 10\.244\.2\.7 is rejected in filter OUTPUT/);
  });

  it("the owner match sees the listener's owner on its SYN-ACK (Envoy's uid), as the kernel does", () => {
    const rs = rulesetOf([...outboundCapture, '*filter', '-A OUTPUT -o lo -p tcp -m tcp --sport 15001 -m owner --uid-owner 1337 -j REJECT', 'COMMIT'].join('\n'));
    const host = buildPodHost(defaultPodConfig());
    const pkt = makePacket({ dst: '10.244.2.7', dport: 9080 });
    const r = traverse(rs.families.ipv4, host, pkt, 'local', { unknown: 'stop', explain: false });
    expect(r.outcome.type).toBe('dropped');
    expect(r.outcome.detail).toMatch(/SYN-ACK to 10\.244\.1\.5 is rejected in filter OUTPUT/);
  });

  it('the reply is un-NATed on the way: filter INPUT on the client side sees the original destination as its source', () => {
    const rs = rulesetOf([...outboundCapture, '*filter', ':INPUT DROP [0:0]', '-A INPUT -i lo -s 10.244.2.7 -p tcp -m tcp --sport 9080 -j ACCEPT', '-A INPUT -i lo -d 127.0.0.1 -j ACCEPT', 'COMMIT'].join('\n'));
    const r = hop(rs, { dst: '10.244.2.7', dport: 9080 });
    expect(r.outcome).toMatchObject({ type: 'delivered', port: 15001 });
  });

  it('conntrack sees the reply as ESTABLISHED: an ESTABLISHED accept lets it through a DROP policy', () => {
    const rs = rulesetOf([...outboundCapture, '*filter', ':OUTPUT DROP [0:0]', '-A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', '-A OUTPUT ! -o lo -j ACCEPT', 'COMMIT'].join('\n'));
    expect(hop(rs, { dst: '10.244.2.7', dport: 9080 }).outcome).toMatchObject({ type: 'delivered', port: 15001 });
  });

  it("a connection to a remote: mangle INPUT DROP drops the remote's SYN-ACK, so it never completes", () => {
    const rs = rulesetOf(['*mangle', ':INPUT DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', 'COMMIT'].join('\n'));
    const r = hop(rs, { dst: '10.244.2.7', dport: 15000, uid: 1000 });
    expect(r.notation).toEqual(['mangle OUTPUT policy:ACCEPT', 'mangle POSTROUTING policy:ACCEPT']);
    expect(r.outcome).toMatchObject({ type: 'dropped', iface: 'eth0', address: '10.244.2.7', port: 15000 });
    expect(r.outcome.detail).toBe('the SYN leaves by eth0 for 10.244.2.7:15000, but the SYN-ACK from 10.244.2.7:15000 is dropped in mangle INPUT, so the connection never completes');
  });

  it("the remote's SYN-ACK is un-NATed on its way in: filter INPUT sees the pod's own address after a MASQUERADE", () => {
    const rs = rulesetOf(['*nat', '-A POSTROUTING -p tcp -j SNAT --to-source 10.244.1.9', 'COMMIT', '*filter', ':INPUT DROP [0:0]', '-A INPUT -i eth0 -d 10.244.1.5 -m conntrack --ctstate ESTABLISHED -j ACCEPT', 'COMMIT'].join('\n'));
    expect(hop(rs, { dst: '10.244.2.7', dport: 80 }).outcome).toMatchObject({ type: 'egress', iface: 'eth0' });
    const rejecting = rulesetOf(['*filter', '-A INPUT -i eth0 -p tcp -m tcp --sport 80 -j REJECT', 'COMMIT'].join('\n'));
    expect(hop(rejecting, { dst: '10.244.2.7', dport: 80 }).outcome.detail).toMatch(/SYN-ACK from 10\.244\.2\.7:80 is rejected in filter INPUT/);
  });

  it("TPROXY on every TCP packet in PREROUTING: the SYN-ACK over lo meets its non-transparent client socket first and is dropped", () => {
    const rs = rulesetOf(['*mangle', ':ISTIO_TPROXY - [0:0]', '-A PREROUTING -j ISTIO_TPROXY', '-A ISTIO_TPROXY -p tcp -j TPROXY --on-port 15001 --on-ip 0.0.0.0 --tproxy-mark 0x539/0xffffffff', 'COMMIT'].join('\n'));
    const host = buildPodHost({ ...defaultPodConfig(), mode: 'TPROXY', ports: { ...defaultPodConfig().ports, inbound: 15001 } });
    const pkt = makePacket({ src: '10.244.1.5', dst: '10.244.1.5', dport: 15001, uid: 1337 });
    const r = traverse(rs.families.ipv4, host, pkt, 'local', { unknown: 'stop', explain: false });
    expect(r.outcome.type).toBe('dropped');
    expect(r.outcome.detail).toMatch(/the SYN reaches Envoy outbound \(15001\), but its SYN-ACK to 10\.244\.1\.5 is dropped in mangle PREROUTING/);
  });

  it('UDP to a remote has no handshake: INPUT DROP does not stop the datagram', () => {
    const rs = rulesetOf(['*mangle', ':INPUT DROP [0:0]', 'COMMIT'].join('\n'));
    expect(hop(rs, { proto: 'udp', dst: '10.244.2.7', dport: 53 }).outcome.type).toBe('egress');
  });

  it('UDP has no handshake: the datagram is delivered whatever filter OUTPUT does to replies', () => {
    const rs = rulesetOf(['*nat', '-A OUTPUT -p udp -j REDIRECT --to-ports 15053', 'COMMIT', '*filter', ':OUTPUT DROP [0:0]', '-A OUTPUT ! -o lo -j ACCEPT', 'COMMIT'].join('\n'));
    const r = hop(rs, { proto: 'udp', dst: '10.96.0.10', dport: 53 });
    expect(r.outcome.type).not.toBe('dropped');
  });
});
