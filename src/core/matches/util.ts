/**
 * Small helpers shared by match modules: option bookkeeping the way libxtables
 * enforces it, numeric parsing with xtables_strtoui's rules, and save helpers.
 */
import { RuleSyntaxError } from '../errors.js';
import type { BuildCtx, ParsedOption } from './define.js';

/** A value with the `!` that preceded its option. */
export interface Neg<T> {
  value: T;
  invert: boolean;
}

/** `! ` when inverted, for save text ("extrapositioned" negation). */
export function neg(n: { invert: boolean }): string {
  return n.invert ? '! ' : '';
}

/** libxtables rejects a second use of the same option in one match ("can only be used once"). */
export function onlyOnce(module: string, options: ParsedOption[]): void {
  // A module takes a handful of options: compare pairs instead of allocating a set per rule.
  for (let i = 1; i < options.length; i++) {
    const name = options[i]!.name;
    for (let j = 0; j < i; j++) {
      if (options[j]!.name === name) throw new RuleSyntaxError(`${module}: option "--${name}" can only be used once`);
    }
  }
}

/** The option's value, or a clear error when it is missing. */
export function valueOf(module: string, o: ParsedOption): string {
  if (o.value === null) throw new RuleSyntaxError(`${module}: --${o.name} needs a value`);
  return o.value;
}

/**
 * Parse an unsigned integer the way xtables_strtoui(…, base 0) does:
 * decimal, `0x` hexadecimal or leading-zero octal, no sign, no trailing text.
 * Returns null when the text is not such a number or exceeds max.
 */
export function parseUInt(text: string, max: number): number | null {
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) n = parseInt(text, 8);
  else if (/^(0|[1-9][0-9]*)$/.test(text)) n = Number(text);
  else return null;
  return Number.isSafeInteger(n) && n <= max ? n : null;
}

export const UINT32_MAX = 0xffffffff;

/**
 * Matches that the kernel registers with a fixed protocol (`.proto = IPPROTO_TCP`, …):
 * xt_check_match refuses them unless the rule says `-p PROTO` without `!`.
 */
export function requireProto(module: string, ctx: BuildCtx, ...protos: string[]): void {
  const p = ctx.proto;
  if (!p || p.invert || !protos.includes(p.value)) {
    throw new RuleSyntaxError(`-m ${module} requires "-p ${protos.join('|')}" (without "!") in the same rule`);
  }
}

/** Modules that exist in one family only (icmp: IPv4, icmp6: IPv6). */
export function requireFamily(module: string, ctx: BuildCtx, family: BuildCtx['family']): void {
  if (ctx.family !== family) {
    throw new RuleSyntaxError(`-m ${module} exists only in ${family === 'ipv4' ? 'iptables (IPv4)' : 'ip6tables (IPv6)'}`);
  }
}

/** `0x…` lower-case hex as iptables prints marks. */
export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
