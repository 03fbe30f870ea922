/**
 * From trace events to hops.
 *
 * Events come in "segments": one traversal of the trace table's first chain (prerouting or
 * output, priority -400) and everything that follows under the same trace id. A hop is one
 * new connection: the first segment of each 5-tuple, plus, when that packet left over `lo`,
 * the segment of the same packet coming back in (same source address and port, or same IPv4
 * id / IPv6 flow label if the source was rewritten). A later segment with an already seen
 * 5-tuple (a retransmitted SYN, a second datagram) is not a new connection; it is counted but
 * not reported.
 */
import { targetRewritesAddresses } from '../core/module-facts.js';
import type { Step, Verdict } from '../core/trace.js';
import type { Family, HookName } from '../core/types.js';
import { familyOfNf, isIptablesTable, type RuleIndex } from './mapping.js';
import { TRACE_TABLE, TRACE_CHAINS, probeNumber, type TraceEvent, type TracePacket } from './nftrace.js';
import { canonical, type KernelConnection, type KernelHop, type NsRole } from './plan.js';
import type { Endpoint, Proto } from './standin-protocol.js';

export interface Accepted {
  listener: number;
  ns: NsRole;
  proto: Proto;
  local: Endpoint;
  remote: Endpoint;
}

interface Segment {
  id: string;
  startHook: HookName;
  first: TracePacket;
  lastOif: string | null;
  events: TraceEvent[];
}

export interface BuiltHops {
  hops: KernelHop[];
  /** Steps of segments that were not reported (repeats of a 5-tuple), for counter checks. */
  repeatSteps: Array<{ family: Family; step: Step }>;
  warnings: string[];
}

function parseVerdict(v: string): { verdict: Verdict; chain: string | null } {
  const jump = /^(jump|goto) (\S+)$/.exec(v);
  if (jump) return { verdict: jump[1] as 'jump' | 'goto', chain: jump[2]! };
  switch (v) {
    case 'accept':
    case 'drop':
    case 'return':
    case 'continue':
      return { verdict: v, chain: null };
    default:
      return { verdict: 'unknown', chain: null };
  }
}

function hostPort(address: string, port: number | null): string {
  const a = address.includes(':') ? `[${address}]` : address;
  return port === null ? a : `${a}:${port}`;
}

export function sameAddress(a: string, b: string): boolean {
  try {
    return canonical(a) === canonical(b);
  } catch {
    return a === b;
  }
}

/** Cut the event stream into segments; probe segments are dropped. */
function segmentsOf(events: TraceEvent[], warnings: string[]): Segment[] {
  const active = new Map<string, Segment | 'probe'>();
  const out: Segment[] = [];
  const firstChains: Record<string, HookName> = { trace_prerouting: 'PREROUTING', trace_output: 'OUTPUT' };
  for (const ev of events) {
    if (ev.table === TRACE_TABLE && ev.type === 'packet' && ev.chain in firstChains) {
      if (probeNumber(ev) !== null) {
        active.set(ev.id, 'probe');
        continue;
      }
      const seg: Segment = { id: ev.id, startHook: firstChains[ev.chain]!, first: ev.packet, lastOif: ev.packet.oif, events: [ev] };
      active.set(ev.id, seg);
      out.push(seg);
      continue;
    }
    const seg = active.get(ev.id);
    if (seg === 'probe') continue;
    if (!seg) {
      warnings.push(`trace event without a start: ${ev.line}`);
      continue;
    }
    if (ev.type === 'packet' && ev.packet.oif) seg.lastOif = ev.packet.oif;
    seg.events.push(ev);
  }
  return out;
}

/** The iptables steps of one segment. */
function stepsOf(seg: Segment, index: RuleIndex, warnings: string[]): Step[] {
  const steps: Step[] = [];
  let hook: HookName = seg.startHook;
  let lastPacket: TracePacket = seg.first;
  let pendingNat: Step | null = null;
  for (const ev of seg.events) {
    const baseHook = index.hooks.get(`${ev.nfFamily} ${ev.table} ${ev.chain}`);
    if (baseHook) hook = baseHook;
    else if (ev.table === TRACE_TABLE && ev.chain in TRACE_CHAINS) hook = TRACE_CHAINS[ev.chain as keyof typeof TRACE_CHAINS];
    if (ev.type === 'packet') {
      if (pendingNat) {
        const before = lastPacket;
        const after = ev.packet;
        const changes: string[] = [];
        if (before.dst !== after.dst || before.dport !== after.dport) {
          changes.push(`dst ${hostPort(before.dst, before.dport)} -> ${hostPort(after.dst, after.dport)}`);
        }
        if (before.src !== after.src || before.sport !== after.sport) {
          changes.push(`src ${hostPort(before.src, before.sport)} -> ${hostPort(after.src, after.sport)}`);
        }
        if (changes.length) pendingNat.effect = changes.join(', ');
        pendingNat = null;
      }
      lastPacket = ev.packet;
      continue;
    }
    if (!isIptablesTable(ev.table) || !familyOfNf(ev.nfFamily)) continue;
    if (ev.type === 'policy') {
      const { verdict } = parseVerdict(ev.verdict);
      steps.push({ hook, table: ev.table, chain: ev.chain, rule: null, kind: 'policy', target: ev.verdict.toUpperCase(), verdict, text: null });
    } else if (ev.type === 'rule') {
      const { verdict, chain } = parseVerdict(ev.verdict);
      const ref = index.rules.get(`${ev.nfFamily} ${ev.table} ${ev.handle}`);
      const step: Step = {
        hook,
        table: ev.table,
        chain: ev.chain,
        rule: ref?.position ?? null,
        kind: 'rule',
        target: ref?.target ?? chain,
        verdict,
        text: ref?.text ?? null,
      };
      if (!ref) {
        step.reason = `nft rule handle ${ev.handle} is not in the iptables index`;
        warnings.push(`${ev.nfFamily} ${ev.table} ${ev.chain}: unknown rule handle ${ev.handle}`);
      }
      if (verdict === 'unknown') step.reason = `kernel verdict "${ev.verdict}"`;
      steps.push(step);
      if (verdict === 'accept' && step.target && targetRewritesAddresses(step.target)) pendingNat = step;
    } else {
      warnings.push(`unrecognised trace event: ${ev.line}`);
    }
  }
  return steps;
}

interface HopBuild {
  hop: KernelHop;
  awaitingLoop: boolean;
  first: TracePacket;
}

/** A packet that left over lo and whose looped-back segment is still to come. */
interface LoopWait {
  /** The hop it belongs to, or null for a repeat (a retransmitted SYN): its steps are not reported. */
  build: HopBuild | null;
  first: TracePacket;
}

export function buildHops(
  events: TraceEvent[],
  index: RuleIndex,
  accepted: Accepted[],
  connections: KernelConnection[],
): BuiltHops {
  const warnings: string[] = [];
  const repeatSteps: BuiltHops['repeatSteps'] = [];
  const builds: HopBuild[] = [];
  const loops: LoopWait[] = [];
  const seen = new Set<string>();
  for (const seg of segmentsOf(events, warnings)) {
    const p = seg.first;
    const steps = stepsOf(seg, index, warnings);
    if (seg.startHook === 'PREROUTING' && p.iif === 'lo') {
      const matches = (f: TracePacket): boolean =>
        f.proto === p.proto &&
        ((sameAddress(f.src, p.src) && f.sport === p.sport) ||
          (p.ipId !== null && p.ipId !== 0 && f.ipId === p.ipId) ||
          (p.flowLabel !== null && p.flowLabel !== 0 && f.flowLabel === p.flowLabel));
      let at = loops.length - 1;
      while (at >= 0 && !matches(loops[at]!.first)) at--;
      if (at >= 0) {
        const { build } = loops.splice(at, 1)[0]!;
        if (build) {
          build.awaitingLoop = false;
          build.hop.steps.push(...steps);
          build.hop.traceIds.push(seg.id);
        } else {
          // The looped-back half of a repeat (a retransmitted SYN): counted, not a new connection.
          repeatSteps.push(...steps.map((step) => ({ family: p.family, step })));
        }
        continue;
      }
    }
    const key = `${p.proto} ${p.src} ${p.sport} ${p.dst} ${p.dport}`;
    if (seen.has(key)) {
      repeatSteps.push(...steps.map((step) => ({ family: p.family, step })));
      if (seg.startHook === 'OUTPUT' && seg.lastOif === 'lo') loops.push({ build: null, first: p });
      continue;
    }
    seen.add(key);
    if ((p.proto !== 'tcp' && p.proto !== 'udp') || p.sport === null || p.dport === null) {
      warnings.push(`traced packet is neither TCP nor UDP: ${seg.events[0]?.line ?? seg.id}`);
      continue;
    }
    const hop: KernelHop = {
      index: builds.length + 1,
      family: p.family,
      packet: {
        proto: p.proto,
        src: p.src,
        sport: p.sport,
        dst: p.dst,
        dport: p.dport,
        in: seg.startHook === 'PREROUTING' ? p.iif : null,
        out: seg.startHook === 'OUTPUT' ? p.oif : null,
      },
      steps,
      traceIds: [seg.id],
    };
    const build: HopBuild = { hop, awaitingLoop: seg.startHook === 'OUTPUT' && seg.lastOif === 'lo', first: p };
    builds.push(build);
    if (build.awaitingLoop) loops.push({ build, first: p });
  }

  // Who opened and who accepted each connection: matched on the client's address and port.
  const used = new Set<Accepted>();
  for (const { hop } of builds) {
    const { proto, src, sport } = hop.packet;
    const acc = accepted.find(
      (a) => !used.has(a) && a.proto === proto && a.remote.port === sport && sameAddress(a.remote.address, src),
    );
    if (acc) {
      used.add(acc);
      hop.delivered = { ns: acc.ns, listener: acc.listener, address: acc.local.address, port: acc.local.port };
    }
    const conn = connections.find(
      (c) => c.ok && c.spec.proto === proto && c.local?.port === sport && sameAddress(c.local.address, src),
    );
    if (conn) hop.openedBy = conn.openedBy;
  }
  return { hops: builds.map((b) => b.hop), repeatSteps, warnings };
}
