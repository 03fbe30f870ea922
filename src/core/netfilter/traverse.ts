/**
 * Move the first packet of one connection through the hooks, as the kernel
 * does: locally generated (OUTPUT -> POSTROUTING [-> lo -> PREROUTING -> INPUT]),
 * arriving (PREROUTING -> INPUT or FORWARD -> POSTROUTING). Records every
 * table walk, applies NAT bindings, re-routes after OUTPUT changes, and skips
 * nat where conntrack already holds a binding (measured on Linux 6.18).
 */
import type { EvalCtx } from '../matches/define.js';
import type { FamilyRules } from '../ruleset/model.js';
import type { NatChange } from '../targets/define.js';
import type { Outcome } from '../trace.js';
import { isLoopback } from '../net/address.js';
import type { HookName, TableName } from '../types.js';
import { needsConntrack } from './conntrack-enabled.js';
import { familyPlan, type FamilyPlan, type HookPlan } from './hook-plan.js';
import { findSocket, hostView, type Host } from './host-model.js';
import type { HostView, LocalSocket, Packet } from './packet.js';
import { addressType, lookupRoute, type RouteResult } from './routing.js';
import { walkBuiltin, type Recorder, type WalkOptions } from './walk.js';

export interface HopEngineResult extends Recorder {
  notes: string[];
  outcome: Outcome;
  /** The packet as delivered or sent, after NAT. */
  final: Packet;
  /** The socket that accepted the connection, when delivered locally. */
  socket: LocalSocket | null;
  /** Interfaces as the first hook saw them (before any re-route). */
  entryIn: string | null;
  entryOut: string | null;
}

type HookEnd = { ended: true; outcome: Outcome } | { ended: false; socket: LocalSocket | null; markChanged: boolean; natChanged: boolean };

/** The usual end of a hook, shared (callers only read it): passed on, nothing changed. */
const PASSED_UNCHANGED: HookEnd = { ended: false, socket: null, markChanged: false, natChanged: false };

function fmtAddr(pkt: Packet, which: 'src' | 'dst'): string {
  const a = pkt[which];
  const port = which === 'src' ? pkt.sport : pkt.dport;
  const host = a.family === 'ipv6' ? `[${a.text}]` : a.text;
  return port === null ? a.text : `${host}:${port}`;
}

function loopbackNote(skippedNat: HookName[]): string {
  const note = 'looped back over lo in the same hop: PREROUTING and INPUT run again for raw, mangle, filter and security';
  if (!skippedNat.length) return note;
  // Concatenated, not joined: the note is flattened once, if it is read.
  let hooks: string = skippedNat[0]!;
  for (let i = 1; i < skippedNat.length; i++) hooks = hooks + ' and nat ' + skippedNat[i]!;
  return `${note}; nat ${hooks} skipped, because conntrack already holds this connection's NAT bindings (nat sees only a connection's first pass)`;
}

export function traverse(rules: FamilyRules | undefined, host: Host, pkt: Packet, origin: 'local' | 'remote', opts: WalkOptions): HopEngineResult {
  const run = new HopRun(rules, host, pkt, opts);
  if (origin === 'remote') {
    run.rec.outcome = run.receive(false);
    return run.rec;
  }
  run.sendLocal();
  return run.rec;
}

/** One hop's packet on its way through the hooks: what traverse() records, and what it must remember between hooks. */
class HopRun {
  readonly rec: HopEngineResult;
  readonly #view: HostView;
  readonly #plan: FamilyPlan;
  /** Hooks where nat did not run because conntrack already held the binding. */
  readonly #skippedNat: HookName[] = [];
  #conntrackOffNoted = false;

  constructor(
    readonly rules: FamilyRules | undefined,
    readonly host: Host,
    readonly pkt: Packet,
    readonly opts: WalkOptions,
  ) {
    this.rec = { steps: [], misses: [], warnings: [], chances: [], notes: [], outcome: { type: 'unknown' }, final: pkt, socket: null, entryIn: pkt.inIface, entryOut: null };
    this.#view = hostView(host);
    this.#plan = familyPlan(rules);
  }

  /** Locally generated: the route is chosen before OUTPUT, so -o is known there. */
  sendLocal(): void {
    const { pkt, rec } = this;
    let r = this.route();
    if (r.type === 'none' || r.type === 'unreachable' || r.type === 'prohibit' || r.type === 'blackhole' || !r.dev) {
      rec.outcome = { type: 'dropped', detail: `no route to ${pkt.dst.text}: connect() fails before any packet is sent` };
      return;
    }
    pkt.outIface = r.dev;
    rec.entryOut = r.dev;
    const out = this.runHook(this.#plan.OUTPUT);
    if (out.ended) {
      rec.outcome = out.outcome;
      return;
    }
    if (out.natChanged || out.markChanged) {
      // ip_route_me_harder: a changed destination or mark re-routes the packet.
      const before = pkt.outIface;
      r = this.route();
      if (!r.dev) {
        rec.outcome = { type: 'dropped', detail: `no route to ${pkt.dst.text} after OUTPUT` };
        return;
      }
      pkt.outIface = r.dev;
      if (before !== r.dev) rec.notes.push(`re-routed after OUTPUT: ${before} -> ${r.dev}`);
    }
    const post = this.runHook(this.#plan.POSTROUTING);
    if (post.ended) {
      rec.outcome = post.outcome;
      return;
    }
    if (r.type !== 'local') {
      rec.outcome = { type: 'egress', iface: pkt.outIface ?? undefined, address: pkt.dst.text, port: pkt.dport };
      return;
    }
    // Loopback: the packet comes back in over lo in the same hop. skb_orphan() drops the socket.
    pkt.inIface = 'lo';
    pkt.outIface = null;
    pkt.owner = null;
    rec.outcome = this.receive(true);
    rec.notes.push(loopbackNote(this.#skippedNat));
  }

  /** Received packet: PREROUTING, routing, then INPUT or FORWARD -> POSTROUTING. */
  receive(loopedBack: boolean): Outcome {
    const { pkt, rec } = this;
    const pre = this.runHook(this.#plan.PREROUTING);
    if (pre.ended) return pre.outcome;
    const r = this.route();
    if (pre.socket && r.type !== 'local') {
      rec.notes.push(`TPROXY assigned a socket, but the route for mark 0x${pkt.mark.toString(16)} is not local, so the packet would be forwarded`);
    }
    if (r.type === 'local') {
      const input = this.runHook(this.#plan.INPUT);
      if (input.ended) return input.outcome;
      return this.deliver(pre.socket, loopedBack);
    }
    if (loopedBack) return { type: 'dropped', detail: 'looped-back packet is not local after PREROUTING' };
    if (r.type !== 'unicast' || !r.dev) return { type: 'dropped', detail: `no route to ${pkt.dst.text} (${r.type})` };
    pkt.outIface = r.dev;
    const fwd = this.runHook(this.#plan.FORWARD);
    if (fwd.ended) return fwd.outcome;
    const post = this.runHook(this.#plan.POSTROUTING);
    if (post.ended) return post.outcome;
    return { type: 'forwarded', iface: r.dev, address: pkt.dst.text, port: pkt.dport };
  }

  route(): Readonly<RouteResult> {
    return lookupRoute(this.host.routing, this.pkt.dst, this.pkt.mark);
  }

  runHook({ hook, natManip, stages }: HookPlan): HookEnd {
    const { pkt, rec } = this;
    let socket: LocalSocket | null = null;
    let markChanged = false;
    let natChanged = false;
    for (const { name: tableName, table, builtin } of stages) {
      // conntrack (priority -200) attaches the entry right after raw (-300) at the first hook.
      if (tableName !== 'raw' && (hook === 'PREROUTING' || hook === 'OUTPUT') && !pkt.conn.untracked) pkt.conn.attached = true;
      if (!table || !builtin) continue;
      if (tableName === 'nat' && !needsConntrack(this.rules!)) {
        if (!this.#conntrackOffNoted) {
          rec.notes.push('nat chains are not consulted: no rule in this family needs conntrack (no NAT target, CT, CONNMARK, or conntrack/state/connmark match), so the kernel never tracks these packets and nat never runs (measured, nf_tables backend)');
          this.#conntrackOffNoted = true;
        }
        continue;
      }
      if (tableName === 'nat') {
        const done = natManip === 'dst' ? pkt.conn.dnatDone : pkt.conn.snatDone;
        if (pkt.conn.untracked) {
          rec.notes.push(`nat ${hook} skipped: the packet is untracked (CT --notrack), and untracked packets are never NATed`);
          continue;
        }
        if (pkt.conn.state !== 'NEW' || done) {
          this.#skippedNat.push(hook);
          continue;
        }
      }
      const ctx: EvalCtx = { family: pkt.family, hook, table: tableName, host: this.#view };
      const markBefore = pkt.mark;
      const result = walkBuiltin(table, builtin, pkt, ctx, this.opts, rec);
      if (tableName === 'nat') {
        // Even without a rule, nat installs a null binding: the connection is never NATed again.
        if (natManip === 'dst') pkt.conn.dnatDone = true;
        else pkt.conn.snatDone = true;
      }
      if (pkt.mark !== markBefore) markChanged = true;
      switch (result.verdict) {
        case 'drop':
          return { ended: true, outcome: { type: 'dropped', detail: `dropped in ${tableName} ${hook}` } };
        case 'reject':
          return { ended: true, outcome: { type: 'rejected', detail: `rejected in ${tableName} ${hook}` } };
        case 'unknown':
          return { ended: true, outcome: { type: 'unknown', detail: result.reason ?? 'a rule could not be evaluated' } };
        case 'budget':
          return { ended: true, outcome: { type: 'budget', detail: result.reason! } };
        case 'accept':
          break;
      }
      if (result.nat) {
        this.applyNat(result.nat);
        natChanged = true;
      }
      if (result.socket) socket = result.socket;
    }
    return socket === null && !markChanged && !natChanged ? PASSED_UNCHANGED : { ended: false, socket, markChanged, natChanged };
  }

  /** Rewrite the packet as a NAT target bound it, and say so on the step that did it. */
  applyNat(n: NatChange): void {
    const { pkt, rec } = this;
    const before = n.manip === 'dst' ? fmtAddr(pkt, 'dst') : fmtAddr(pkt, 'src');
    if (n.manip === 'dst') {
      pkt.dst = n.addr;
      if (n.port !== null) pkt.dport = n.port;
      pkt.conn.dnatApplied = true;
    } else {
      pkt.src = n.addr;
      if (n.port !== null) pkt.sport = n.port;
      pkt.conn.snatApplied = true;
    }
    const after = n.manip === 'dst' ? fmtAddr(pkt, 'dst') : fmtAddr(pkt, 'src');
    const last = rec.steps[rec.steps.length - 1];
    if (last) {
      // Keep the target's own words only when they add something (e.g. "range reduced to its first address").
      const extra = last.effect && !last.effect.includes(after) ? `; ${last.effect}` : '';
      last.effect = `${n.manip} ${before} -> ${after}${extra}`;
      last.nat = { manip: n.manip, from: before, to: after };
    }
  }

  deliver(socket: LocalSocket | null, loopedBack: boolean): Outcome {
    const { pkt, rec, host } = this;
    const s = socket ?? (pkt.dport !== null ? findSocket(host, pkt.family, pkt.proto, pkt.dst, pkt.dport) : null);
    rec.socket = s;
    if (!s) {
      const why = pkt.proto === 'tcp' ? 'no socket listens there; the kernel answers with a TCP RST' : 'no socket listens there';
      return { type: 'rejected', address: pkt.dst.text, port: pkt.dport, detail: why };
    }
    if (pkt.proto === 'tcp' && pkt.family === 'ipv4' && isLoopback(pkt.dst) && !socket && lookupRoute(host.routing, pkt.src, 0).type !== 'local') {
      // The SYN-ACK would leave from 127.x towards a non-local client over a non-loopback device,
      // which IPv4 routing refuses (route_localnet=0: __mkroute_output -EINVAL), so no handshake.
      rec.socket = null;
      return {
        type: 'dropped',
        address: pkt.dst.text,
        port: pkt.dport,
        detail: `the SYN reaches ${s.label}, but its SYN-ACK from ${pkt.dst.text} to the non-local ${pkt.src.text} cannot be routed (a loopback source may not leave a non-loopback device), so the connection never completes`,
      };
    }
    if (pkt.proto === 'tcp' && loopedBack && addressType(host.routing, pkt.src, null) !== 'LOCAL') {
      // A local client bound a non-local source (IP_TRANSPARENT, e.g. Envoy's TPROXY original_src
      // upstream): the handshake completes only if the SYN-ACK is routed back over lo.
      const back = this.replyRoute();
      if (back !== null) {
        rec.socket = null;
        if (back.unknown) return { type: 'unknown', address: pkt.dst.text, port: pkt.dport, detail: back.why };
        return { type: 'dropped', address: pkt.dst.text, port: pkt.dport, detail: `the SYN reaches ${s.label}, but ${back.why}, so the connection never completes` };
      }
    }
    const o: Outcome = { type: 'delivered', listener: s.label };
    if (s.role) o.role = s.role;
    o.listenerPort = s.port;
    o.address = pkt.dst.text;
    o.port = pkt.dport;
    return o;
  }

  /**
   * Where the SYN-ACK to a non-local client goes; null when it comes back over lo. As the kernel
   * does (measured on 6.18, Istio 1.5's TPROXY golden): the accepting side answers with its own
   * socket mark, not the SYN's (tcp_fwmark_accept=0), and the modelled listeners carry none; raw and
   * mangle OUTPUT then see the reply (conntrack REPLY direction, ESTABLISHED, the connection's
   * connmark; no owner: a request socket is not a full socket), and a mark set in mangle re-routes
   * it (Istio's later TPROXY rules bring it back to the TPROXY table with CONNMARK --restore-mark). Without that, the
   * main table sends it out of the pod to the real client, which answers with a RST.
   */
  replyRoute(): { unknown: boolean; why: string } | null {
    const { pkt, host } = this;
    const reply: Packet = {
      ...pkt,
      src: pkt.dst,
      dst: pkt.src,
      sport: pkt.dport,
      dport: pkt.sport,
      inIface: null,
      outIface: null,
      owner: null,
      mark: 0,
      tcpFlags: ['SYN', 'ACK'],
      conn: { ...pkt.conn, direction: 'REPLY', state: 'ESTABLISHED' },
    };
    let r = lookupRoute(host.routing, reply.dst, 0);
    reply.outIface = r.dev;
    const scratch: Recorder = { steps: [], misses: [], warnings: [], chances: [] };
    for (const { name, table, builtin } of this.#plan.OUTPUT.stages) {
      if ((name !== 'raw' && name !== 'mangle') || !table || !builtin) continue;
      const result = walkBuiltin(table, builtin, reply, { family: reply.family, hook: 'OUTPUT', table: name, host: this.#view }, { unknown: this.opts.unknown, explain: false }, scratch);
      if (result.verdict === 'unknown') return { unknown: true, why: `whether its SYN-ACK to ${pkt.src.text} comes back over lo depends on ${name} OUTPUT, which could not be evaluated for the reply (${result.reason ?? 'unknown rule'})` };
      if (result.verdict !== 'accept') return { unknown: false, why: `its SYN-ACK to ${pkt.src.text} is dropped in ${name} OUTPUT` };
      if (name === 'mangle' && reply.mark !== 0) r = lookupRoute(host.routing, reply.dst, reply.mark);
    }
    if (r.type === 'local') return null;
    const mark = reply.mark === 0 ? 'no mark' : `mark 0x${reply.mark.toString(16)}`;
    return { unknown: false, why: `its SYN-ACK to the non-local client address ${pkt.src.text} (${mark}: the listener's own, as nothing in mangle OUTPUT restores one) is routed out ${r.dev ?? 'nowhere'}, not back over lo` };
  }
}

export type { TableName };
