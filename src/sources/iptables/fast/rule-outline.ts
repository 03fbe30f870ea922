/**
 * The outline of a rule: the few facts a load needs from every rule of a large
 * dump (the jump target, whether it makes the kernel track connections, its plain
 * destination), read in place from the line without parsing its options or splitting
 * it into tokens. A rule whose outline could be misread is not
 * outlined (null): the loader then parses it at once, so an outline is never a guess.
 *
 * The one ambiguity is a token that looks like an option (`-j`, `-d`, `!`) but is
 * the value of the option before it (`--comment -j`). A token is certainly an
 * option when the token before it is a value (does not start with '-'), or a
 * generic option that takes none; anything else makes the rule ineligible.
 */
import { TRACKING_MATCHES, TRACKING_TARGETS } from '../../../core/conntrack-modules.js';
import { Tracking } from '../../../core/ruleset/model.js';
import { findTarget } from '../../../core/targets/registry.js';
import { GENERIC_OPTIONS, type GenericOption } from '../rule-spec.js';

function canonicalTargetName(name: string): string {
  return findTarget(name)?.name ?? name;
}


export interface RuleOutline {
  /** The name after -j or -g, or null. */
  target: string | null;
  goto: boolean;
  /** `-j NAME` names a target extension the engine models (not a chain). */
  targetModule: boolean;
  tracking: Tracking;
  /** The -d value when it is given once, without "!" and without a list, unquoted; else null. */
  dst: string | null;
}

/** What the outline does with a generic option; Dst..Goto are the ones whose value it keeps. */
const enum K {
  Src,
  Value,
  Dst,
  Match,
  Jump,
  Goto,
  Flag,
  Bail,
}

/** What the outline does with each generic option the rule parser knows (rule-spec.ts's one list). */
const K_OF: Record<GenericOption, K> = {
  src: K.Src,
  dst: K.Dst,
  in: K.Value,
  out: K.Value,
  proto: K.Value,
  fragment: K.Flag,
  match: K.Match,
  jump: K.Jump,
  goto: K.Goto,
  // Counters and family selectors change how many rules a line makes: parsed at once.
  counters: K.Bail,
  ipv4: K.Bail,
  ipv6: K.Bail,
};

const GENERIC = new Map<string, K>(GENERIC_OPTIONS.map(([name, what]) => [name, K_OF[what]]));

/** Module options that take two values (the token after the first value is a value too). */
export const TWO_VALUES: ReadonlySet<string> = new Set(['--tcp-flags', '-tcp-flags']);

/**
 * Outline the rule line text[from..to) (`-A CHAIN …`, the first `skip` tokens skipped), or
 * null when the rule must be parsed now: it may expand to several rules, names the family
 * or counters, has a target that is not last, has an option-like token that could be a
 * value, or has a backslash or an unbalanced quote. Tokens are read as tokenize() splits
 * them (blanks separate, double quotes group), in place.
 */
export function outlineRule(
  text: string,
  from: number,
  to: number,
  skip: number,
  isTargetModule: (name: string) => boolean,
  scan: OutlineScan = scanOf(text),
): RuleOutline | null {
  let target: string | null = null;
  let goto = false;
  let targetModule = false;
  let tracking = Tracking.No;
  let dst: string | null = null;
  let dstSeen = false;
  let free = true; // the next token is certainly in option position
  let inverted = false;
  let prevTwoValues = false; // the previous token was --tcp-flags: the next two are values
  let pending: K | null = null; // a generic option waiting for its value
  let pendingInv = false;
  let tokIndex = 0;
  let i = from;
  for (;;) {
    // The next token: [start, i), `quoted` when it holds double quotes.
    let c = 0;
    while (i < to && ((c = text.charCodeAt(i)) === 32 || c === 9)) i++;
    if (i >= to) break;
    const start = i;
    let quoted = false;
    if (scan.plain) {
      // No tabs or backslashes anywhere: a token without a quote ends at the next blank, found natively.
      let end = text.indexOf(' ', i);
      if (end < 0 || end > to) end = to;
      if (scan.nextQuote < start) {
        const q = text.indexOf('"', start);
        scan.nextQuote = q < 0 ? Number.MAX_SAFE_INTEGER : q;
      }
      if (scan.nextQuote >= end) i = end;
    }
    if (i === start) {
      while (i < to) {
        c = text.charCodeAt(i);
        if (c === 32 || c === 9) break;
        if (c === 92 /* backslash */) return null;
        if (c === 34) {
          const close = text.indexOf('"', i + 1);
          if (close < 0 || close >= to) return null;
          quoted = true;
          i = close + 1;
        } else {
          i++;
        }
      }
    }
    if (tokIndex++ < skip) continue;
    // What the token says: its first character decides whether it can be an option.
    let first = text.charCodeAt(start);
    if (quoted) {
      let k = start;
      while (k < i && text.charCodeAt(k) === 34) k++;
      first = k < i ? text.charCodeAt(k) : -1;
    }
    const optionLike = first === 45 /* - */ || first === 33; /* ! */
    // A quoted option-like token is rare: read it whole. Everything else is read in place.
    const quotedTok = optionLike && quoted ? tokenText(text, start, i, true) : null;
    const bang = optionLike && (quotedTok !== null ? quotedTok === '!' : i - start === 1 && first === 33);

    if (pending !== null) {
      // The value of a generic option.
      if (bang && !pendingInv) {
        pendingInv = true;
        continue;
      }
      switch (pending) {
        case K.Src:
          if (hasComma(text, start, i)) return null;
          break;
        case K.Value:
          break;
        case K.Dst: {
          if (hasComma(text, start, i) || dstSeen) return null;
          dstSeen = true;
          if (!pendingInv && !quoted) dst = text.slice(start, i);
          break;
        }
        case K.Match: {
          if (pendingInv) return null;
          if (tracking !== Tracking.Yes && (quoted ? TRACKING_MATCHES.has(tokenText(text, start, i, true)) : oneOfAt(TRACKING_MATCH_NAMES, text, start, i))) {
            tracking = Tracking.Yes;
          }
          break;
        }
        case K.Jump:
        case K.Goto: {
          if (pendingInv || target !== null) return null;
          target = tokenText(text, start, i, quoted);
          goto = pending === K.Goto;
          targetModule = !goto && isTargetModule(target);
          // A target extension's name is one of a few: keep the registry's string, not a copy per rule.
          if (targetModule) target = canonicalTargetName(target);
          if (!goto && tracking !== Tracking.Yes) {
            if (TRACKING_TARGETS.has(target)) tracking = Tracking.Yes;
            else if (target === 'CT') tracking = Tracking.CtTarget;
          }
          break;
        }
      }
      pending = null;
      free = first !== 45;
      prevTwoValues = false;
      continue;
    }
    // Nothing may follow -j CHAIN or -g CHAIN: after them, tokens would be the target's own.
    if (target !== null && !targetModule) return null;
    const kind: K | undefined = !optionLike ? undefined : quotedTok !== null ? GENERIC.get(quotedTok) : first === 45 ? genericAt(text, start, i) : undefined;
    if (kind === undefined) {
      if (bang) {
        if (!free || inverted) return null;
        inverted = true;
        continue;
      }
      // A module or target option, or a value: opaque here.
      free = first !== 45 && !prevTwoValues;
      prevTwoValues = optionLike && (quotedTok !== null ? TWO_VALUES.has(quotedTok) : i - start === 11 && text.startsWith('--tcp-flags', start));
      inverted = false;
      continue;
    }
    if (!free || kind === K.Bail) return null;
    prevTwoValues = false;
    if (kind === K.Flag) {
      inverted = false;
      continue;
    }
    pending = kind;
    pendingInv = inverted;
    inverted = false;
  }
  if (inverted || pending !== null) return null;
  // A CT target that another part already made tracking needs no options read.
  return { target, goto, targetModule, tracking, dst };
}

/** The generic option text[from..to) spells, read in place (no slice, no hashing); undefined for any other token. */
function genericAt(text: string, from: number, to: number): K | undefined {
  const len = to - from;
  if (len === 2) return SHORT_BY_CHAR[text.charCodeAt(from + 1)];
  if (len < 5 || len > 15 || text.charCodeAt(from + 1) !== 45) return undefined;
  const names = LONG_BY_LENGTH[len];
  if (names === undefined) return undefined;
  for (const name of names) if (text.startsWith(name, from)) return GENERIC.get(name);
  return undefined;
}

/**
 * What the caller knows of the whole text, so tokens are found with native searches: `plain`
 * when it has no tab or backslash (blanks are single spaces between tokens, no escapes), and
 * the position of the next double quote at or after the last token read (kept from line to
 * line, so finding quotes costs one pass over the text).
 */
export interface OutlineScan {
  plain: boolean;
  nextQuote: number;
}

export function scanOf(text: string): OutlineScan {
  return { plain: text.indexOf('\t') < 0 && text.indexOf('\\') < 0, nextQuote: -1 };
}

/** Searches stay inside the token: the text may be a whole dump. */
function hasComma(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (text.charCodeAt(k) === 44) return true;
  return false;
}

/** Names by length, so a token is compared in place with the few of its length. */
function byLength(names: Iterable<string>): Array<string[] | undefined> {
  const out: Array<string[] | undefined> = [];
  for (const name of names) (out[name.length] ??= []).push(name);
  return out;
}

function oneOfAt(names: Array<string[] | undefined>, text: string, from: number, to: number): boolean {
  const list = names[to - from];
  if (list !== undefined) for (const name of list) if (text.startsWith(name, from)) return true;
  return false;
}

const TRACKING_MATCH_NAMES = byLength(TRACKING_MATCHES);

/** The short generic options (`-d`) by their letter, for genericAt. */
const SHORT_BY_CHAR: Array<K | undefined> = [];
for (const [name, kind] of GENERIC) if (name.length === 2) SHORT_BY_CHAR[name.charCodeAt(1)] = kind;

/** The long generic options by length, for genericAt. */
const LONG_BY_LENGTH = byLength([...GENERIC.keys()].filter((name) => name.startsWith('--')));

/** The token's text as tokenize() gives it: double quotes removed. */
function tokenText(text: string, from: number, to: number, quoted: boolean): string {
  const t = text.slice(from, to);
  return quoted ? t.replaceAll('"', '') : t;
}
