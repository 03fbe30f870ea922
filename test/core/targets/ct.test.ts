import { describe, expect, it } from 'vitest';
import { makePacket } from '../../helpers/packet.js';
import { detailOf, run, targetOf } from './helpers.js';

const raw = { table: 'raw', hook: 'OUTPUT' } as const;

describe('CT', () => {
  it.each([
    ['--zone 1', 1],
    ['--zone 65535', 65535],
    ['--zone-orig 7', 7],
    // A reply-only zone does not apply to the original direction: lookups use zone 0.
    ['--zone-reply 7', 0],
    ['', 0],
  ])('-j CT %s puts the original direction in zone %i and attaches a template', (opts, zone) => {
    const pkt = makePacket({ proto: 'udp', dport: 53 });
    const out = run(`-j CT ${opts}`.trim(), pkt, raw);
    expect(out.verdict).toBe('continue');
    expect(pkt.conn.zone).toBe(zone);
    expect(pkt.conn.zoneSet).toBe(true);
    expect(pkt.conn.untracked).toBe(false);
    expect(detailOf(out)).toContain(`zone ${zone}`);
  });

  it('--zone mark takes the low 16 bits of the packet mark', () => {
    const pkt = makePacket({ mark: 0x10005 });
    run('-j CT --zone mark', pkt, raw);
    expect(pkt.conn.zone).toBe(5);
  });

  it('--zone-reply says the zone applies to replies only', () => {
    expect(detailOf(run('-j CT --zone-reply 7', makePacket(), raw))).toContain('zone 7 applies to the REPLY direction only');
  });

  // Measured on a real kernel: when several CT --zone rules match, only the first takes effect.
  it.each([
    [['--zone 1', '--zone 2'], 1],
    [['--zone 2', '--zone 1', '--zone 3'], 2],
    [['', '--zone 5'], 0],
    [['--helper ftp', '--zone 5'], 0],
  ])('first template wins: %j -> zone %i', (rules, zone) => {
    const pkt = makePacket({ proto: 'udp', dport: 53 });
    const outs = rules.map((opts) => run(`-j CT ${opts}`.trim(), pkt, raw));
    expect(pkt.conn.zone).toBe(zone);
    for (const later of outs.slice(1)) {
      expect(later.verdict).toBe('continue');
      expect(detailOf(later)).toContain('no effect');
    }
  });

  it('--notrack makes the connection untracked, and later CT rules do nothing', () => {
    const pkt = makePacket();
    const first = run('-j CT --notrack', pkt, raw);
    expect(detailOf(first)).toContain('notrack');
    expect(pkt.conn.untracked).toBe(true);
    expect(pkt.conn.state).toBe('UNTRACKED');
    const second = run('-j CT --zone 2', pkt, raw);
    expect(detailOf(second)).toContain('no effect');
    expect(pkt.conn.zone).toBe(0);
  });

  it('--notrack after a zone template does nothing', () => {
    const pkt = makePacket();
    run('-j CT --zone 1', pkt, raw);
    run('-j CT --notrack', pkt, raw);
    expect(pkt.conn.untracked).toBe(false);
    expect(pkt.conn.state).toBe('NEW');
    expect(pkt.conn.zone).toBe(1);
  });

  it('--notrack wins over options given with it (the kernel ignores them)', () => {
    const pkt = makePacket();
    run('-j CT --zone 4 --notrack', pkt, raw);
    expect(pkt.conn.untracked).toBe(true);
    expect(pkt.conn.zoneSet).toBe(false);
  });

  it('a packet that already has a conntrack entry (looped back) is left alone', () => {
    const pkt = makePacket({ in: 'lo' });
    pkt.conn.attached = true;
    const out = run('-j CT --zone 1', pkt, { table: 'raw', hook: 'PREROUTING' });
    expect(detailOf(out)).toContain('already has a conntrack entry');
    expect(pkt.conn.zoneSet).toBe(false);
  });

  it.each([
    ['--helper ftp', 'helper "ftp" is not modelled'],
    ['--timeout short', 'timeout policy "short" is not modelled'],
  ])('%s still continues but says it is not modelled', (opts, words) => {
    const out = run(`-j CT ${opts}`, makePacket(), raw);
    expect(out.verdict).toBe('continue');
    expect(detailOf(out)).toContain(words);
  });

  it('is a raw-table target', () => {
    expect(targetOf('-j CT --zone 1', 'raw').module.tables).toEqual(['raw']);
    expect(() => targetOf('-j CT --zone 1', 'mangle')).toThrow(/only valid in the raw table/);
  });
});
