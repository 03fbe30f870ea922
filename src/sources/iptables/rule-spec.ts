/**
 * Parse the argument list of one rule (everything after `-A CHAIN`) into the
 * model, resolving options to match and target modules the way iptables does,
 * and render the canonical iptables-save text (on first use: see ParsedRule).
 *
 * Loading a node dump parses tens of thousands of rules, so the parser keeps the
 * hot path small: option lookups are maps built once per module, one state object
 * is reused from rule to rule, and the canonical text waits until someone asks.
 */
import { RuleSyntaxError } from '../../core/errors.js';
import { formatCidr, parseCidr, type Cidr } from '../../core/net/address.js';
import type { BuildCtx, MatchModule, OptionSpec, ParsedOption } from '../../core/matches/define.js';
import { findMatch } from '../../core/matches/registry.js';
import { findTarget } from '../../core/targets/registry.js';
import type { TargetModule } from '../../core/targets/define.js';
import type { Family, TableName } from '../../core/types.js';
import type { HeaderMatch, Negatable, Provenance, Rule, RuleTarget, UnknownMatch } from '../../core/ruleset/model.js';
import { canonicalProtocol } from '../../core/ruleset/protocols.js';
import { saveString } from '../../core/ruleset/save-string.js';
import type { SourceLine } from './blocks.js';

const verbatim = (tokens: string[]) => tokens.map((t) => (/[\s"'\\]/.test(t) || t === '' ? saveString(t) : t));

export interface RuleSpecCtx {
  family: Family;
  table: TableName;
}

export type ParsedRuleSpec = Omit<Rule, 'provenance'>;

const enum G {
  Src,
  Dst,
  In,
  Out,
  Proto,
  Frag,
  Match,
  Jump,
  Goto,
  Counters,
  Ipv4,
  Ipv6,
}

/** Every generic option spelling iptables takes, with what it is: the one list (outline.ts reads it too). */
export type GenericOption = 'src' | 'dst' | 'in' | 'out' | 'proto' | 'fragment' | 'match' | 'jump' | 'goto' | 'counters' | 'ipv4' | 'ipv6';

export const GENERIC_OPTIONS: ReadonlyArray<readonly [string, GenericOption]> = [
  ['-s', 'src'], ['--source', 'src'], ['--src', 'src'],
  ['-d', 'dst'], ['--destination', 'dst'], ['--dst', 'dst'],
  ['-i', 'in'], ['--in-interface', 'in'],
  ['-o', 'out'], ['--out-interface', 'out'],
  ['-p', 'proto'], ['--protocol', 'proto'],
  ['-f', 'fragment'], ['--fragment', 'fragment'],
  ['-m', 'match'], ['--match', 'match'],
  ['-j', 'jump'], ['--jump', 'jump'],
  ['-g', 'goto'], ['--goto', 'goto'],
  ['-c', 'counters'], ['--set-counters', 'counters'],
  ['-4', 'ipv4'], ['--ipv4', 'ipv4'],
  ['-6', 'ipv6'], ['--ipv6', 'ipv6'],
];

/** Each generic option's short spelling, as iptables names it in messages ("multiple -s flags"). */
const GENERIC_SHORT: ReadonlyMap<string, string> = new Map(
  GENERIC_OPTIONS.map(([spelling, kind]) => [spelling, GENERIC_OPTIONS.find(([, k]) => k === kind)![0]] as const),
);

const G_OF: Record<GenericOption, G> = {
  src: G.Src,
  dst: G.Dst,
  in: G.In,
  out: G.Out,
  proto: G.Proto,
  fragment: G.Frag,
  match: G.Match,
  jump: G.Jump,
  goto: G.Goto,
  counters: G.Counters,
  ipv4: G.Ipv4,
  ipv6: G.Ipv6,
};

const GENERIC = new Map<string, G>(GENERIC_OPTIONS.map(([name, what]) => [name, G_OF[what]]));

/** Kernel limit: IFNAMSIZ is 16 including the terminating NUL. */
const MAX_IFACE = 15;

interface PendingModule {
  module: MatchModule<any>;
  options: ParsedOption[];
  implicit: boolean;
}

type Slot = PendingModule | { unknown: UnknownMatch };

interface PendingTarget {
  name: string;
  module?: TargetModule<any>;
  options: ParsedOption[];
  tokens: string[];
  goto: boolean;
}

/**
 * Option token -> spec, built once per module's option list: `--name` and `-name` for
 * every name and alias (the parser accepts both spellings). Where two specs claim a
 * name, the first one listed wins, as a linear search would find it.
 */
const SPEC_MAPS = new WeakMap<readonly OptionSpec[], Map<string, OptionSpec>>();

export function optionLookup(specs: readonly OptionSpec[]): Map<string, OptionSpec> {
  let m = SPEC_MAPS.get(specs);
  if (m === undefined) {
    m = new Map();
    const add = (name: string, s: OptionSpec) => {
      for (const key of [`--${name}`, `-${name}`]) if (!m!.has(key)) m!.set(key, s);
    };
    for (const s of specs) {
      add(s.name, s);
      if (s.aliases) for (const a of s.aliases) add(a, s);
    }
    SPEC_MAPS.set(specs, m);
  }
  return m;
}

function takeValue(tokens: string[], i: number, opt: string): string {
  const v = tokens[i];
  if (v === undefined) throw new RuleSyntaxError(`option "${opt}" requires a value`);
  return v;
}

function parseAddressList(value: string, tok: string, family: Family): Cidr[] {
  if (value.indexOf(',') < 0) return [parseAddressPart(value, tok, family)];
  const out: Cidr[] = [];
  for (const part of value.split(',')) out.push(parseAddressPart(part, tok, family));
  return out;
}

function parseAddressPart(part: string, tok: string, family: Family): Cidr {
  const c = parseCidr(part);
  if (!c) throw new RuleSyntaxError(`invalid address "${part}" for ${tok}: expected an IP address or CIDR (host names are not resolved)`);
  if (c.family !== family) {
    throw new RuleSyntaxError(`${c.family === 'ipv6' ? 'IPv6' : 'IPv4'} address "${part}" in an ${family === 'ipv4' ? 'iptables (IPv4)' : 'ip6tables (IPv6)'} rule`);
  }
  return c;
}

/**
 * The parser's state for one rule. One instance is reused for every rule of a load
 * (reset() clears it), so parsing allocates only what the rule keeps.
 */
class SpecState {
  tokens: string[] = [];
  n = 0;
  family: Family = 'ipv4';
  table: TableName = 'filter';
  src: Cidr[] | null = null;
  srcInv = false;
  dst: Cidr[] | null = null;
  dstInv = false;
  inIface: Negatable<string> | undefined = undefined;
  outIface: Negatable<string> | undefined = undefined;
  proto: Negatable<string> | undefined = undefined;
  fragment: Negatable<true> | undefined = undefined;
  slots: Slot[] = [];
  target: PendingTarget | null = null;
  invert = false;
  skipFamily = false;

  reset(tokens: string[], ctx: RuleSpecCtx): void {
    this.clear();
    this.tokens = tokens;
    this.n = tokens.length;
    this.family = ctx.family;
    this.table = ctx.table;
    this.srcInv = false;
    this.dstInv = false;
    this.invert = false;
    this.skipFamily = false;
  }

  /** Drop references to the rule's data, so a reused state keeps nothing alive (reset() starts here too). */
  clear(): void {
    this.tokens = NO_TOKENS;
    this.src = null;
    this.dst = null;
    this.inIface = undefined;
    this.outIface = undefined;
    this.proto = undefined;
    this.fragment = undefined;
    this.slots = [];
    this.target = null;
  }
}

/** The tokens of no rule: never written to (the parser only reads tokens). */
const NO_TOKENS: string[] = [];

let spare: SpecState | null = null;

/** Result: one or more rules (iptables expands `-s a,b` into one rule per address). */
export function parseRuleSpec(tokens: string[], ctx: RuleSpecCtx): ParsedRuleSpec[] {
  const out: ParsedRuleSpec[] = [];
  parseRuleSpecInto(tokens, 0, ctx, null, null, out);
  return out;
}

/**
 * Parse tokens[start..] and append the rules to `out`: ParsedRule objects when `chain`
 * is null, else ChainRule objects of that chain from that source line.
 */
export function parseRuleSpecInto(
  tokens: string[],
  start: number,
  ctx: RuleSpecCtx,
  chain: string | null,
  source: RuleSource | null,
  out: Rule[] | ParsedRuleSpec[],
): void {
  // Reentrancy (a module parsing a nested rule) gets a fresh state.
  const st = spare ?? new SpecState();
  spare = null;
  try {
    st.reset(tokens, ctx);
    for (let i = start; i < st.n; i++) {
      const tok = tokens[i]!;
      if (tok === '!') {
        if (st.invert) throw new RuleSyntaxError('double "!" in a row');
        st.invert = true;
        continue;
      }
      const generic = GENERIC.get(tok);
      if (generic !== undefined) {
        i = parseGeneric(st, generic, tok, i);
        st.invert = false;
      } else {
        i = parseOption(st, tok, i);
      }
    }
    if (st.invert) throw new RuleSyntaxError('"!" at the end of the rule negates nothing');
    if (!st.skipFamily) emit(st, chain, source, out);
  } finally {
    st.clear();
    spare = st;
  }
}

/**
 * `--opt ! value`: iptables 1.8 refuses a "!" after the option (measured: "Bad state \"!\"",
 * "invalid port/service `!'", "Bad argument"), so the engine does too, naming the spelling it takes.
 */
function intrapositioned(tok: string, value: string): RuleSyntaxError {
  return new RuleSyntaxError(`"${tok} ! ${value}": iptables refuses a "!" after the option; write "! ${tok} ${value}"`);
}

/** `-s A -s B`: iptables refuses a generic option given twice ("multiple -s flags not allowed"). */
function multiple(tok: string): RuleSyntaxError {
  const short = GENERIC_SHORT.get(tok) ?? tok;
  return new RuleSyntaxError(`multiple ${short} flags not allowed`);
}

/** A generic option at tokens[i]; returns the index of its last token. */
function parseGeneric(st: SpecState, generic: G, tok: string, i: number): number {
  const tokens = st.tokens;
  switch (generic) {
    case G.Src:
    case G.Dst: {
      let value = takeValue(tokens, ++i, tok);
      let inv = st.invert;
      if (value === '!') throw intrapositioned(tok, takeValue(tokens, i + 1, tok));
      if ((generic === G.Src ? st.src : st.dst) !== null) throw multiple(tok);
      const cidrs = parseAddressList(value, tok, st.family);
      if (inv && cidrs.length > 1) throw new RuleSyntaxError(`"!" is not allowed with multiple addresses in ${tok}`);
      if (generic === G.Src) {
        st.src = cidrs;
        st.srcInv = inv;
      } else {
        st.dst = cidrs;
        st.dstInv = inv;
      }
      return i;
    }
    case G.In:
    case G.Out: {
      let value = takeValue(tokens, ++i, tok);
      let inv = st.invert;
      if (value === '!') throw intrapositioned(tok, takeValue(tokens, i + 1, tok));
      if ((generic === G.In ? st.inIface : st.outIface) !== undefined) throw multiple(tok);
      if (value.length > MAX_IFACE) throw new RuleSyntaxError(`interface name "${value}" is longer than ${MAX_IFACE} characters`);
      if (generic === G.In) st.inIface = { value, invert: inv };
      else st.outIface = { value, invert: inv };
      return i;
    }
    case G.Proto: {
      let value = takeValue(tokens, ++i, tok);
      let inv = st.invert;
      if (value === '!') throw intrapositioned(tok, takeValue(tokens, i + 1, tok));
      if (st.proto !== undefined) throw multiple(tok);
      const name = canonicalProtocol(value, st.family);
      if (!name) throw new RuleSyntaxError(`unknown protocol "${value}"`);
      st.proto = protoMatch(name, inv);
      return i;
    }
    case G.Frag:
      if (st.family === 'ipv6') throw new RuleSyntaxError('-f is not available in ip6tables; use -m frag');
      st.fragment = { value: true, invert: st.invert };
      return i;
    case G.Match: {
      if (st.invert) throw new RuleSyntaxError(`"!" is not allowed before "${tok}"`);
      const name = takeValue(tokens, ++i, tok);
      const module = findMatch(name);
      if (module && (!module.families || module.families.includes(st.family))) {
        st.slots.push({ module, options: [], implicit: false });
        return i;
      }
      // Not modelled: keep every token up to the next generic option verbatim.
      const kept: string[] = [];
      while (i + 1 < st.n && !isGeneric(tokens[i + 1]) && !(tokens[i + 1] === '!' && isGeneric(tokens[i + 2]))) {
        kept.push(tokens[++i]!);
      }
      st.slots.push({ unknown: { name, tokens: kept } });
      return i;
    }
    case G.Jump:
    case G.Goto: {
      if (st.invert) throw new RuleSyntaxError(`"!" is not allowed before "${tok}"`);
      if (st.target) throw new RuleSyntaxError('a rule can have only one -j or -g');
      const name = takeValue(tokens, ++i, tok);
      const module = generic === G.Jump ? findTarget(name) : undefined;
      st.target = module ? { name, module, options: [], tokens: [], goto: false } : { name, options: [], tokens: [], goto: generic === G.Goto };
      return i;
    }
    case G.Counters:
      if (st.invert) throw new RuleSyntaxError(`"!" is not allowed before "${tok}"`);
      // `-c PKTS BYTES` (or `[p:b]` handled by the line parser): counters never change a verdict.
      return i + (tokens[i + 1]?.startsWith('[') ? 1 : 2);
    case G.Ipv4:
    case G.Ipv6:
      // iptables-restore skips rules that name the other family.
      if ((generic === G.Ipv4 ? 'ipv4' : 'ipv6') !== st.family) st.skipFamily = true;
      return i;
  }
}

function isGeneric(tok: string | undefined): boolean {
  return tok !== undefined && GENERIC.has(tok);
}

/** A module or target option at tokens[i]; returns the index of its last token. */
function parseOption(st: SpecState, tok: string, i: number): number {
  if (tok.charCodeAt(0) !== 45 /* - */) throw new RuleSyntaxError(`unexpected "${tok}": expected an option`);
  const tokens = st.tokens;
  const slots = st.slots;
  const target = st.target;

  // Owner of the option: the target after -j, else the most recent module that knows it,
  // else the protocol's own module loaded implicitly (`-p tcp --dport 22`).
  let spec: OptionSpec | undefined;
  let sink: ParsedOption[] | null = null;
  if (target !== null && target.module !== undefined) {
    spec = optionLookup(target.module.options).get(tok);
    if (spec !== undefined) sink = target.options;
  }
  for (let s = slots.length - 1; sink === null && s >= 0; s--) {
    const slot = slots[s]!;
    if ('module' in slot) {
      spec = optionLookup(slot.module.options).get(tok);
      if (spec !== undefined) sink = slot.options;
    }
  }
  if (sink === null) {
    const pending = implicitOwner(st, tok);
    if (pending !== null) {
      spec = optionLookup(pending.module.options).get(tok);
      sink = pending.options;
    }
  }
  if (sink === null || spec === undefined) return unownedOption(st, tok, i);

  let inv = st.invert;
  st.invert = false;
  let value: string | null = null;
  if (spec.arg) {
    const count = spec.argCount ?? 1;
    value = '';
    for (let k = 0; k < count; k++) {
      let v = takeValue(tokens, ++i, tok);
      if (k === 0 && v === '!') throw intrapositioned(tok, takeValue(tokens, i + 1, tok));
      value = k === 0 ? v : `${value} ${v}`;
    }
  }
  if (inv && !spec.invertible) throw new RuleSyntaxError(`"!" is not allowed before --${spec.name}`);
  sink.push({ name: spec.name, value, invert: inv });
  return i;
}

/** `-p tcp --dport 22`: the protocol's own module, loaded implicitly when it knows the option. */
function implicitOwner(st: SpecState, tok: string): PendingModule | null {
  const proto = st.proto;
  if (proto === undefined || proto.invert) return null;
  const implicitModule = findMatch(proto.value === 'ipv6-icmp' ? 'icmp6' : proto.value);
  if (!implicitModule || !optionLookup(implicitModule.options).has(tok)) return null;
  for (const s of st.slots) if ('module' in s && s.module === implicitModule) return null;
  const pending: PendingModule = { module: implicitModule, options: [], implicit: true };
  st.slots.push(pending);
  return pending;
}

/** An option no module or modelled target owns: kept verbatim where iptables would keep it, else an error. */
function unownedOption(st: SpecState, tok: string, i: number): number {
  const target = st.target;
  const tokens = st.tokens;
  if (target && !target.module) {
    // Options of a target we do not model stay verbatim.
    if (st.invert) target.tokens.push('!');
    target.tokens.push(tok);
    st.invert = false;
    while (i + 1 < st.n && tokens[i + 1]!.charCodeAt(0) !== 45 && tokens[i + 1] !== '!') target.tokens.push(tokens[++i]!);
    return i;
  }
  const last = st.slots[st.slots.length - 1];
  if (last && 'unknown' in last) {
    last.unknown.tokens.push(tok);
    return i;
  }
  throw new RuleSyntaxError(`unknown option "${tok}"${target ? ` for target ${target.name}` : ''}`);
}

function buildTarget(t: PendingTarget, ctx: BuildCtx): RuleTarget {
  if (t.module) {
    if (t.module.tables && !t.module.tables.includes(ctx.table)) {
      throw new RuleSyntaxError(`target ${t.name} is only valid in the ${t.module.tables.join('/')} table, not ${ctx.table}`);
    }
    return { kind: 'module', module: t.module, options: t.module.build(t.options, ctx) };
  }
  if (t.goto) return { kind: 'goto', chain: t.name };
  if (t.tokens.length > 0) return { kind: 'unknown', name: t.name, tokens: t.tokens };
  // Resolved after the table is complete: a user chain, or an unmodelled extension.
  return { kind: 'jump', chain: t.name };
}

/** Build the rule's matches and target, then append one rule per source x destination. */
function emit(st: SpecState, chain: string | null, source: RuleSource | null, out: Rule[] | ParsedRuleSpec[]): void {
  const buildCtx: BuildCtx = { family: st.family, table: st.table, proto: st.proto };
  const slots = st.slots;
  const matches: Rule['matches'] = new Array(slots.length);
  for (let s = 0; s < slots.length; s++) {
    const slot = slots[s]!;
    matches[s] = 'unknown' in slot ? slot : { module: slot.module, options: slot.module.build(slot.options, buildCtx), implicit: slot.implicit };
  }
  const ruleTarget: RuleTarget = st.target === null ? { kind: 'none' } : buildTarget(st.target, buildCtx);

  // `-s a,b -d c,d` becomes the cross product, in iptables' order (sources outer).
  const src = st.src;
  const dst = st.dst;
  const ns = src === null ? 1 : src.length;
  const nd = dst === null ? 1 : dst.length;
  for (let a = 0; a < ns; a++) {
    for (let b = 0; b < nd; b++) {
      if (src === null && dst === null && !st.inIface && !st.outIface && !st.proto && !st.fragment) {
        push(out, chain, source, NO_HEADER, matches, ruleTarget);
        continue;
      }
      const h: HeaderMatch = {};
      if (src !== null) h.src = { value: src[a]!, invert: st.srcInv };
      if (dst !== null) h.dst = { value: dst[b]!, invert: st.dstInv };
      if (st.inIface) h.inIface = st.inIface;
      if (st.outIface) h.outIface = st.outIface;
      if (st.proto) h.proto = st.proto;
      if (st.fragment) h.fragment = st.fragment;
      push(out, chain, source, h, matches, ruleTarget);
    }
  }
}

function push(out: Rule[] | ParsedRuleSpec[], chain: string | null, source: RuleSource | null, h: HeaderMatch, matches: Rule['matches'], target: RuleTarget): void {
  if (chain === null) (out as ParsedRuleSpec[]).push(new ParsedRule(h, matches, target));
  else (out as Rule[]).push(new ChainRule(h, matches, target, chain, source!.file, source!.line));
}

/*
 * Parts that most rules of a dump have alike are shared, frozen: nothing in the model
 * changes a header after parsing. A rule without -s/-d/-i/-o/-p/-f has the empty header;
 * `-p tcp` and the like use one protocol test each.
 */
const NO_HEADER: HeaderMatch = Object.freeze({});
const PROTOCOL_MATCHES = new Map<string, Negatable<string>>();

function protoMatch(name: string, invert: boolean): Negatable<string> {
  const key = invert ? `!${name}` : name;
  let m = PROTOCOL_MATCHES.get(key);
  if (m === undefined) {
    m = Object.freeze({ value: name, invert });
    // Protocol names are few (canonicalProtocol's table and numbers 0-255): the map stays small.
    PROTOCOL_MATCHES.set(key, m);
  }
  return m;
}

/**
 * A parsed rule spec. Its canonical text is built on first use and kept: a dump's
 * rules are many, and a trace shows only the few it visits.
 */
export class ParsedRule implements ParsedRuleSpec {
  header: HeaderMatch;
  matches: Rule['matches'];
  target: RuleTarget;
  #text: string | undefined;
  constructor(header: HeaderMatch, matches: Rule['matches'], target: RuleTarget) {
    this.header = header;
    this.matches = matches;
    this.target = target;
    this.#text = undefined;
  }
  get text(): string {
    if (this.#text === undefined) this.#text = saveRuleSpec(this);
    return this.#text;
  }
  set text(value: string) {
    this.#text = value;
  }
  toJSON(): ParsedRuleSpec {
    return { header: this.header, matches: this.matches, target: this.target, text: this.text };
  }
}

/** Where a loaded rule came from: the file and its source line (number and text as written). */
export interface RuleSource {
  file: string;
  line: SourceLine;
}

/**
 * A rule of a loaded chain: text is `-A CHAIN spec`, built on first use, and so is the
 * provenance object (from the source line the loader holds anyway).
 */
export class ChainRule implements Rule {
  header: HeaderMatch;
  matches: Rule['matches'];
  target: RuleTarget;
  #chain: string;
  #file: string;
  #source: SourceLine;
  #text: string | undefined;
  #provenance: Provenance | undefined;
  constructor(header: HeaderMatch, matches: Rule['matches'], target: RuleTarget, chain: string, file: string, source: SourceLine) {
    this.header = header;
    this.matches = matches;
    this.target = target;
    this.#chain = chain;
    this.#file = file;
    this.#source = source;
    this.#text = undefined;
    this.#provenance = undefined;
  }
  get provenance(): Provenance {
    if (this.#provenance === undefined) this.#provenance = { file: this.#file, line: this.#source.line, raw: this.#source.text };
    return this.#provenance;
  }
  set provenance(value: Provenance) {
    this.#provenance = value;
  }
  get text(): string {
    if (this.#text === undefined) {
      const spec = saveRuleSpec(this);
      this.#text = spec ? `-A ${this.#chain} ${spec}` : `-A ${this.#chain}`;
    }
    return this.#text;
  }
  set text(value: string) {
    this.#text = value;
  }
  toJSON(): Rule {
    return { header: this.header, matches: this.matches, target: this.target, text: this.text, provenance: this.provenance };
  }
}

/** Canonical text in iptables-save order: header, matches in order, target. */
export function saveRuleSpec(r: Pick<Rule, 'header' | 'matches' | 'target'>): string {
  const parts: string[] = [];
  const neg = (n: { invert: boolean }) => (n.invert ? '! ' : '');
  const h = r.header;
  if (h.src) parts.push(`${neg(h.src)}-s ${formatCidr(h.src.value)}`);
  if (h.dst) parts.push(`${neg(h.dst)}-d ${formatCidr(h.dst.value)}`);
  if (h.inIface) parts.push(`${neg(h.inIface)}-i ${h.inIface.value}`);
  if (h.outIface) parts.push(`${neg(h.outIface)}-o ${h.outIface.value}`);
  if (h.proto && !(h.proto.value === 'all' && !h.proto.invert)) parts.push(`${neg(h.proto)}-p ${h.proto.value}`);
  if (h.fragment) parts.push(`${neg(h.fragment)}-f`);
  for (const m of r.matches) {
    if ('unknown' in m) {
      parts.push(['-m', m.unknown.name, ...verbatim(m.unknown.tokens)].join(' '));
    } else {
      const text = m.module.save(m.options);
      parts.push(text ? `-m ${m.module.name} ${text}` : `-m ${m.module.name}`);
    }
  }
  const t = r.target;
  switch (t.kind) {
    case 'jump':
      parts.push(`-j ${t.chain}`);
      break;
    case 'goto':
      parts.push(`-g ${t.chain}`);
      break;
    case 'module': {
      const text = t.module.save(t.options);
      parts.push(text ? `-j ${t.module.name} ${text}` : `-j ${t.module.name}`);
      break;
    }
    case 'unknown':
      parts.push(['-j', t.name, ...verbatim(t.tokens)].join(' '));
      break;
    case 'none':
      break;
  }
  return parts.join(' ');
}
