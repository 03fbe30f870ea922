/**
 * `-j MARK --set-xmark v[/m] | --set-mark v[/m] | --and-mark v | --or-mark v | --xor-mark v`
 * (revision 2). libxt_MARK.c turns every form into one (value, mask) pair,
 * saved as `--set-xmark 0xV/0xM`; the kernel applies mark = (mark & ~mask) ^ value.
 */
import { RuleSyntaxError } from '../errors.js';
import type { ParsedOption } from '../matches/define.js';
import { parseMarkMask } from '../matches/mark.js';
import { hex, onlyOnce, UINT32_MAX, valueOf } from '../matches/util.js';
import { defineTarget } from './define.js';
import { parseUintOption, requireExclusive, xmark } from './options.js';

export interface MarkOptions {
  value: number;
  mask: number;
}

const OPS = ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'] as const;

/** One of the mark operations as a (value, mask) pair, as libxt_MARK and libxt_CONNMARK compute it. */
export function markOperation(target: string, opt: ParsedOption): MarkOptions | null {
  switch (opt.name) {
    case 'set-xmark':
      return parseMarkMask(target, valueOf(target, opt));
    case 'set-mark': {
      // "Clear bits in mask and OR value": the value's bits are part of the mask.
      const { value, mask } = parseMarkMask(target, valueOf(target, opt));
      return { value, mask: (mask | value) >>> 0 };
    }
    case 'and-mark':
      return { value: 0, mask: ~parseUintOption(target, opt, UINT32_MAX) >>> 0 };
    case 'or-mark': {
      const v = parseUintOption(target, opt, UINT32_MAX);
      return { value: v, mask: v };
    }
    case 'xor-mark':
      return { value: parseUintOption(target, opt, UINT32_MAX), mask: 0 };
    default:
      return null;
  }
}

/** How a (value, mask) pair reads, as `iptables -L` names it (and, or, xor, set, xset). */
export function describeMarkOp(o: MarkOptions): string {
  if (o.value === 0) return `and ${hex(~o.mask)}`;
  if (o.value === o.mask) return `or ${hex(o.value)}`;
  if (o.mask === 0) return `xor ${hex(o.value)}`;
  if (o.mask === UINT32_MAX) return `set ${hex(o.value)}`;
  return `xset ${hex(o.value)}/${hex(o.mask)}`;
}

export const markTarget = defineTarget<MarkOptions>({
  name: 'MARK',
  options: OPS.map((name) => ({ name, arg: true })),
  build(options) {
    onlyOnce('MARK', options);
    requireExclusive('MARK', options, OPS);
    const op = options[0];
    const result = op ? markOperation('MARK', op) : null;
    if (!result) throw new RuleSyntaxError('MARK needs one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark');
    return result;
  },
  save(o) {
    return `--set-xmark ${hex(o.value)}/${hex(o.mask)}`;
  },
  apply(o, pkt) {
    const before = pkt.mark;
    pkt.mark = xmark(pkt.mark, o.value, o.mask);
    return { verdict: 'continue', detail: `mark ${describeMarkOp(o)}: ${hex(before)} -> ${hex(pkt.mark)}` };
  },
});
