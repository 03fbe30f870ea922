/**
 * The semantic model of a loaded rule set. Every rule keeps its provenance
 * (file, line, raw text) and its canonical iptables-save text.
 */
import type { Cidr } from '../net/address.js';
import type { Family, TableName } from '../types.js';
import type { MatchModule } from '../matches/define.js';
import type { TargetModule } from '../targets/define.js';

export interface Provenance {
  file: string;
  /** 1-based line in the input file. */
  line: number;
  /** The rule exactly as the input wrote it. */
  raw: string;
}

export interface Negatable<T> {
  value: T;
  invert: boolean;
}

/** The fixed IP-header part of a rule: -s -d -i -o -p -f. */
export interface HeaderMatch {
  src?: Negatable<Cidr>;
  dst?: Negatable<Cidr>;
  inIface?: Negatable<string>;
  outIface?: Negatable<string>;
  /** Lower-case protocol name or number text as given ('tcp', 'udp', 'icmp', '47'). */
  proto?: Negatable<string>;
  fragment?: Negatable<true>;
}

export interface MatchInstance {
  module: MatchModule<any>;
  options: unknown;
  /** True when loaded implicitly by `-p tcp --dport`, saved as an explicit `-m tcp`. */
  implicit: boolean;
}

/** A module the engine does not model: kept verbatim, evaluates to unknown. */
export interface UnknownMatch {
  name: string;
  tokens: string[];
}

export type RuleTarget =
  | { kind: 'none' }
  | { kind: 'jump'; chain: string }
  | { kind: 'goto'; chain: string }
  | { kind: 'module'; module: TargetModule<any>; options: unknown }
  | { kind: 'unknown'; name: string; tokens: string[] };

export interface Rule {
  header: HeaderMatch;
  /** Known and unknown matches in the order the rule lists them. */
  matches: Array<MatchInstance | { unknown: UnknownMatch }>;
  target: RuleTarget;
  /** Canonical iptables-save text without the `-A CHAIN` prefix. */
  text: string;
  provenance: Provenance;
  /**
   * Whether the rule makes the kernel track connections, when the rule knows it without
   * being parsed (a lazy rule's outline); absent: ask its matches and target.
   */
  readonly tracksConnections?: boolean;
  /**
   * A rule parsed when first read (a large dump's, sources/iptables/fast/) carries its
   * outline: the facts a load and an index need, known without parsing it. Read them
   * through rule-facts.ts, which answers for every rule alike.
   */
  readonly outline?: RuleOutlineFacts;
}

/** What a lazily parsed rule tells without parsing (see Rule.outline). */
export interface RuleOutlineFacts {
  /** The name after -j or -g, or null. */
  readonly jumpName: string | null;
  readonly goto: boolean;
  /** -j names a modelled target extension, not a chain. */
  readonly targetModule: boolean;
  /** The loader found -j naming an extension the engine does not model. */
  readonly unmodelled: boolean;
  /** The -d value as written when it is plain (once, no "!", no list), else null. */
  readonly plainDst: string | null;
  /** The 1-based source line. */
  readonly line: number;
}

export interface Chain {
  name: string;
  builtin: boolean;
  /** ACCEPT or DROP for built-in chains; null for user chains. */
  policy: 'ACCEPT' | 'DROP' | null;
  rules: Rule[];
  /** Where the chain was declared or first created. */
  provenance: Provenance | null;
}

export interface Table {
  name: TableName;
  chains: Map<string, Chain>;
}

export interface FamilyRules {
  family: Family;
  tables: Map<TableName, Table>;
}

export type RulesetFormat = 'iptables-save' | 'iptables-S' | 'iptables-restore' | 'istio-init-log' | 'commands' | 'generated';

export interface RulesetSource {
  /** File path, `<stdin>`, `profile:NAME`, or `istio:VERSION`. */
  name: string;
  format: RulesetFormat;
  /** For generated rule sets: what they were generated from (version, installer, options). */
  origin?: Record<string, unknown>;
}

/** A setting a log's banner printed (PROXY_UID=1337, …) with its source line. */
export interface SourceSetting { key: string; value: string; line: number }

export interface Ruleset {
  source: RulesetSource;
  families: Partial<Record<Family, FamilyRules>>;
  /** Non-fatal remarks from loading (e.g. "the log held both restore input and a final save; used the save"). */
  notes: string[];
  /** Every banner setting of a log (see banner-settings.ts), keys as printed, in line order; absent when none. */
  settings?: readonly SourceSetting[];
}

export function isUnknownMatch(m: Rule['matches'][number]): m is { unknown: UnknownMatch } {
  return (m as { unknown?: UnknownMatch }).unknown !== undefined;
}
