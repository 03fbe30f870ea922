/**
 * `-m mark [!] --mark value[/mask]`: tests skb->mark, `(mark & mask) == value`.
 * Values are decimal, 0x-hex or octal on input and saved as hex (libxt_mark.t:
 * `--mark 4294967295` saves as `--mark 0xffffffff`; the mask is printed only when
 * it is not 0xffffffff).
 */
import { RuleSyntaxError } from '../errors.js';
import { defineMatch } from './define.js';
import { hex, onlyOnce, parseUInt, UINT32_MAX, valueOf } from './util.js';

export interface MarkMask {
  value: number;
  mask: number;
}

export interface MarkOptions {
  mark: MarkMask;
  invert: boolean;
}

/** xtables_parse_mark_mask: `value[/mask]`, each an unsigned 32-bit number. */
export function parseMarkMask(module: string, text: string): MarkMask {
  const slash = text.indexOf('/');
  const v = parseUInt(slash < 0 ? text : text.slice(0, slash), UINT32_MAX);
  const m = slash < 0 ? UINT32_MAX : parseUInt(text.slice(slash + 1), UINT32_MAX);
  if (v === null || m === null) {
    throw new RuleSyntaxError(`${module}: bad mark "${text}" (expected value[/mask], each 0-4294967295, decimal or 0x hex)`);
  }
  return { value: v, mask: m };
}

/** xtables_print_mark_mask: `0xV` or `0xV/0xM`. */
export function formatMarkMask(m: MarkMask): string {
  return m.mask === UINT32_MAX ? hex(m.value) : `${hex(m.value)}/${hex(m.mask)}`;
}

/** `(actual & mask) == value`, in unsigned 32-bit arithmetic. */
export function markHit(m: MarkMask, actual: number): boolean {
  return ((actual & m.mask) >>> 0) === m.value;
}

/** Build for mark and connmark: one mandatory `[!] --mark`. */
export function buildMarkOptions(module: string, options: { name: string; value: string | null; invert: boolean }[]): MarkOptions {
  onlyOnce(module, options);
  const opt = options[0];
  if (!opt) throw new RuleSyntaxError(`${module}: --mark is required`);
  return { mark: parseMarkMask(module, valueOf(module, opt)), invert: opt.invert };
}

export function explainMark(what: string, o: MarkOptions, actual: number): string {
  const hit = markHit(o.mark, actual);
  const shown = o.mark.mask === UINT32_MAX ? hex(actual) : `${hex(actual)} & ${hex(o.mark.mask)} = ${hex((actual & o.mark.mask) >>> 0)}`;
  return `${what} ${shown} ${hit ? '=' : '≠'} ${hex(o.mark.value)}${o.invert ? ' (negated)' : ''}`;
}

export const markMatch = defineMatch<MarkOptions>({
  name: 'mark',
  options: [{ name: 'mark', arg: true, invertible: true }],
  build(options) {
    return buildMarkOptions('mark', options);
  },
  save(o) {
    return `${o.invert ? '! ' : ''}--mark ${formatMarkMask(o.mark)}`;
  },
  evaluate(o, pkt) {
    return markHit(o.mark, pkt.mark) !== o.invert ? 'yes' : 'no';
  },
  explain(o, pkt) {
    return explainMark('mark', o, pkt.mark);
  },
});
