/**
 * The Trace: the one object every renderer and the JSON/YAML output share.
 * Field order here is the output order; CI scripts diff it, so changes that
 * break consumers bump SCHEMA_VERSION.
 */
import type { Ruleset } from './ruleset/model.js';
import type { Family, HookName, TableName } from './types.js';

export const SCHEMA_VERSION = 1;

export type Verdict = 'accept' | 'drop' | 'reject' | 'jump' | 'goto' | 'return' | 'continue' | 'unknown';

export interface Step {
  hook: HookName;
  table: TableName;
  chain: string;
  /** 1-based position in the chain, or null for a policy or an implicit return. */
  rule: number | null;
  /** rule: a rule matched; policy: a built-in chain's policy applied; return: fell off a user chain's end. */
  kind: 'rule' | 'policy' | 'return';
  /** Target name (ACCEPT, REDIRECT, a chain name), or null. */
  target: string | null;
  verdict: Verdict;
  /** The rule's canonical iptables-save text (`-A CHAIN …`), or null. */
  text: string | null;
  /** What the target did, e.g. "dst 10.244.2.7:9080 -> 127.0.0.1:15001". */
  effect?: string;
  /** For REDIRECT/DNAT/SNAT/MASQUERADE: the rewritten address, machine-readable. */
  nat?: { manip: 'dst' | 'src'; from: string; to: string };
  /** For unknown verdicts: why the engine could not decide. */
  reason?: string;
  /** Source line of the rule in the input, when it came from a file. */
  line?: number;
}

/** A rule that was evaluated and did not match (only with --explain). */
export interface Miss {
  hook: HookName;
  table: TableName;
  chain: string;
  rule: number;
  text: string;
  reason: string;
}

export interface PacketView {
  proto: string;
  src: string;
  sport: number | null;
  dst: string;
  dport: number | null;
  in: string | null;
  out: string | null;
  uid: number | null;
  gid: number | null;
  /** The sending socket's mark (SO_MARK), e.g. 1337 on Envoy's TPROXY original_src connections. */
  mark: number;
}

/** budget: the trace stopped at its step or size budget (--max-steps, --max-trace-size), so it is incomplete. */
export type OutcomeType = 'delivered' | 'egress' | 'forwarded' | 'dropped' | 'rejected' | 'unknown' | 'hop-limit' | 'budget';

export interface Outcome {
  type: OutcomeType;
  /**
   * For delivered: who accepted the connection, e.g. "Envoy outbound (15001)". For dropped: the
   * listener the SYN reached when its SYN-ACK did not get back (with role and listenerPort).
   */
  listener?: string;
  /** For delivered: the listener's role as the pod model names it (envoy-outbound, envoy-inbound, app, …). */
  role?: string;
  /** For delivered: the port the listening socket is bound to (TPROXY keeps the packet's own port). */
  listenerPort?: number;
  /** Final destination after NAT. */
  address?: string;
  port?: number | null;
  /** Egress interface. For dropped: set only when the SYN left by it and the remote's SYN-ACK did not get back in. */
  iface?: string;
  detail?: string;
}

export interface Hop {
  index: number;
  /** Who opened this connection: "remote", "app", "Envoy outbound", … */
  actor: string;
  family: Family;
  /** The first packet as it left the sender, before any NAT. */
  packet: PacketView;
  steps: Step[];
  /**
   * The rule that decided this hop: the first matching rule in a user chain whose verdict is
   * not "continue" (e.g. ISTIO_OUTPUT rule 9, ISTIO_INBOUND rule 3), else the last deciding
   * rule or policy in a built-in chain; null when no step decided anything.
   */
  decidedBy: { table: string; chain: string; rule: number | null } | null;
  outcome: Outcome;
  /** Facts the kernel does not log as rule events, e.g. "nat PREROUTING skipped: looped-back packet". */
  notes: string[];
  misses?: Miss[];
}

export interface FlowView {
  title: string;
  proto: string;
  src: string;
  sport: number | null;
  dst: string;
  dport: number | null;
  uid: number | null;
  gid: number | null;
  via: string | null;
  inIface: string | null;
}

export interface RulesetView {
  source: string;
  format: string;
  families: Family[];
  /** For generated rule sets: the Istio version and options they came from. */
  origin?: Record<string, unknown>;
}

/** What a trace, a check report and a diff report say of their rule set, fields in output order. */
export function rulesetView(ruleset: Ruleset): RulesetView {
  // Built once per trace: pushes and one assignment, no filter or spread.
  const families: Family[] = [];
  if (ruleset.families.ipv4) families.push('ipv4');
  if (ruleset.families.ipv6) families.push('ipv6');
  const view: RulesetView = { source: ruleset.source.name, format: ruleset.source.format, families };
  if (ruleset.source.origin) view.origin = ruleset.source.origin;
  return view;
}

/** Where a value of the proxy's identity came from. */
export type ProxySource =
  | { kind: 'rule'; table: string; chain: string; rule: number; line: number }
  | { kind: 'banner'; key: string; line: number }
  | { kind: 'flag'; flag: string }
  | { kind: 'assumed'; why: string }
  | { kind: 'default' };

/** One setting of the proxy's identity (uid, gid, outbound, inbound, dns, …), its value and its source. */
export interface ProxySetting {
  setting: string;
  value: string;
  from: ProxySource;
}

/** Who the proxy is in this pod: what the trace assumed, and from which rule, banner line or flag. */
export interface ProxyView {
  mode: string;
  /** Every uid/gid the rules exempt as the proxy; Envoy's own connections use the first (TPROXY: uid 0). */
  uid: number[];
  gid: number[];
  settings: ProxySetting[];
}

/** One alternative when `-m statistic` rules make the path random (kube-proxy endpoint picks). */
export interface Branch {
  index: number;
  /** Probability of this whole alternative (product over its decisions). */
  probability: number;
  /** Each statistic rule met, in order, and whether this alternative takes it. */
  decisions: Array<{ hook: string; table: string; chain: string; rule: number; probability: number; matched: boolean }>;
  path: string;
  outcome: Outcome;
  hops: Hop[];
}

/** For built-in scenarios: what the blog claimed, next to what the kernel does. */
export interface ScenarioView {
  name: string;
  type: number;
  blogPath: string;
  blogAgrees: boolean;
  verdict: string;
}

export interface Trace {
  schemaVersion: number;
  ruleset: RulesetView;
  flow: FlowView;
  proxy?: ProxyView;
  hops: Hop[];
  path: string;
  /** Loader and pod-model inferences the user should know about (e.g. "TPROXY mode inferred"). */
  notes: string[];
  warnings: string[];
  /** Present when statistic rules make the path random: every alternative with its probability. */
  branches?: Branch[];
  scenario?: ScenarioView;
}
