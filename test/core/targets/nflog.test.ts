import { describe, expect, it } from 'vitest';
import { makePacket } from '../../helpers/packet.js';
import { run, targetOf } from './helpers.js';

describe('NFLOG', () => {
  it.each([
    ['-j NFLOG', 'nflog group 0'],
    ['-j NFLOG --nflog-group 1337', 'nflog group 1337'],
    ['-j NFLOG --nflog-prefix "istio trace" --nflog-group 5 --nflog-size 128', 'nflog group 5 prefix "istio trace"'],
  ])('%s continues with detail %j and does not touch the packet', (spec, detail) => {
    const pkt = makePacket({ mark: 7, ctmark: 9 });
    const before = structuredClone(pkt);
    expect(run(spec, pkt, { table: 'mangle', hook: 'PREROUTING' })).toEqual({ verdict: 'continue', detail });
    expect(pkt).toEqual(before);
  });

  it('keeps the first 63 characters of a long prefix', () => {
    const { module, options } = targetOf(`-j NFLOG --nflog-prefix ${'x'.repeat(70)}`, 'filter');
    expect(module.save(options)).toBe(`--nflog-prefix ${'x'.repeat(63)}`);
  });

  it('keeps the legacy --nflog-range apart from --nflog-size', () => {
    const range = targetOf('-j NFLOG --nflog-range 64', 'filter');
    const size = targetOf('-j NFLOG --nflog-size 64', 'filter');
    expect(range.module.save(range.options)).toBe('--nflog-range 64');
    expect(size.module.save(size.options)).toBe('--nflog-size 64');
  });
});
