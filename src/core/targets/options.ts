/**
 * Option helpers that only targets need. Number parsing, hex output and the
 * once-only rule are libxtables behaviour shared with the matches, so they come
 * from ../matches/util.js and ../matches/mark.js rather than being written twice.
 */
import { RuleSyntaxError } from '../errors.js';
import type { ParsedOption } from '../matches/define.js';
import { parsePort } from '../matches/ports.js';
import { parseUInt, valueOf } from '../matches/util.js';

/** An unsigned option value (xtables_strtoui, base 0) within [min, max], or a clear error. */
export function parseUintOption(target: string, opt: ParsedOption, max: number, min = 0): number {
  const v = parseUInt(valueOf(target, opt), max);
  if (v === null || v < min) throw new RuleSyntaxError(`${target}: invalid --${opt.name} "${opt.value}" (expected a number ${min}-${max})`);
  return v;
}

/** A port as xtables_parse_port reads it: a base-0 number 0-65535 or a service name. */
export function parsePortValue(text: string, what: string): number {
  const n = parseUInt(text, 65535);
  if (n !== null) return n;
  if (/^[A-Za-z][A-Za-z0-9_-]*$/.test(text)) return parsePort(text);
  throw new RuleSyntaxError(`invalid ${what} "${text}": expected a port 0-65535`);
}

/** Options that exclude each other (libxtables `.excl`). */
export function requireExclusive(target: string, options: ParsedOption[], group: readonly string[]): void {
  const used = options.filter((o) => group.includes(o.name)).map((o) => `--${o.name}`);
  if (used.length > 1) throw new RuleSyntaxError(`${target}: ${used.join(' and ')} cannot be used together`);
}

/** The kernel's mark update, on unsigned 32-bit values: (mark & ~mask) ^ value. */
export function xmark(mark: number, value: number, mask: number): number {
  return ((mark & ~mask) ^ value) >>> 0;
}

/** `addr:port`, IPv6 as `[addr]:port`; just the address when there is no port. */
export function hostPort(addrText: string, port: number | null, ipv6: boolean): string {
  if (port === null) return addrText;
  return ipv6 ? `[${addrText}]:${port}` : `${addrText}:${port}`;
}
