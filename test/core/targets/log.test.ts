import { describe, expect, it } from 'vitest';
import { makePacket } from '../../helpers/packet.js';
import { run, targetOf } from './helpers.js';

describe('LOG', () => {
  it.each([
    ['-j LOG', 'log level warning'],
    ['-j LOG --log-prefix "ISTIO: "', 'log prefix "ISTIO: " level warning'],
    ['-j LOG --log-prefix drop --log-level debug', 'log prefix "drop" level debug'],
    ['-j LOG --log-level 3 --log-uid', 'log level err'],
  ])('%s continues with detail %j and does not touch the packet', (spec, detail) => {
    for (const [table, hook] of [['filter', 'INPUT'], ['raw', 'PREROUTING'], ['nat', 'OUTPUT']] as const) {
      const pkt = makePacket({ mark: 1 });
      const before = structuredClone(pkt);
      expect(run(spec, pkt, { table, hook })).toEqual({ verdict: 'continue', detail });
      expect(pkt).toEqual(before);
    }
  });

  it('keeps the first 29 characters of a long prefix, like the kernel field', () => {
    const { module, options } = targetOf(`-j LOG --log-prefix ${'p'.repeat(40)}`, 'filter');
    expect(module.save(options)).toBe(`--log-prefix ${'p'.repeat(29)}`);
  });

  it.each(['-j LOG --log-prefix ""', '-j LOG --log-level 8', '-j LOG --log-level warn'])('rejects %s', (spec) => {
    expect(() => targetOf(spec, 'filter')).toThrow();
  });
});
