/**
 * A rule of a large dump, parsed when something first reads it. The loader keeps
 * where the rule is written and its outline (target, conntrack use, where its
 * destination is), which is all a load needs; a trace parses only the rules a flow
 * reaches. The parse is the same parser the loader uses, so a lazy rule reads
 * exactly as an eager one, syntax errors included (named with the file and line,
 * when the rule is first reached).
 */
import { InputError, RuleSyntaxError } from '../../../core/errors.js';
import { findTarget } from '../../../core/targets/registry.js';
import { ruleTracksConnections } from '../../../core/module-facts.js';
import type { HeaderMatch, Provenance, Rule, RuleOutlineFacts, RuleTarget } from '../../../core/ruleset/model.js';
import { MatchLimit, Tracking, type RuleOutline } from './rule-outline.js';
import { parseRuleSpecInto, type RuleSpecCtx } from '../rule-spec.js';
import { tokenize } from '../tokenize.js';

export const isTargetModule = (name: string): boolean => findTarget(name) !== undefined;

/** What the rules of one chain share: the input text, its name, the chain and the parser's context. */
export interface LazyHome {
  text: string;
  file: string;
  chain: string;
  ctx: RuleSpecCtx;
}

// A dump has tens of thousands of lazy rules: the small facts share one number.
const GOTO = 1;
const TARGET_MODULE = 2;
const UNMODELLED = 4;
const TRACKING_SHIFT = 3; // two bits: a Tracking
const MATCH_LIMIT_SHIFT = 5; // two bits: a MatchLimit
const LIMITED_TARGET = 128;

export class LazyRule implements Rule, RuleOutlineFacts {
  /** The name after -j or -g, or null. */
  readonly jumpName: string | null;
  #bits: number;
  #home: LazyHome;
  /** The rule's line starts at home.text[from] (counters removed) and runs to the line's end; `raw` is the line as written when it differs. */
  #from: number;
  #raw: string | null;
  #dst: string | null;
  #lineNo: number;
  #parsed: Rule | null = null;

  constructor(outline: RuleOutline, home: LazyHome, from: number, raw: string | null, lineNo: number) {
    this.jumpName = outline.target;
    this.#bits = (outline.goto ? GOTO : 0) | (outline.targetModule ? TARGET_MODULE : 0) | (outline.tracking << TRACKING_SHIFT) | (outline.matchLimit << MATCH_LIMIT_SHIFT) | (outline.limitedTarget ? LIMITED_TARGET : 0);
    this.#dst = outline.dst;
    this.#home = home;
    this.#from = from;
    this.#raw = raw;
    this.#lineNo = lineNo;
  }

  /** The facts above, read through core/ruleset/rule-facts.ts. */
  get outline(): RuleOutlineFacts {
    return this;
  }

  get goto(): boolean {
    return (this.#bits & GOTO) !== 0;
  }

  /** -j names a modelled target extension, not a chain. */
  get targetModule(): boolean {
    return (this.#bits & TARGET_MODULE) !== 0;
  }

  get tracking(): Tracking {
    return ((this.#bits >> TRACKING_SHIFT) & 3) as Tracking;
  }

  /** From the outline; only a target whose options decide (CT --notrack) is parsed to answer. */
  get tracksConnections(): boolean {
    const t = this.tracking;
    return t === Tracking.ByTargetOptions ? ruleTracksConnections(this) : t === Tracking.Yes;
  }

  /** Whether a `-m` names a match limited to some tables or hooks (owner, socket …): the load checks its parsed form. */
  get matchLimit(): MatchLimit {
    return ((this.#bits >> MATCH_LIMIT_SHIFT) & 3) as MatchLimit;
  }

  /** The load's hook check must look at it: a limited match, or a -j whose name is a limited extension. */
  get mayBeLimited(): boolean {
    return (this.#bits & ((3 << MATCH_LIMIT_SHIFT) | LIMITED_TARGET)) !== 0;
  }

  /** The source line, without parsing. */
  get line(): number {
    return this.#lineNo;
  }

  /** The -d value as written when it is plain (once, no "!", no list), else null; without parsing. */
  get plainDst(): string | null {
    return this.#dst;
  }

  /** Set by the loader: `-j NAME` names an extension the engine does not model. */
  get unmodelled(): boolean {
    return (this.#bits & UNMODELLED) !== 0;
  }

  /** Whether the rule has been parsed (tests look). */
  get parsed(): boolean {
    return this.#parsed !== null;
  }

  /** The loader's verdict on a jump to a name that is neither a chain nor a modelled target. */
  markUnmodelled(): void {
    this.#bits |= UNMODELLED;
    if (this.#parsed) this.#parsed.target = this.#unmodelledTarget();
  }

  #unmodelledTarget(): RuleTarget {
    return { kind: 'unknown', name: this.jumpName!, tokens: [] };
  }

  /**
   * Could the rule's text name this interface option (`-i`/`-o` or the long form)? A cheap
   * look without parsing; a yes is confirmed from the parsed header.
   */
  mayName(short: string, long: string): boolean {
    const home = this.#home;
    const end = home.text.indexOf('\n', this.#from);
    const text = home.text.slice(this.#from, end < 0 ? home.text.length : end);
    return text.includes(` ${short} `) || text.includes(` ${long} `) || text.endsWith(` ${short}`);
  }

  #force(): Rule {
    if (this.#parsed !== null) return this.#parsed;
    const home = this.#home;
    const end = home.text.indexOf('\n', this.#from);
    const text = home.text.slice(this.#from, end < 0 ? home.text.length : end);
    const line = { text: this.#raw ?? text, line: this.#lineNo };
    const out: Rule[] = [];
    try {
      parseRuleSpecInto(tokenize(text), 2, home.ctx, home.chain, { file: home.file, line }, out);
    } catch (e) {
      if (e instanceof RuleSyntaxError) throw new InputError(`${e.message} in rule "${text}"`, home.file, this.#lineNo);
      throw e;
    }
    // The outline admits only rules that parse to exactly one rule with the same target.
    const rule = out[0];
    if (out.length !== 1 || !rule || !this.#sameTarget(rule.target)) {
      throw new Error(`internal: rule at line ${this.#lineNo} parsed unlike its outline`);
    }
    if (this.unmodelled) rule.target = this.#unmodelledTarget();
    this.#parsed = rule;
    return rule;
  }

  #sameTarget(t: RuleTarget): boolean {
    switch (t.kind) {
      case 'none':
        return this.jumpName === null;
      case 'jump':
        return !this.goto && !this.targetModule && t.chain === this.jumpName;
      case 'goto':
        return this.goto && t.chain === this.jumpName;
      case 'module':
        return this.targetModule && this.jumpName !== null && findTarget(this.jumpName) === t.module;
      case 'unknown':
        return false; // never outlined: an unmodelled target with options is parsed at load
    }
  }

  get header(): HeaderMatch {
    return this.#force().header;
  }
  get matches(): Rule['matches'] {
    return this.#force().matches;
  }
  get target(): RuleTarget {
    return this.#force().target;
  }
  set target(value: RuleTarget) {
    this.#force().target = value;
  }
  get text(): string {
    return this.#force().text;
  }
  get provenance(): Provenance {
    return this.#force().provenance;
  }
  toJSON(): unknown {
    const r = this.#force() as Rule & { toJSON?: () => unknown };
    return r.toJSON ? r.toJSON() : r;
  }
}
