/**
 * Trace a flow through a pod: run hop after hop through the engine, letting
 * Envoy re-originate connections, until the flow is delivered to a final
 * listener, leaves the pod, is dropped, or hits the hop cap.
 */
import type { Host } from '../core/netfilter/host-model.js';
import { lookupRoute } from '../core/netfilter/routing.js';
import type { Packet } from '../core/netfilter/packet.js';
import { traceBudget, type TraceBudget } from '../core/netfilter/budget.js';
import { traverse } from '../core/netfilter/traverse.js';
import { baseChainTest } from '../core/netfilter/hook-plan.js';
import type { Recorder, UnknownPolicy, WalkOptions } from '../core/netfilter/walk.js';
import { UsageError } from '../core/errors.js';
import type { Ruleset } from '../core/ruleset/model.js';
import { rulesetView, SCHEMA_VERSION, type Hop, type ProxyView, type Step, type Trace } from '../core/trace.js';
import type { Family } from '../core/types.js';
import type { PodConfig } from './config.js';
import { envoyNext } from './envoy.js';
import { EPHEMERAL_PORT_BASE, formatEndpoint, isPodLocal, type Endpoint, type Flow } from './flow.js';
import { buildPath, type HopPathInfo } from './path.js';

export interface TraceOptions {
  unknown: UnknownPolicy;
  explain: boolean;
  maxHops: number;
  /** At `-m statistic` rules: list every branch ('all', default), take the first, or follow alternative N. */
  pick?: 'all' | 'first' | number;
  /** The trace's step budget (rules evaluated, all hops and alternatives together); default DEFAULT_MAX_STEPS. */
  maxSteps?: number;
  /** The trace's size budget in bytes of recorded text; default DEFAULT_MAX_TRACE_BYTES. */
  maxTraceBytes?: number;
}

/** Enumeration stops here; the trace says so. */
export const MAX_BRANCHES = 64;

export const DEFAULT_MAX_HOPS = 8;

const TERMINAL = new Set(['accept', 'drop', 'reject', 'return', 'unknown']);

/** A verdict that decides the hop wherever it happens. */
function isFatal(verdict: Step['verdict']): boolean {
  return verdict === 'drop' || verdict === 'reject' || verdict === 'unknown';
}

/** Is the step in a hook's base chain (where a table walk starts), rather than in a chain reached by a jump? */
export type IsBaseStep = (s: Step) => boolean;

/** The first user-chain rule on the call path to `s` (the jump that led there), else `s` itself. */
function outermost(callPath: Step[], s: Step, isBase: IsBaseStep): Step {
  for (const x of callPath) if (!isBase(x)) return x;
  return s;
}

/**
 * See Hop.decidedBy. A drop, reject or unknown decides the hop wherever it is;
 * otherwise the first terminal verdict inside a user chain does. Either way the
 * outermost user-chain rule on the call path to it is named (ISTIO_OUTPUT rule 9,
 * not the REDIRECT inside ISTIO_REDIRECT). Failing both, the last built-in rule or policy.
 */
export function decidingRule(steps: Step[], isBase: IsBaseStep): Hop['decidedBy'] {
  const at = (s: Step): Hop['decidedBy'] => ({ table: s.table, chain: s.chain, rule: s.rule });
  // One pass: the call path at a step does not depend on what is sought, so the first
  // terminal step is noted on the way while the first fatal one, which wins, is looked for.
  let callPath: Step[] = [];
  let hook: Step['hook'] | null = null;
  let table: Step['table'] | null = null;
  let decisive: Step | null = null;
  for (const s of steps) {
    if (s.hook !== hook || s.table !== table) {
      // Each table walk starts with an empty call stack.
      if (callPath.length) callPath = [];
      hook = s.hook;
      table = s.table;
    }
    if (s.kind === 'return') {
      callPath.pop();
      continue;
    }
    if (s.kind !== 'rule') continue;
    if (isFatal(s.verdict)) return at(outermost(callPath, s, isBase));
    if (decisive === null && TERMINAL.has(s.verdict) && !isBase(s)) decisive = outermost(callPath, s, isBase);
    if (s.verdict === 'jump' || s.verdict === 'goto') callPath.push(s);
    else if (s.verdict === 'return') callPath.pop();
  }
  if (decisive) return at(decisive);
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if ((s.kind === 'rule' && s.verdict !== 'continue') || s.kind === 'policy') return at(s);
  }
  return null;
}

interface HopStart {
  actor: string;
  origin: 'local' | 'remote';
  src: Endpoint | null;
  dst: Endpoint;
  uid: number | null;
  gid: number | null;
  groups: number[];
  mark: number;
  inIface: string | null;
  note: string | null;
}

function makePacket(start: HopStart, proto: string, family: Family, host: Host, hopIndex: number): Packet {
  let src = start.src?.addr ?? null;
  if (!src) src = lookupRoute(host.routing, start.dst.addr, start.mark).prefSrc ?? start.dst.addr;
  const sport = start.src?.port ?? EPHEMERAL_PORT_BASE + hopIndex - 1;
  const dport = start.dst.port;
  return {
    family,
    proto,
    src,
    dst: start.dst.addr,
    sport,
    dport,
    icmpType: null,
    icmpCode: null,
    inIface: start.origin === 'remote' ? start.inIface ?? 'eth0' : null,
    outIface: null,
    owner: start.origin === 'local' && start.uid !== null ? { uid: start.uid, gid: start.gid ?? start.uid, groups: start.groups } : null,
    mark: start.mark,
    tcpFlags: proto === 'tcp' ? ['SYN'] : [],
    fragment: false,
    conn: {
      original: { src, dst: start.dst.addr, sport, dport },
      attached: false,
      dnatDone: false,
      snatDone: false,
      dnatApplied: false,
      snatApplied: false,
      mark: 0,
      zone: 0,
      zoneSet: false,
      untracked: false,
      direction: 'ORIGINAL',
      state: 'NEW',
    },
  };
}

/** Every uid/gid the rules exempt is the proxy, not only the one Envoy's connections use. */
function isProxy(flow: Flow, pod: PodConfig): boolean {
  return flow.uid === pod.proxyUid || flow.gid === pod.proxyGid || pod.proxyUids.includes(flow.uid) || pod.proxyGids.includes(flow.gid);
}

/** Where a hop starts, as a key: the same key twice means the connections go round a loop. */
function startKey(s: HopStart): string {
  const ep = (e: Endpoint | null) => (e ? formatEndpoint(e.addr, e.port) : '-');
  return `${s.actor}|${ep(s.src)}|${ep(s.dst)}|${s.uid}|${s.gid}|${s.mark}`;
}

function actorFor(flow: Flow, pod: PodConfig, origin: 'local' | 'remote'): string {
  if (flow.actor) return flow.actor;
  if (origin === 'remote') return `remote ${flow.src?.addr.text ?? ''}`.trim();
  if (isProxy(flow, pod)) return `sidecar (uid ${flow.uid})`;
  return `app (uid ${flow.uid})`;
}

function startLabel(flow: Flow, pod: PodConfig, origin: 'local' | 'remote'): string {
  if (flow.actor) return flow.actor;
  if (origin === 'remote') return 'Remote Pod';
  if (isProxy(flow, pod)) return `Sidecar (uid ${flow.uid})`;
  return 'Local Pod';
}

function traceOnce(
  ruleset: Ruleset,
  pod: PodConfig,
  host: Host,
  flow: Flow,
  opts: TraceOptions,
  notes: string[],
  decide: WalkOptions['decide'],
  budget: TraceBudget,
): { trace: Trace; chances: Recorder['chances'] } {
  const chances: Recorder['chances'] = [];
  const origin: 'local' | 'remote' = !flow.src || isPodLocal(flow.src.addr, pod) ? 'local' : 'remote';
  const warnings: string[] = [];
  const family = flow.family;
  const rules = ruleset.families[family];
  if (!rules) {
    warnings.push(
      `the rule set has no ${family === 'ipv6' ? 'ip6tables (IPv6)' : 'iptables (IPv4)'} rules, so ${family === 'ipv6' ? 'IPv6' : 'IPv4'} traffic meets empty tables and is not captured`,
    );
  }
  const hops: Hop[] = [];
  const infos: HopPathInfo[] = [];
  let start: HopStart | null = {
    actor: actorFor(flow, pod, origin),
    origin,
    src: flow.src,
    dst: flow.dst,
    uid: origin === 'local' ? flow.uid : null,
    gid: origin === 'local' ? flow.gid : null,
    groups: flow.groups,
    mark: 0,
    inIface: flow.inIface,
    note: null,
  };
  let viaUsed = false;
  const starts = new Set<string>();
  const walkOpts: WalkOptions = { unknown: opts.unknown, explain: opts.explain, budget };
  const isBase: IsBaseStep = baseChainTest(rules);
  if (decide) walkOpts.decide = decide;
  const firstLabel = startLabel(flow, pod, origin);
  for (let index = 1; start; index++) {
    if (index > opts.maxHops) {
      // A loop only when a connection opens again as one already seen; else the chain was just long.
      const loops = starts.has(startKey(start));
      warnings.push(
        loops
          ? `hop limit reached: stopped after ${opts.maxHops} hops (--max-hops); the rule set sends this connection around a loop`
          : `hop limit reached: stopped after ${opts.maxHops} hops (--max-hops) before the connection ended; raise --max-hops to follow it further`,
      );
      const last = hops[hops.length - 1]!;
      last.outcome = { ...last.outcome, type: 'hop-limit', detail: `would open hop ${index}, beyond --max-hops ${opts.maxHops}` };
      break;
    }
    starts.add(startKey(start));
    const pkt = makePacket(start, flow.proto, family, host, index);
    const packetView = {
      proto: pkt.proto,
      src: pkt.src.text,
      sport: pkt.sport,
      dst: pkt.dst.text,
      dport: pkt.dport,
      in: pkt.inIface,
      out: null as string | null,
      uid: pkt.owner?.uid ?? null,
      gid: pkt.owner?.gid ?? null,
      mark: pkt.mark,
    };
    const res = traverse(rules, host, pkt, start.origin, walkOpts);
    if (res.chances.length) chances.push(...res.chances);
    packetView.out = res.entryOut;
    if (res.warnings.length) warnings.push(...res.warnings);
    const notes = start.note ? [start.note, ...res.notes] : res.notes;
    const hop: Hop = { index, actor: start.actor, family, packet: packetView, steps: res.steps, decidedBy: decidingRule(res.steps, isBase), outcome: res.outcome, notes };
    if (opts.explain) hop.misses = res.misses;
    hops.push(hop);
    infos.push({
      hop,
      origin: start.origin,
      role: res.socket?.role ?? null,
      listenerPort: res.socket?.port ?? null,
      captured: res.final.conn.dnatApplied || (res.socket?.transparent ?? false),
      startLabel: firstLabel,
    });
    if (res.outcome.type === 'delivered' && res.socket?.role === 'agent-dns') {
      hop.notes.push(
        "pilot-agent's DNS proxy answers from its own table, or forwards the query upstream as uid " +
          `${pod.proxyUid}; trace that leg with --uid ${pod.proxyUid} --dst <nameserver>:53 --proto ${flow.proto}`,
      );
    }
    if (res.outcome.type === 'budget') {
      // A truncated trace must not look complete: the outcome says budget, and so does a warning.
      warnings.push(`trace incomplete: hop ${index} ${res.outcome.detail}`);
      break;
    }
    const next = envoyNext(res, pod, flow, viaUsed);
    if (next && 'stop' in next) {
      hop.notes.push(next.stop);
      start = null;
    } else if (next) {
      if (next.actor === 'Envoy outbound' && flow.via) viaUsed = true;
      start = {
        actor: next.actor,
        origin: 'local',
        src: next.src,
        dst: next.dst,
        uid: next.uid,
        gid: next.gid,
        groups: [],
        mark: next.mark,
        inIface: null,
        note: next.why,
      };
    } else {
      start = null;
    }
  }
  const fmt = (e: Endpoint | null) => (e ? formatEndpoint(e.addr, e.port) : null);
  const trace: Trace = {
    schemaVersion: SCHEMA_VERSION,
    ruleset: rulesetView(ruleset),
    flow: {
      title: flow.title,
      proto: flow.proto,
      src: flow.src ? flow.src.addr.text : hops[0]?.packet.src ?? null!,
      sport: hops[0]?.packet.sport ?? null,
      dst: flow.dst.addr.text,
      dport: flow.dst.port,
      uid: origin === 'local' ? flow.uid : null,
      gid: origin === 'local' ? flow.gid : null,
      via: fmt(flow.via),
      inIface: origin === 'remote' ? flow.inIface ?? 'eth0' : null,
    },
    proxy: proxyView(pod),
    hops,
    path: buildPath(ruleset, infos),
    notes: ruleset.notes.concat(notes),
    warnings: withoutRepeats(warnings),
  };
  return { trace, chances };
}

function proxyView(pod: PodConfig): ProxyView {
  return { mode: pod.mode, uid: pod.proxyUids.slice(), gid: pod.proxyGids.slice(), settings: pod.provenance.map((p) => ({ ...p, from: { ...p.from } })) };
}

/** The list without its later repeats, in order (as [...new Set(list)], without the set for the usual empty list). */
function withoutRepeats(list: string[]): string[] {
  return list.length < 2 ? list.slice() : [...new Set(list)];
}

/**
 * Trace a flow. `-m statistic` rules make kube-proxy's endpoint pick random: the
 * trace does not pretend otherwise. By default every alternative is enumerated
 * (depth first, "match" before "no match") and listed with its probability;
 * the main hops are the first alternative. --pick first|N follows one.
 */
export function traceFlow(ruleset: Ruleset, pod: PodConfig, host: Host, flow: Flow, opts: TraceOptions, notes: string[] = []): Trace {
  const pick = opts.pick ?? 'all';
  // One budget for the whole trace: every hop and every alternative draws on it.
  const budget = traceBudget(opts.maxSteps, opts.maxTraceBytes);
  if (pick === 'first') {
    const { trace, chances } = traceOnce(ruleset, pod, host, flow, opts, notes, () => true, budget);
    if (chances.length) trace.warnings.push(`-m statistic picks at random: followed the first branch at each of ${chances.length} statistic rule(s) (--pick first)`);
    return trace;
  }
  const leaves: Array<{ trace: Trace; chances: Recorder['chances'] }> = [];
  let prefix: boolean[] = [];
  let truncated = false;
  let outOfBudget = false;
  for (;;) {
    let i = 0;
    const choices = prefix;
    const leaf = traceOnce(ruleset, pod, host, flow, opts, notes, () => (i < choices.length ? choices[i++]! : (i++, true)), budget);
    leaves.push(leaf);
    if (!leaf.chances.length) break;
    if (budget.exhausted !== null) {
      // This alternative stopped at the budget; those after it are not enumerated.
      outOfBudget = true;
      break;
    }
    // Backtrack: flip the last "match" to "no match" and explore from there.
    const taken = leaf.chances.map((c) => c.matched);
    const j = taken.lastIndexOf(true);
    if (j < 0) break;
    if (leaves.length >= MAX_BRANCHES) {
      truncated = true;
      break;
    }
    prefix = [...taken.slice(0, j), false];
  }
  if (typeof pick === 'number') {
    const chosen = leaves[pick - 1];
    if (!chosen && outOfBudget) throw new UsageError(`--pick ${pick}: the trace's budget ran out while enumerating alternative ${leaves.length} (${budget.exhausted}); raise --max-steps or --max-trace-size, or use --pick first`);
    if (!chosen) throw new UsageError(`--pick ${pick}: this flow has ${leaves.length} alternative${leaves.length === 1 ? '' : 's'}`);
    if (leaves.length > 1) chosen.trace.warnings.push(`-m statistic picks at random: followed alternative ${pick} of ${leaves.length} (--pick ${pick})`);
    return chosen.trace;
  }
  const main = leaves[0]!.trace;
  if (leaves.length === 1) return main;
  main.branches = leaves.map((l, k) => ({
    index: k + 1,
    probability: l.chances.reduce((acc, c) => acc * (c.matched ? c.probability : 1 - c.probability), 1),
    decisions: l.chances.map((c) => ({ hook: c.hook, table: c.table, chain: c.chain, rule: c.rule, probability: c.probability, matched: c.matched })),
    path: l.trace.path,
    outcome: l.trace.hops[l.trace.hops.length - 1]!.outcome,
    hops: l.trace.hops,
  }));
  main.warnings.push(
    `-m statistic picks at random: ${leaves.length} alternatives${truncated ? ` (stopped at ${MAX_BRANCHES})` : ''}${outOfBudget ? ' (stopped at the budget: the last is incomplete, later ones are not listed)' : ''}, each listed with its probability in "branches"; the hops shown are alternative 1; --pick first|N follows one`,
  );
  return main;
}
