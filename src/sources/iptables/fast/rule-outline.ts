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
import {
  BASE_LIMITED_MATCH_NAMES,
  LIMITED_MATCH_NAMES,
  LIMITED_TARGET_NAMES,
  TRACKING_MATCH_NAMES,
  TRACKING_TARGET_NAMES,
  targetTracking,
  type TargetTracking,
} from '../../../core/module-facts.js';
import { MATCHES } from '../../../core/matches/registry.js';
import type { MatchModule } from '../../../core/matches/define.js';
import type { TargetModule } from '../../../core/targets/define.js';
import { findTarget, TARGETS } from '../../../core/targets/registry.js';
import { GENERIC_OPTIONS, type GenericOption } from '../rule-spec.js';

function canonicalTargetName(name: string): string {
  return findTarget(name)?.name ?? name;
}

/** Whether the rule makes the kernel track connections: no, yes, or "its target's options decide" (CT). */
export const enum Tracking {
  No = 0,
  Yes = 1,
  ByTargetOptions = 2,
}

/** Whether a rule's matches may be refused at load: none, only in a built-in chain (checkentry's limits), or anywhere. */
export const enum MatchLimit {
  None = 0,
  InBaseChains = 1,
  Everywhere = 2,
}

/** What the outline reads of a `-j NAME`: whether it tracks connections, and whether it is limited to some tables or hooks. */
export interface TargetFacts {
  tracking: Tracking;
  limited: boolean;
}

/** What the outline reads of a `-m NAME`. */
export interface MatchFacts {
  tracks: boolean;
  limit: MatchLimit;
}

const TRACKING_OF: Record<TargetTracking, Tracking> = { no: Tracking.No, yes: Tracking.Yes, options: Tracking.ByTargetOptions };

/** The names with any fact, built once from core/module-facts.ts: one lookup per `-j` and per `-m`. */
export const TARGET_FACTS: ReadonlyMap<string, TargetFacts> = new Map(
  [...new Set([...TRACKING_TARGET_NAMES, ...LIMITED_TARGET_NAMES])].map((name) => [name, { tracking: TRACKING_OF[targetTracking(name)], limited: LIMITED_TARGET_NAMES.has(name) }]),
);

export const MATCH_FACTS: ReadonlyMap<string, MatchFacts> = new Map(
  [...new Set([...TRACKING_MATCH_NAMES, ...LIMITED_MATCH_NAMES, ...BASE_LIMITED_MATCH_NAMES])].map((name) => [
    name,
    {
      tracks: TRACKING_MATCH_NAMES.has(name),
      limit: LIMITED_MATCH_NAMES.has(name) ? MatchLimit.Everywhere : BASE_LIMITED_MATCH_NAMES.has(name) ? MatchLimit.InBaseChains : MatchLimit.None,
    },
  ]),
);

export interface RuleOutline {
  /** The name after -j or -g, or null. */
  target: string | null;
  goto: boolean;
  /** `-j NAME` names a target extension the engine models (not a chain). */
  targetModule: boolean;
  tracking: Tracking;
  /** Whether a `-m` names a match limited to some tables or hooks: the load then checks the parsed rule. */
  matchLimit: MatchLimit;
  /** `-j NAME` names an extension limited to some tables or hooks (unless a chain has that name). */
  limitedTarget: boolean;
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

/**
 * Module options that take two values (the token after the first value is a value too), from
 * the modules' own option specs (argCount), spelled with one or two dashes as getopt takes them.
 */
export const TWO_VALUES: ReadonlySet<string> = new Set(
  [...(Object.values(MATCHES) as MatchModule<any>[]), ...(Object.values(TARGETS) as TargetModule<any>[])]
    .flatMap((m) => m.options)
    .filter((o) => (o.argCount ?? 1) >= 2)
    .flatMap((o) => [o.name, ...(o.aliases ?? [])])
    .flatMap((name) => [`--${name}`, `-${name}`]),
);

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
  let matchLimit = MatchLimit.None;
  let limitedTarget = false;
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
          // Most names have no fact: compared in place with the few of their length first.
          const facts = quoted || oneOfAt(MATCH_FACTS_BY_LENGTH, text, start, i) ? MATCH_FACTS.get(tokenText(text, start, i, quoted)) : undefined;
          if (facts !== undefined) {
            if (facts.tracks) tracking = Tracking.Yes;
            if (facts.limit > matchLimit) matchLimit = facts.limit;
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
          const facts = goto ? undefined : TARGET_FACTS.get(target);
          if (facts !== undefined) {
            limitedTarget = facts.limited;
            if (tracking !== Tracking.Yes && facts.tracking !== Tracking.No) tracking = facts.tracking;
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
      prevTwoValues = optionLike && (quotedTok !== null ? TWO_VALUES.has(quotedTok) : oneOfAt(TWO_VALUES_BY_LENGTH, text, start, i));
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
  return { target, goto, targetModule, tracking, matchLimit, limitedTarget, dst };
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

const TWO_VALUES_BY_LENGTH = byLength(TWO_VALUES);
const MATCH_FACTS_BY_LENGTH = byLength(MATCH_FACTS.keys());

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
