import { describe, expect, it } from 'vitest';
import { makePacket } from '../../helpers/packet.js';
import { run, targetOf } from './helpers.js';

describe('standard targets ACCEPT / DROP / RETURN', () => {
  it.each([
    ['-j ACCEPT', 'accept'],
    ['-j DROP', 'drop'],
    ['-j RETURN', 'return'],
  ] as const)('%s gives the verdict %s and leaves the packet alone', (spec, verdict) => {
    for (const table of ['filter', 'nat', 'mangle', 'raw'] as const) {
      if (verdict === 'drop' && table === 'nat') continue; // refused at load: see the test below
      const pkt = makePacket({ mark: 0x539, ctmark: 7 });
      const before = structuredClone(pkt);
      expect(run(spec, pkt, { table, hook: 'OUTPUT' })).toEqual({ verdict });
      expect(pkt).toEqual(before);
    }
  });

  it.each(['ACCEPT', 'DROP', 'RETURN'])('%s takes no options and saves nothing after its name', (name) => {
    const { module, options } = targetOf(`-j ${name}`, 'filter');
    expect(module.name).toBe(name);
    expect(module.options).toEqual([]);
    expect(module.save(options)).toBe('');
    // DROP is refused in nat by iptables ("not intended for filtering"); the others go anywhere.
    expect(module.tables).toEqual(name === 'DROP' ? ['raw', 'mangle', 'filter', 'security'] : undefined);
    expect(() => targetOf(`-j ${name} --foo`, 'filter')).toThrow(/unknown option "--foo" for target/);
  });
});
