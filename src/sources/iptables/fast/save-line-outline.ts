/**
 * The outline of a rule line of the shape iptables-save prints, read with native string
 * searches. A CLI run reads a node dump once, cold, and the token loop of outline.ts then
 * runs in the interpreter (about 4 µs a line); a line that is a strict alternation of
 * options and values is read here in a fraction of that, and every other line is left to
 * outlineRule (undefined). A test checks both give the same outline on every line this
 * one reads.
 *
 * In `-A CHAIN [!] OPTION VALUE [!] OPTION VALUE …`, where no value starts with '-', '!'
 * or is anything but one bare word or one whole quoted string, every option stands where
 * the parser reads an option, so ` -j `, ` -d `, ` -m ` outside the quoted values are
 * the generic options themselves, and each is followed by its value.
 */
import { TRACKING_MATCHES, TRACKING_TARGETS } from '../../../core/conntrack-modules.js';
import { findTarget } from '../../../core/targets/registry.js';
import { Tracking } from '../../../core/ruleset/model.js';
import { TWO_VALUES, type RuleOutline } from './rule-outline.js';
import { GENERIC_OPTIONS } from '../rule-spec.js';

const PAIRS = /^-A [^ "\t\\]+(?: (?:! )?-[^ "\t\\]+ (?:[^ "\t\\!-][^ "\t\\]*|"[^"\t\\!-][^"\t\\]*"))*$/;

/**
 * Left to the token loop: the long generic spellings, the generic flags, family selectors and
 * counters, and options that take two values (their second value breaks the alternation).
 */
const UNUSUAL = new RegExp(
  ` (?:${[
    ...GENERIC_OPTIONS.filter(([n, k]) => n.startsWith('--') || ['fragment', 'counters', 'ipv4', 'ipv6'].includes(k)).map(([n]) => n),
    ...TWO_VALUES,
  ].join('|')})(?= |$)`,
);

/** A needle found inside a quoted value, or twice: the token loop decides. */
const UNSURE = -2;

/** The outline of `line` (`-A CHAIN …`, no line break), or undefined when it is not of the plain shape. */
export function outlinePairs(line: string): RuleOutline | undefined {
  if (!PAIRS.test(line) || UNUSUAL.test(line)) return undefined;
  const q1 = line.indexOf('"');
  const q2 = q1 < 0 ? -1 : line.lastIndexOf('"');

  const j = once(line, ' -j ', q1, q2);
  const g = once(line, ' -g ', q1, q2);
  if (j === UNSURE || g === UNSURE || (j >= 0 && g >= 0)) return undefined;
  let target: string | null = null;
  let targetModule = false;
  let tracking = Tracking.No;
  const at = j >= 0 ? j : g;
  if (at >= 0) {
    const name = valueAt(line, at + 4);
    if (name === null || inverted(line, at)) return undefined;
    const module = j >= 0 ? findTarget(name) : undefined;
    // -j CHAIN and -g CHAIN must be last: after them, tokens would be the target's own.
    if (module === undefined && at + 4 + name.length !== line.length) return undefined;
    target = module?.name ?? name;
    targetModule = module !== undefined;
    if (module !== undefined) {
      if (TRACKING_TARGETS.has(module.name)) tracking = Tracking.Yes;
      else if (module.name === 'CT') tracking = Tracking.CtTarget;
    }
  }

  let dst: string | null = null;
  const d = once(line, ' -d ', q1, q2);
  if (d === UNSURE) return undefined;
  if (d >= 0) {
    const value = valueAt(line, d + 4);
    if (value === null || value.indexOf(',') >= 0) return undefined;
    if (!inverted(line, d)) dst = value;
  }
  // -s a,b makes one rule per address: the parser's case.
  for (let s = line.indexOf(' -s '); s >= 0; s = line.indexOf(' -s ', s + 1)) {
    const value = valueAt(line, s + 4);
    if (value === null || value.indexOf(',') >= 0) return undefined;
  }
  for (let m = line.indexOf(' -m '); m >= 0; m = line.indexOf(' -m ', m + 1)) {
    if (q1 >= 0 && m > q1 && m < q2) return undefined;
    const name = valueAt(line, m + 4);
    if (name === null || inverted(line, m)) return undefined;
    if (TRACKING_MATCHES.has(name)) tracking = Tracking.Yes;
  }
  return { target, goto: g >= 0, targetModule, tracking, dst };
}

/** Where `needle` is, when it is there once and outside the quoted values; -1 when absent. */
function once(line: string, needle: string, q1: number, q2: number): number {
  const at = line.indexOf(needle);
  if (at < 0) return -1;
  if ((q1 >= 0 && at > q1 && at < q2) || line.indexOf(needle, at + 1) >= 0) return UNSURE;
  return at;
}

/** The bare value starting at `from`, or null when it is quoted. */
function valueAt(line: string, from: number): string | null {
  if (line.charCodeAt(from) === 34 /* " */) return null;
  const end = line.indexOf(' ', from);
  return line.slice(from, end < 0 ? line.length : end);
}

/** Whether the option whose leading blank is at `at` has "!" before it. */
function inverted(line: string, at: number): boolean {
  return at >= 2 && line.charCodeAt(at - 1) === 33 && line.charCodeAt(at - 2) === 32;
}
