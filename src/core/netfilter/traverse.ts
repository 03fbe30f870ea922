/**
 * Move the first packet of one connection through the hooks, as the kernel
 * does: locally generated (OUTPUT -> POSTROUTING [-> lo -> PREROUTING -> INPUT]),
 * arriving (PREROUTING -> INPUT or FORWARD -> POSTROUTING). Each hook runs the
 * stages of its plan (hook-plan.ts): base chains and the kernel's own steps, in
 * priority order. Records every base-chain walk, applies NAT bindings, re-routes
 * where a route or nat chain changed what routing reads, skips nat where conntrack
 * already holds a binding, and for TCP runs the handshake's reply back to the
 * client before a connection counts as accepted (measured on Linux 6.18).
 */
import type { EvalCtx } from '../matches/define.js';
import type { Address } from '../net/address.js';
import type { IpSets } from '../net/ipset.js';
import type { FamilyRules } from '../ruleset/model.js';
import type { NatChange } from '../targets/define.js';
import type { Outcome } from '../trace.js';
import type { Family, HookName, TableName } from '../types.js';
import { needsConntrack } from './conntrack-enabled.js';
import { familyPlan, type BaseChain, type FamilyPlan, type HookPlan } from './hook-plan.js';
import { REROUTE } from './hooks.js';
import { findSocket, hostView, type Host } from './host-model.js';
import type { AddrType, HostView, LocalSocket, Packet } from './packet.js';
import { inputRoute, lookupRoute, outputRoute, type RouteResult } from './routing.js';
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

/** How a hook or one base chain ended; one object shape for every case. */
type HookEnd =
  | { ended: true; outcome: Outcome; socket: null; reroute: null; natBound: false }
  | { ended: false; outcome: null; socket: LocalSocket | null; reroute: Readonly<RouteResult> | null; natBound: boolean };

/** The usual end of a hook or a chain, shared (callers only read it): passed on, nothing re-routed or bound. */
const PASSED_UNCHANGED: HookEnd = { ended: false, outcome: null, socket: null, reroute: null, natBound: false };

const ended = (outcome: Outcome): HookEnd => ({ ended: true, outcome, socket: null, reroute: null, natBound: false });

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
  const run = new HopRun(rules, host, pkt, opts, null);
  if (origin === 'remote') {
    run.rec.outcome = run.receive(false);
    return run.rec;
  }
  run.sendLocal();
  return run.rec;
}

/** What a reply run needs of the connection it answers. */
interface ReplyOf {
  /** The client's side: it came in over lo (a local client) rather than from outside. */
  loopedBack: boolean;
}

/**
 * The host as a handshake's reply sees it: the client's socket exists (its SYN went out), so a
 * socket lookup for the reply finds it. A client bound to a non-local address must have set
 * IP_TRANSPARENT (Envoy's original_src upstream), so the socket is taken as transparent then.
 */
class ClientView implements HostView {
  #socket: LocalSocket | null = null;
  constructor(
    readonly base: HostView,
    readonly synAck: Packet,
  ) {}
  addressType(addr: Address, iface: string | null): AddrType {
    return this.base.addressType(addr, iface);
  }
  primaryAddress(iface: string, family: Family): Address | null {
    return this.base.primaryAddress(iface, family);
  }
  findListener(family: Family, proto: string, addr: Address, port: number): LocalSocket | null {
    return this.base.findListener(family, proto, addr, port);
  }
  ipsets(): IpSets | null {
    return this.base.ipsets();
  }
  ownerId(kind: 'uid' | 'gid', name: string): number | null {
    return this.base.ownerId?.(kind, name) ?? null;
  }
  establishedSocket(p: Packet): LocalSocket | null {
    const client = this.synAck.conn.original;
    if (p.proto !== this.synAck.proto || p.dst.value !== client.src.value || p.dport !== client.sport) return null;
    // Built on the first lookup only: most replies meet no socket match.
    if (this.#socket === null) {
      const transparent = this.base.addressType(client.src, null) !== 'LOCAL';
      const host = client.src.family === 'ipv6' ? `[${client.src.text}]` : client.src.text;
      this.#socket = { family: p.family, proto: p.proto, address: client.src, port: client.sport ?? 0, transparent, label: `the client's socket ${host}:${client.sport}` };
    }
    return this.#socket;
  }
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
    /** Set when this run is the handshake's reply (SYN-ACK), not a connection's first packet. */
    readonly reply: ReplyOf | null,
  ) {
    this.rec = { steps: [], misses: [], warnings: [], chances: [], notes: [], outcome: { type: 'unknown' }, final: pkt, socket: null, entryIn: pkt.inIface, entryOut: null };
    this.#view = reply ? new ClientView(hostView(host), pkt) : hostView(host);
    this.#plan = familyPlan(rules);
  }

  /** Locally generated: the route is chosen before OUTPUT, so -o is known there. */
  sendLocal(first?: Readonly<RouteResult>): void {
    const { pkt, rec } = this;
    let r = first ?? this.route();
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
    if (out.reroute) {
      // The hook's -o was the device chosen before OUTPUT; POSTROUTING leaves by the new one.
      const before = pkt.outIface;
      r = out.reroute;
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
      // TCP: the connection exists only once the remote's SYN-ACK has got back in.
      if (pkt.proto === 'tcp' && !this.reply) rec.outcome = this.remoteReplyFails() ?? rec.outcome;
      return;
    }
    // Loopback: the packet comes back in over lo in the same hop. skb_orphan() drops the socket.
    pkt.inIface = 'lo';
    pkt.outIface = null;
    pkt.owner = null;
    rec.outcome = this.receive(true);
    if (!this.reply) rec.notes.push(loopbackNote(this.#skippedNat));
  }

  /** Received packet: PREROUTING, routing, then INPUT or FORWARD -> POSTROUTING. */
  receive(loopedBack: boolean): Outcome {
    const { pkt, rec } = this;
    const pre = this.runHook(this.#plan.PREROUTING);
    if (pre.ended) return pre.outcome;
    const r = inputRoute(this.host.routing, pkt.dst, pkt.mark, pkt.inIface);
    if (r === 'martian-destination') {
      const why = pkt.family === 'ipv4' ? 'a 127/8 destination is martian on a non-loopback device (route_localnet=0)' : '::1 is only reachable over lo';
      return { type: 'dropped', address: pkt.dst.text, port: pkt.dport, detail: `dropped at the input routing decision after PREROUTING: ${pkt.dst.text} arrived on ${pkt.inIface}, and ${why}` };
    }
    if (pre.socket && r.type !== 'local') {
      rec.notes.push(`TPROXY assigned a socket, but the route for mark 0x${pkt.mark.toString(16)} is not local, so the packet would be forwarded`);
    }
    if (r.type === 'local') {
      const input = this.runHook(this.#plan.INPUT);
      if (input.ended) return input.outcome;
      // A reply has reached its client's socket: the handshake completes.
      if (this.reply) return { type: 'delivered', listener: 'client' };
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
    let socket: LocalSocket | null = null;
    let reroute: Readonly<RouteResult> | null = null;
    for (const stage of stages) {
      if (stage.type === 'kernel') {
        // conntrack (-200) attaches the entry; matches before it (raw) see none. confirm changes nothing a rule can see here.
        if (stage.step === 'conntrack' && !this.pkt.conn.untracked) this.pkt.conn.attached = true;
        continue;
      }
      if (stage.type === 'chain') {
        const r = this.walkBase(stage.base, hook);
        if (r.ended) return r;
        if (r.socket) socket = r.socket;
        if (r.reroute) reroute = r.reroute;
        continue;
      }
      const dstBefore = this.pkt.dst.value;
      const chains = this.natChains(stage.chains, hook, natManip);
      if (this.pkt.dst.value !== dstBefore) {
        // A reply's destination restored by nat (the inverse of an SNAT) re-routes it, as a DNAT would.
        const r = this.rerouteAfter('nat', hook, 'nat', false, false, true);
        if (r.ended) return r;
        if (r.reroute) reroute = r.reroute;
      }
      for (const base of chains) {
        const r = this.walkBase(base, hook);
        if (r.ended) return r;
        if (r.socket) socket = r.socket;
        if (r.reroute) reroute = r.reroute;
        // nat base chains at one hook act as one: the first binding ends nat there.
        if (r.natBound) break;
      }
    }
    return socket === null && reroute === null ? PASSED_UNCHANGED : { ended: false, outcome: null, socket, reroute, natBound: false };
  }

  /** Walk one base chain; re-route right after it where its kind says so. */
  walkBase(base: BaseChain, hook: HookName): HookEnd {
    const { pkt, rec } = this;
    const ctx: EvalCtx = { family: pkt.family, hook, table: base.table, host: this.#view };
    const markBefore = pkt.mark;
    const srcBefore = pkt.src.value;
    const dstBefore = pkt.dst.value;
    const result = walkBuiltin(base.tableRef, base.chainRef, pkt, ctx, this.opts, rec);
    const at = `${base.table} ${hook}`;
    switch (result.verdict) {
      case 'drop':
        return ended({ type: 'dropped', detail: `dropped in ${at}` });
      case 'reject':
        return ended({ type: 'rejected', detail: `rejected in ${at}` });
      case 'unknown':
        return ended({ type: 'unknown', detail: result.reason ?? 'a rule could not be evaluated' });
      case 'budget':
        return ended({ type: 'budget', detail: result.reason! });
      case 'accept':
        break;
    }
    if (result.nat) this.applyNat(result.nat);
    const rr = this.rerouteAfter(base.kind, hook, base.table, pkt.mark !== markBefore, pkt.src.value !== srcBefore, pkt.dst.value !== dstBefore);
    if (rr.ended) return rr;
    if (!result.socket && !rr.reroute && !result.nat) return PASSED_UNCHANGED;
    return { ended: false, outcome: null, socket: result.socket ?? null, reroute: rr.reroute, natBound: result.nat !== undefined };
  }

  /** ip_route_me_harder right after a stage of this kind, where REROUTE says a change calls for it; a failure drops the packet there. */
  rerouteAfter(kind: BaseChain['kind'], hook: HookName, table: string, mark: boolean, src: boolean, dst: boolean): HookEnd {
    const rr = REROUTE[kind];
    if (!rr || rr.hook !== hook) return PASSED_UNCHANGED;
    if (!((mark && rr.on.includes('mark')) || (src && rr.on.includes('src')) || (dst && rr.on.includes('dst')))) return PASSED_UNCHANGED;
    const { pkt } = this;
    const at = `${table} ${hook}`;
    const r = outputRoute(this.host.routing, pkt.src, pkt.dst, pkt.mark);
    if (r === 'loopback-source') {
      return ended({ type: 'dropped', detail: `dropped in ${at}: re-routing to ${pkt.dst.text} fails, because a loopback source (${pkt.src.text}) may not leave by a non-loopback device (route_localnet=0)` });
    }
    if (!r.dev || (r.type !== 'unicast' && r.type !== 'local')) return ended({ type: 'dropped', detail: `no route to ${pkt.dst.text} after OUTPUT` });
    return { ended: false, outcome: null, socket: null, reroute: r, natBound: false };
  }

  /**
   * The nat chains to walk at this hook: all of them for a connection's first pass, none
   * otherwise (a reply gets the inverse of the original's bindings instead). Either way the
   * connection is bound at this hook afterwards: even without a rule, nat installs a null binding.
   */
  natChains(chains: BaseChain[], hook: HookName, natManip: 'dst' | 'src' | undefined): BaseChain[] {
    const { pkt, rec } = this;
    if (chains.length === 0) {
      if (pkt.conn.direction === 'REPLY') this.undoNat(natManip);
      // No nat chain at this hook, but the nat step runs here all the same (the kernel registers
      // it at all four hooks with the family's first nat chain): a new tracked connection gets its
      // null binding (nf_nat_alloc_null_binding), so no later nat chain of this manip sees it.
      else if (pkt.conn.state === 'NEW' && !pkt.conn.untracked && needsConntrack(this.rules!)) this.bindNat(natManip);
      return chains;
    }
    if (!needsConntrack(this.rules!)) {
      if (!this.#conntrackOffNoted) {
        rec.notes.push('nat chains are not consulted: no rule in this family needs conntrack (no NAT target, CT, CONNMARK, or conntrack/state/connmark match), so the kernel never tracks these packets and nat never runs (measured, nf_tables backend)');
        this.#conntrackOffNoted = true;
      }
      return [];
    }
    if (pkt.conn.untracked) {
      rec.notes.push(`nat ${hook} skipped: the packet is untracked (CT --notrack), and untracked packets are never NATed`);
      return [];
    }
    const done = natManip === 'dst' ? pkt.conn.dnatDone : pkt.conn.snatDone;
    if (pkt.conn.state !== 'NEW' || done) {
      if (pkt.conn.direction === 'REPLY') this.undoNat(natManip);
      this.#skippedNat.push(hook);
      return [];
    }
    this.bindNat(natManip);
    return chains;
  }

  /** The connection has its binding for this manip (a rule's, or nat's null binding): nat never runs for it again. */
  bindNat(natManip: 'dst' | 'src' | undefined): void {
    if (natManip === 'dst') this.pkt.conn.dnatDone = true;
    else this.pkt.conn.snatDone = true;
  }

  /** A reply takes the inverse of the original's bindings: its destination where the original's source was rewritten, and the reverse. */
  undoNat(natManip: 'dst' | 'src' | undefined): void {
    const { pkt } = this;
    const o = pkt.conn.original;
    if (natManip === 'dst' && pkt.conn.snatApplied) {
      pkt.dst = o.src;
      pkt.dport = o.sport;
    } else if (natManip === 'src' && pkt.conn.dnatApplied) {
      pkt.src = o.dst;
      pkt.sport = o.dport;
    }
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
    if (pkt.proto === 'tcp') {
      // TCP: the listener accepts only once its SYN-ACK has got back to the client.
      const failed = this.handshakeFails(s, loopedBack);
      if (failed) {
        rec.socket = null;
        return failed;
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
   * The connection's SYN-ACK, from the SYN's destination back to its source: conntrack's
   * REPLY direction (ESTABLISHED), no mark (the answering socket's own, which the modelled
   * sockets lack), the answering side's owner, arriving on `inIface` or sent locally (null).
   */
  synAck(inIface: string | null, owner: Packet['owner'], attached: boolean): Packet {
    const { pkt } = this;
    return {
      ...pkt,
      src: pkt.dst,
      dst: pkt.src,
      sport: pkt.dport,
      dport: pkt.sport,
      inIface,
      outIface: null,
      owner,
      mark: 0,
      tcpFlags: ['SYN', 'ACK'],
      conn: { ...pkt.conn, direction: 'REPLY', state: 'ESTABLISHED', attached },
    };
  }

  /** A run for a reply: same rules, host and budget, no --explain (its steps are not part of the hop). */
  replyRun(reply: Packet, loopedBack: boolean): HopRun {
    const opts: WalkOptions = { unknown: this.opts.unknown, explain: false };
    if (this.opts.budget) opts.budget = this.opts.budget;
    return new HopRun(this.rules, this.host, reply, opts, { loopedBack });
  }

  /** "TABLE HOOK" of the last step this run recorded, for a reply's failure message. */
  lastPlace(): string {
    const last = this.rec.steps[this.rec.steps.length - 1];
    return last ? `${last.table} ${last.hook}` : 'the hooks';
  }

  /**
   * The remote's SYN-ACK for a connection that left the pod: it arrives on the device the SYN
   * left by, from the remote's address, and runs PREROUTING, the input routing decision and
   * INPUT to the client's socket, as a received packet in conntrack's REPLY direction
   * (ESTABLISHED; nat only undoes the original's bindings; no mark, no socket owner).
   * Returns the failed outcome (with the device, so the replay still puts a listener on
   * the remote), or null when it gets back. Its steps are not part of the hop.
   */
  remoteReplyFails(): Outcome | null {
    const { pkt } = this;
    const iface = pkt.outIface!;
    const run = this.replyRun(this.synAck(iface, null, false), false);
    const o = run.receive(false);
    if (o.type === 'delivered') return null;
    const remote = fmtAddr(pkt, 'dst');
    const where = run.lastPlace();
    const base = { address: pkt.dst.text, port: pkt.dport, iface };
    if (o.type === 'unknown') return { type: 'unknown', ...base, detail: `whether the SYN-ACK from ${remote} gets back to the client depends on ${where}, which could not be evaluated for the reply (${o.detail ?? 'unknown rule'})` };
    if (o.type === 'budget') return { type: 'budget', ...base, detail: o.detail ?? 'budget' };
    const why =
      o.type === 'rejected' ? `is rejected in ${where}` : o.detail?.startsWith('dropped in ') ? `is ${o.detail}` : o.type === 'dropped' ? `is dropped (${o.detail ?? 'dropped'})` : `does not reach the client (${o.type})`;
    return { type: 'dropped', ...base, detail: `the SYN leaves by ${iface} for ${remote}, but the SYN-ACK from ${remote} ${why}, so the connection never completes` };
  }

  /**
   * Run the SYN-ACK through the hooks as the kernel sends it (measured on 6.18): from the
   * listener's address, in conntrack's REPLY direction (ESTABLISHED, the connection's
   * connmark), with the listener's own socket mark (tcp_fwmark_accept=0; the modelled
   * listeners carry none) and the listener's owner (the owner match looks through the
   * request socket to its listener); nat is not consulted, conntrack only undoes the
   * original's bindings. It must reach
   * the client: back over lo for a local client, out of the pod for a remote one.
   * Returns the failed outcome, or null when the handshake completes. Its steps
   * are not part of the hop (the kernel traces the SYN).
   */
  handshakeFails(s: LocalSocket, loopedBack: boolean): Outcome | null {
    const { pkt, host } = this;
    const synAck = this.synAck(null, s.owner ?? null, true);
    // The listener the SYN reached is kept on the outcome: verify still puts it in place.
    const failed = (detail: string): Outcome => {
      const o: Outcome = { type: 'dropped', listener: s.label };
      if (s.role) o.role = s.role;
      o.listenerPort = s.port;
      o.address = pkt.dst.text;
      o.port = pkt.dport;
      o.detail = `the SYN reaches ${s.label}, but ${detail}, so the connection never completes`;
      return o;
    };
    const first = outputRoute(host.routing, synAck.src, synAck.dst, 0);
    if (first === 'loopback-source') {
      return failed(`its SYN-ACK from ${pkt.dst.text} to the non-local ${pkt.src.text} cannot be routed (a loopback source may not leave a non-loopback device)`);
    }
    if ((first.type !== 'unicast' && first.type !== 'local') || !first.dev) return failed(`its SYN-ACK to ${pkt.src.text} has no route (${first.type})`);
    const run = this.replyRun(synAck, loopedBack);
    run.sendLocal(first);
    const o = run.rec.outcome;
    const where = run.lastPlace();
    switch (o.type) {
      case 'delivered':
        return null;
      case 'egress':
        if (!loopedBack) return null;
        {
          const mark = synAck.mark === 0 ? 'no mark' : `mark 0x${synAck.mark.toString(16)}`;
          return failed(`its SYN-ACK to the non-local client address ${pkt.src.text} (${mark}: the listener's own, as nothing in mangle OUTPUT restores one) is routed out ${synAck.outIface ?? 'nowhere'}, not back over lo`);
        }
      case 'unknown': {
        const back = loopedBack ? 'comes back over lo' : 'gets back to the client';
        return { type: 'unknown', address: pkt.dst.text, port: pkt.dport, detail: `whether its SYN-ACK to ${pkt.src.text} ${back} depends on ${where}, which could not be evaluated for the reply (${o.detail ?? 'unknown rule'})` };
      }
      case 'budget':
        return { type: 'budget', address: pkt.dst.text, port: pkt.dport, detail: o.detail ?? 'budget' };
      case 'rejected':
        return failed(`its SYN-ACK to ${pkt.src.text} is rejected in ${where}`);
      default:
        return failed(o.detail?.startsWith('dropped in ') ? `its SYN-ACK to ${pkt.src.text} is ${o.detail}` : `its SYN-ACK to ${pkt.src.text} is dropped (${o.detail ?? o.type})`);
    }
  }
}

export type { TableName };
