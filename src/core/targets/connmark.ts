/**
 * `-j CONNMARK`: set the conntrack mark (`--set-xmark/--set-mark/--and-mark/--or-mark/--xor-mark`),
 * copy skb mark -> ct mark (`--save-mark`) or back (`--restore-mark`) under
 * `--nfmask`/`--ctmask` (legacy `--mask` sets both), with revision 2's
 * `--left-shift-mark`/`--right-shift-mark`. Bit arithmetic as xt_connmark.c
 * connmark_tg_shift(); without a conntrack entry the target does nothing.
 */
import { RuleSyntaxError } from '../errors.js';
import { hex, onlyOnce, UINT32_MAX } from '../matches/util.js';
import { defineTarget } from './define.js';
import { seenByConntrack } from './ct.js';
import { markOperation } from './mark.js';
import { parseUintOption, requireExclusive, xmark } from './options.js';

export interface ConnmarkOptions {
  mode: 'set' | 'save' | 'restore';
  ctmark: number;
  ctmask: number;
  nfmask: number;
  shift: { dir: 'left' | 'right'; bits: number };
}

const OPS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark', 'save-mark', 'restore-mark'] as const;

function shifted(v: number, s: ConnmarkOptions['shift']): number {
  return (s.dir === 'right' ? v >>> s.bits : v << s.bits) >>> 0;
}

export const connmarkTarget = defineTarget<ConnmarkOptions>({
  name: 'CONNMARK',
  tracksConnections: true,
  options: [
    ...['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'].map((name) => ({ name, arg: true })),
    { name: 'save-mark', arg: false },
    { name: 'restore-mark', arg: false },
    { name: 'ctmask', arg: true },
    { name: 'nfmask', arg: true },
    { name: 'mask', arg: true },
    { name: 'left-shift-mark', arg: true },
    { name: 'right-shift-mark', arg: true },
  ],
  build(options) {
    onlyOnce('CONNMARK', options);
    requireExclusive('CONNMARK', options, OPS);
    requireExclusive('CONNMARK', options, ['mask', 'ctmask']);
    requireExclusive('CONNMARK', options, ['mask', 'nfmask']);
    // Defaults from connmark_tg_init; options apply in the order given, as libxtables does.
    let mode: ConnmarkOptions['mode'] | null = null;
    const o = { ctmark: 0, ctmask: UINT32_MAX, nfmask: UINT32_MAX, shift: { dir: 'left' as 'left' | 'right', bits: 0 } };
    for (const opt of options) {
      const op = markOperation('CONNMARK', opt);
      if (op) {
        mode = 'set';
        o.ctmark = op.value;
        o.ctmask = op.mask;
        continue;
      }
      switch (opt.name) {
        case 'save-mark':
          mode = 'save';
          break;
        case 'restore-mark':
          mode = 'restore';
          break;
        case 'ctmask':
          o.ctmask = parseUintOption('CONNMARK', opt, UINT32_MAX);
          break;
        case 'nfmask':
          o.nfmask = parseUintOption('CONNMARK', opt, UINT32_MAX);
          break;
        case 'mask':
          o.ctmask = o.nfmask = parseUintOption('CONNMARK', opt, UINT32_MAX);
          break;
        case 'left-shift-mark':
        case 'right-shift-mark':
          o.shift = { dir: opt.name === 'left-shift-mark' ? 'left' : 'right', bits: parseUintOption('CONNMARK', opt, 32) };
          break;
      }
    }
    if (mode === null) throw new RuleSyntaxError('CONNMARK needs an operation: --set-xmark, --set-mark, --and/or/xor-mark, --save-mark or --restore-mark');
    // iptables accepts 32; the kernel's checkentry refuses a shift of 32 or more.
    if (o.shift.bits >= 32) throw new RuleSyntaxError(`CONNMARK: a shift of ${o.shift.bits} bits is refused by the kernel (0-31)`);
    return { mode, ...o };
  },
  save(o) {
    const head =
      o.mode === 'set'
        ? `--set-xmark ${hex(o.ctmark)}/${hex(o.ctmask)}`
        : `--${o.mode}-mark --nfmask ${hex(o.nfmask)} --ctmask ${hex(o.ctmask)}`;
    return o.shift.bits !== 0 ? `${head} --${o.shift.dir}-shift-mark ${o.shift.bits}` : head;
  },
  apply(o, pkt, ctx) {
    if (pkt.conn.untracked) return { verdict: 'continue', detail: 'CONNMARK: the packet is untracked, so there is no conntrack mark to use' };
    if (ctx.table === 'raw' && !seenByConntrack(pkt)) {
      return { verdict: 'continue', detail: 'CONNMARK: no conntrack entry yet in the raw table, so nothing changes' };
    }
    const ct = pkt.conn;
    const shift = o.shift.bits ? ` (shifted ${o.shift.dir} ${o.shift.bits})` : '';
    switch (o.mode) {
      case 'set': {
        const before = ct.mark;
        ct.mark = shifted(xmark(ct.mark, o.ctmark, o.ctmask), o.shift);
        return { verdict: 'continue', detail: `ctmark ${hex(before)} -> ${hex(ct.mark)}${shift}` };
      }
      case 'save': {
        const before = ct.mark;
        ct.mark = xmark(ct.mark, shifted(pkt.mark & o.nfmask, o.shift), o.ctmask);
        return { verdict: 'continue', detail: `save-mark: ctmark ${hex(before)} -> ${hex(ct.mark)} from mark ${hex(pkt.mark)}${shift}` };
      }
      case 'restore': {
        const before = pkt.mark;
        pkt.mark = xmark(pkt.mark, shifted(ct.mark & o.ctmask, o.shift), o.nfmask);
        return { verdict: 'continue', detail: `restore-mark: mark ${hex(before)} -> ${hex(pkt.mark)} from ctmark ${hex(ct.mark)}${shift}` };
      }
    }
  },
});
