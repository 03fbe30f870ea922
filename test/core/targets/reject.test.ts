import { describe, expect, it } from 'vitest';
import { makePacket } from '../../helpers/packet.js';
import { run, targetOf } from './helpers.js';

const v4 = { src: '10.244.2.7', dst: '10.244.1.5' };
const v6 = { src: 'fd00::7', dst: 'fd00::5' };

describe('REJECT', () => {
  it.each([
    [v4, '-j REJECT', 'reject with ICMP port unreachable'],
    [v4, '-j REJECT --reject-with icmp-host-prohibited', 'reject with ICMP host prohibited'],
    [v4, '-j REJECT --reject-with admin-prohib', 'reject with ICMP administratively prohibited'],
    [v4, '-j REJECT --reject-with icmp-net-unreachable', 'reject with ICMP network unreachable'],
    [v4, '-p tcp -j REJECT --reject-with tcp-reset', 'reject with TCP RST'],
    [v6, '-j REJECT', 'reject with ICMPv6 port unreachable'],
    [v6, '-j REJECT --reject-with icmp6-adm-prohibited', 'reject with ICMPv6 administratively prohibited'],
    [v6, '-j REJECT --reject-with no-route', 'reject with ICMPv6 no route'],
    [v6, '-p tcp -j REJECT --reject-with tcp-reset', 'reject with TCP RST'],
  ])('%j %s', (init, spec, detail) => {
    const pkt = makePacket(init);
    const before = structuredClone(pkt);
    expect(run(spec, pkt, { table: 'filter', hook: 'INPUT' })).toEqual({ verdict: 'reject', detail });
    expect(pkt).toEqual(before);
  });

  it.each([
    ['ipv4', 'icmp-port-unreachable'],
    ['ipv6', 'icmp6-port-unreachable'],
  ] as const)('%s saves the default type explicitly (%s)', (family, type) => {
    const { module, options } = targetOf('-j REJECT', 'filter', family);
    expect(module.save(options)).toBe(`--reject-with ${type}`);
  });

  it.each(['-j REJECT --reject-with tcp-reset', '! -p tcp -j REJECT --reject-with tcp-reset'])('%s is refused like the kernel does', (spec) => {
    expect(() => targetOf(spec, 'filter')).toThrow(/only valid with -p tcp/);
  });
});
