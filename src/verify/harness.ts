/**
 * runKernelFlow: run a KernelPlan on the real kernel and report what netfilter did.
 *
 * One run, in order:
 *  1. two fresh namespaces, pod and peer (netns.ts);
 *  2. the plan's rules into the pod with iptables-restore / ip6tables-restore (rules on stdin);
 *  3. the trace table (nftrace.ts), then the handle -> position index (mapping.ts): everything
 *     is loaded before the monitor starts, because `nft monitor` resolves rule handles from the
 *     rule set it read when it started;
 *  4. `nft -a monitor trace` in the pod, and a root prober that sends probes until one shows
 *     up in the trace: from then on the monitor is provably listening (the "begin" mark);
 *  5. the listeners, each as its uid/gid, each reporting "ready"
 *     (a connection that needs IP_TRANSPARENT or SO_MARK, e.g. Envoy's TPROXY original_src
 *     upstream, is opened by the Perl connector of transparent.ts instead of a Node stand-in;
 *     a listener's `then.times` bounds how many onward connections it opens);
 *  6. each start connection in turn, each followed by "settling": every connection opened
 *     so far has finished (handshake done, refused, or timed out), every successful one has
 *     been seen by a listener (or a short bound passed), every listener with `then` has opened
 *     its onward connection, and nothing has happened for a short quiet period;
 *  7. an end probe, waited for: every event of the flow was queued to the monitor before it;
 *  8. counters (`iptables-save -c`) cross-checked against the trace, hops built (hops.ts);
 *  9. cleanup: our processes killed by pid, our namespaces deleted. Also on error, timeout,
 *     SIGINT/SIGTERM/SIGHUP (handlers installed only while a run is active) and process exit.
 */
import type { Step } from '../core/trace.js';
import type { Family } from '../core/types.js';
import { checkCapabilities, type Tools } from './capabilities.js';
import { run } from './exec.js';
import { buildHops, sameAddress, type Accepted } from './hops.js';
import { buildRuleIndex, NF_FAMILY, parseSave, type RuleIndex } from './mapping.js';
import {
  createNamespaces,
  deleteNamespaces,
  deleteNamespacesSync,
  namespaceBase,
  namespaceExists,
  newNamespaceNames,
  removeStaleRuns,
  type NamespacePair,
  type StaleCleanup,
} from './netns.js';
import { RunMarker } from './ownership.js';
import { PROBE_PORT, PROBE_PREFIX, traceTableScript } from './nftrace.js';
import {
  familyOf,
  resolvePlan,
  type ConnectSpec,
  type KernelConnection,
  type KernelPlan,
  type KernelResult,
  type ListenerSpec,
  type NsRole,
  type Opener,
  type Progress,
  type ResolvedPlan,
  type RunOptions,
} from './plan.js';
import { ProcessSet, Standin, TraceMonitor } from './processes.js';
import { resolveStandinScript } from './standin-path.js';
import type { ConnectArgs, ListenArgs, StandinEvent } from './standin-protocol.js';
import { TRANSPARENT_CONNECT_PL, TRANSPARENT_LISTENER_PL } from './transparent.js';

/**
 * How long a finished connection may wait for a listener to report it. A completed TCP
 * handshake always reaches one of our listeners (nothing else listens in our namespaces), so
 * its bound only matters if the source was rewritten (SNAT); a sent datagram may never arrive.
 */
const MATCH_WAIT_MS = { tcp: 5000, udp: 500 } as const;
/** Nothing new for this long, and the flow is settled. */
const QUIET_MS = 50;
const READY_TIMEOUT_MS = 8000;

interface Conn extends KernelConnection {
  done: boolean;
  doneAt: number;
  matched: boolean;
}

// ---------------------------------------------------------------------------------------------
// Signal and exit handling: installed while at least one run is active.

const active = new Set<KernelRun>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function onSignal(signal: NodeJS.Signals): void {
  const runs = [...active];
  active.clear();
  uninstall();
  for (const r of runs) r.interrupt(signal);
  // Nobody else handles this signal: die of it, as the process would have without us.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  for (const r of active) r.cleanupSync();
}

function register(r: KernelRun): void {
  if (active.size === 0) {
    for (const s of SIGNALS) process.on(s, onSignal);
    process.on('exit', onExit);
  }
  active.add(r);
}

function unregister(r: KernelRun): void {
  if (!active.delete(r) || active.size > 0) return;
  uninstall();
}

function uninstall(): void {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.removeListener('exit', onExit);
}

// ---------------------------------------------------------------------------------------------

class KernelRun {
  private readonly names: NamespacePair = newNamespaceNames();
  private readonly created: string[] = [];
  /** Written before anything exists, so the next run can clean up after a kill -9 (ownership.ts). */
  private marker: RunMarker | null = null;
  private readonly procs: ProcessSet;
  private readonly conns: Conn[] = [];
  private readonly accepted: Accepted[] = [];
  private lastActivity = Date.now();
  private closing = false;
  private cleaned = false;
  private abortError: Error | null = null;
  private readonly abortHooks = new Set<(e: Error) => void>();
  private readonly t0 = Date.now();
  private setup: Promise<void> | null = null;

  constructor(
    private readonly tools: Tools,
    private readonly plan: ResolvedPlan,
    private readonly script: string,
    private readonly options: RunOptions,
    /** What the start-of-run cleanup removed, reported beside the result (KernelResult.cleanup). */
    private readonly staleNotes: string[] = [],
  ) {
    this.procs = new ProcessSet({ perl: tools.perl, onStart: (pid, label) => this.marker?.processStarted(pid, label) });
  }

  async execute(): Promise<KernelResult> {
    register(this);
    const timer = setTimeout(() => this.abort(new Error(`kernel run timed out after ${this.plan.timeoutMs} ms`)), this.plan.timeoutMs);
    let result: KernelResult | undefined;
    let failure: Error | undefined;
    try {
      result = await this.body();
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    clearTimeout(timer);
    this.closing = true;
    try {
      await this.cleanup();
    } catch (err) {
      // Keep the first error; a cleanup failure after it is added, not substituted.
      const msg = err instanceof Error ? err.message : String(err);
      if (failure) failure.message += `\n(cleanup failed too: ${msg})`;
      else failure = err instanceof Error ? err : new Error(msg);
    } finally {
      unregister(this);
    }
    if (failure) throw failure;
    return result!;
  }

  /** A signal arrived: stop everything now, synchronously, and make the run fail. */
  interrupt(signal: NodeJS.Signals): void {
    this.cleanupSync();
    this.abort(new Error(`kernel run interrupted by ${signal}`));
  }

  cleanupSync(): void {
    this.closing = true;
    this.procs.killSync();
    deleteNamespacesSync(this.tools.ip, this.created);
    if (!this.created.some(namespaceExists)) this.marker?.remove();
  }

  private async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    this.progress('cleanup');
    // Namespace setup may still be running if the run was aborted during it: let it stop
    // (it checks for the abort between commands) so that it cannot add a namespace after us.
    await this.setup?.catch(() => undefined);
    await this.procs.killAll();
    await deleteNamespaces(this.tools.ip, this.created);
    const left = this.created.filter(namespaceExists);
    if (left.length) throw new Error(`could not delete network namespaces: ${left.join(', ')}`);
    this.marker?.remove();
  }

  private abort(err: Error): void {
    if (this.abortError) return;
    this.abortError = err;
    for (const hook of [...this.abortHooks]) hook(err);
  }

  /** Await p, unless the run is aborted first. */
  private guard<T>(p: Promise<T>): Promise<T> {
    if (this.abortError) return Promise.reject(this.abortError);
    return new Promise<T>((resolve, reject) => {
      const hook = (e: Error): void => reject(e);
      this.abortHooks.add(hook);
      p.then(
        (v) => {
          this.abortHooks.delete(hook);
          resolve(v);
        },
        (e: unknown) => {
          this.abortHooks.delete(hook);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  private sleep(ms: number): Promise<void> {
    return this.guard(new Promise((resolve) => setTimeout(resolve, ms)));
  }

  private progress(phase: Progress['phase']): void {
    try {
      this.options.onProgress?.({ phase, namespaces: { ...this.names }, pids: this.procs.pids() });
    } catch {
      // a reporting callback must not break the run
    }
  }

  private nsName(role: NsRole): string {
    return role === 'pod' ? this.names.pod : this.names.peer;
  }

  private inPod(file: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
    return this.guard(run(this.tools.ip, ['netns', 'exec', this.names.pod, file, ...args], input === undefined ? {} : { input }));
  }

  private families(): Family[] {
    return (['ipv4', 'ipv6'] as const).filter((f) => this.plan.rules[f] !== undefined);
  }

  private saveProgram(family: Family): string {
    return family === 'ipv4' ? this.tools.iptablesSave : this.tools.ip6tablesSave;
  }

  private async body(): Promise<KernelResult> {
    const { tools, plan } = this;
    this.marker = new RunMarker(namespaceBase(this.names), [this.names.pod, this.names.peer]);
    const marker = this.marker;
    this.setup = createNamespaces(tools, this.names, plan, this.created, () => this.abortError !== null, (name) => marker.namespaceCreated(name));
    await this.guard(this.setup);
    this.progress('namespaces');

    if (plan.rules.ipv4 !== undefined) await this.inPod(tools.iptablesRestore, [], plan.rules.ipv4);
    if (plan.rules.ipv6 !== undefined) await this.inPod(tools.ip6tablesRestore, [], plan.rules.ipv6);
    await this.inPod(tools.nft, ['-f', '-'], traceTableScript());
    const index = await this.ruleIndex();
    this.progress('rules');

    const monitor = TraceMonitor.start(this.procs, tools.ip, this.names.pod, tools.nft);
    const prober = this.standin('pod', { mode: 'probe', prefix: PROBE_PREFIX, port: PROBE_PORT }, 'prober');
    await this.guard(prober.waitFor((e): e is Extract<StandinEvent, { type: 'started' }> => e.type === 'started', READY_TIMEOUT_MS));
    let probe = 0;
    const readyBy = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      prober.send(String(probe));
      if (await this.guard(monitor.waitForProbe(probe, 200))) break;
      if (Date.now() > readyBy) throw new Error(`nft monitor trace showed no probe within ${READY_TIMEOUT_MS} ms${monitor.proc.stderr ? `: ${monitor.proc.stderr.trim()}` : ''}`);
      probe++;
    }
    const beginLine = monitor.probeLine(probe)!;
    this.progress('monitor');

    const listeners = plan.listeners.map((l, i) => {
      const st = this.listener(l, `listener ${i} (${l.ns} ${l.proto} ${l.port}${l.name ? ` ${l.name}` : ''})`);
      let onward = 0;
      st.onEvent((e) => {
        if (e.type !== 'accepted') return;
        this.accepted.push({ listener: i, ns: l.ns, proto: e.proto, local: e.local, remote: e.remote });
        this.lastActivity = Date.now();
        if (l.then?.times !== undefined && onward >= l.then.times) return;
        onward++;
        // An original_src upstream must not reuse the client's port: same 5-tuple, same conntrack entry.
        const avoid = l.then?.connect.transparent ? e.remote.port : undefined;
        if (l.then && !this.closing) this.connect({ kind: 'listener', index: i }, l.ns, l.then.connect, l.then.uid, l.then.gid, avoid);
      });
      return st;
    });
    await this.guard(
      Promise.all(listeners.map((st) => st.waitFor((e): e is Extract<StandinEvent, { type: 'ready' }> => e.type === 'ready', READY_TIMEOUT_MS))),
    );
    this.progress('listeners');

    for (const [i, s] of plan.start.entries()) {
      const spec: ConnectSpec = {
        proto: s.proto,
        dst: s.dst,
        dport: s.dport,
        ...(s.src !== undefined ? { src: s.src } : {}),
        ...(s.sport !== undefined ? { sport: s.sport } : {}),
        ...(s.transparent ? { transparent: true } : {}),
        ...(s.mark !== undefined ? { mark: s.mark } : {}),
      };
      this.connect({ kind: 'start', index: i }, s.ns, spec, s.uid, s.gid);
      this.progress('start');
      await this.settle();
    }

    const endProbe = probe + 1;
    prober.send(String(endProbe));
    if (!(await this.guard(monitor.waitForProbe(endProbe, 5000)))) {
      throw new Error('the end probe never showed up in the trace: events were lost');
    }
    const endLine = monitor.probeLine(endProbe)!;
    const monitorStderr = monitor.proc.stderr.trim();
    // A full netlink socket drops events silently for us: that run cannot be trusted.
    if (/buffer space|ENOBUFS/i.test(monitorStderr)) throw new Error(`nft monitor trace lost events: ${monitorStderr}`);

    const events = monitor.events.filter((e) => e.index >= beginLine && e.index < endLine).map((e) => e.event);
    const connections = this.conns.map(({ done: _d, doneAt: _a, matched: _m, ...c }) => c);
    const built = buildHops(events, index, this.accepted, connections);
    const warnings = [...built.warnings, ...(await this.checkCounters(built.hops, built.repeatSteps))];
    if (monitorStderr) warnings.push(`nft monitor trace said: ${monitorStderr}`);
    this.progress('settled');
    return {
      hops: built.hops,
      raw: monitor.lines.slice(beginLine, endLine + 1),
      connections,
      warnings,
      cleanup: this.staleNotes,
      namespaces: { ...this.names },
      durationMs: Date.now() - this.t0,
    };
  }

  private async ruleIndex(): Promise<RuleIndex> {
    const { stdout: json } = await this.inPod(this.tools.nft, ['-a', '-j', 'list', 'ruleset']);
    const saves: Partial<Record<Family, string>> = {};
    for (const f of this.families()) saves[f] = (await this.inPod(this.saveProgram(f), [])).stdout;
    return buildRuleIndex(json, saves);
  }

  private standin(ns: NsRole, args: Parameters<typeof Standin.start>[5], label: string): Standin {
    return Standin.start(this.procs, this.tools.ip, this.nsName(ns), process.execPath, this.script, args, label);
  }

  private listener(l: ListenerSpec, label: string): Standin {
    const args: ListenArgs = { mode: 'listen', family: l.family, proto: l.proto, port: l.port, uid: l.uid, gid: l.gid };
    if (l.address !== undefined) args.address = l.address;
    if (!l.transparent) return this.standin(l.ns, args, label);
    const address = l.address ?? (l.family === 'ipv6' ? '::' : '0.0.0.0');
    const argv = ['-e', TRANSPARENT_LISTENER_PL, l.family, address, String(l.port), String(l.uid), String(l.gid)];
    argv.push(process.execPath, this.script, JSON.stringify({ ...args, inheritedFd: true }));
    return new Standin(this.procs.start(this.tools.ip, this.nsName(l.ns), this.tools.perl!, argv, label), args);
  }

  /**
   * Open one connection from a fresh stand-in process running as uid/gid: the Node stand-in,
   * or, for a transparent or marked socket, the Perl connector (transparent.ts), which speaks
   * the same protocol. `avoidPort`: a source port the connector must not bind (see there).
   */
  private connect(openedBy: Opener, ns: NsRole, spec: ConnectSpec, uid: number, gid: number, avoidPort?: number): void {
    const conn: Conn = { openedBy, ns, spec, uid, gid, ok: false, done: false, doneAt: 0, matched: false };
    this.conns.push(conn);
    const finish = (): void => {
      conn.done = true;
      conn.doneAt = Date.now();
      this.lastActivity = conn.doneAt;
    };
    const who = openedBy.kind === 'start' ? `start[${openedBy.index}]` : `listeners[${openedBy.index}].then`;
    const args: ConnectArgs = {
      mode: 'connect',
      proto: spec.proto,
      dst: spec.dst,
      dport: spec.dport,
      uid,
      gid,
      timeoutMs: this.plan.connectTimeoutMs,
      ...(spec.src !== undefined ? { src: spec.src } : {}),
      ...(spec.sport !== undefined ? { sport: spec.sport } : {}),
    };
    const label = `connection ${who} -> ${spec.dst}:${spec.dport}${spec.transparent ? ` from ${spec.src} (transparent)` : ''}${spec.mark ? ` mark ${spec.mark}` : ''}`;
    const st = needsPerl(spec) ? this.perlConnect(ns, spec, args, avoidPort, label) : this.standin(ns, args, label);
    st.onEvent((e) => {
      if (conn.done) return;
      if (e.type === 'connected') {
        conn.ok = true;
        conn.local = e.local;
        finish();
      } else if (e.type === 'connect-failed') {
        conn.error = e.code;
        finish();
      } else if (e.type === 'error') {
        conn.error = e.message;
        finish();
      }
    });
    void st.proc.exit.then(() => {
      if (conn.done) return;
      conn.error = `stand-in exited without a result${st.proc.stderr ? `: ${st.proc.stderr.trim()}` : ''}`;
      finish();
    });
  }

  private perlConnect(ns: NsRole, spec: ConnectSpec, args: ConnectArgs, avoidPort: number | undefined, label: string): Standin {
    const family = familyOf(spec.dst)!;
    const argv = [
      '-e',
      TRANSPARENT_CONNECT_PL,
      spec.proto,
      family,
      spec.src ?? '',
      spec.sport !== undefined ? String(spec.sport) : '',
      spec.dst,
      String(spec.dport),
      String(args.uid),
      String(args.gid),
      spec.transparent ? '1' : '0',
      spec.mark !== undefined ? String(spec.mark) : '',
      String(args.timeoutMs),
      avoidPort !== undefined ? String(avoidPort) : '',
    ];
    return new Standin(this.procs.start(this.tools.ip, this.nsName(ns), this.tools.perl!, argv, label), args);
  }

  /** Wait until the flow has run its course (see step 6 at the top). */
  private async settle(): Promise<void> {
    for (;;) {
      const now = Date.now();
      const running = this.conns.some((c) => !c.done);
      let waiting = false;
      for (const c of this.conns) {
        if (!c.ok || c.matched || !c.local) continue;
        const local = c.local;
        c.matched = this.accepted.some((a) => a.proto === c.spec.proto && a.remote.port === local.port && sameAddress(a.remote.address, local.address));
        if (!c.matched && now - c.doneAt < MATCH_WAIT_MS[c.spec.proto]) waiting = true;
      }
      if (!running && !waiting && now - this.lastActivity >= QUIET_MS) return;
      await this.sleep(10);
    }
  }

  /**
   * Rule counters against the trace. A rule the trace shows more often than its counter
   * means a wrong handle mapping. In nat, which only sees a connection's first packet, a
   * counter above the trace means traced packets went unreported.
   */
  private async checkCounters(hops: KernelResult['hops'], repeats: Array<{ family: Family; step: Step }>): Promise<string[]> {
    const traced = new Map<string, number>();
    const count = (family: Family, s: Step): void => {
      if (s.kind !== 'rule' || s.rule === null) return;
      const key = `${family} ${s.table} ${s.chain} ${s.rule}`;
      traced.set(key, (traced.get(key) ?? 0) + 1);
    };
    for (const h of hops) for (const s of h.steps) count(h.family, s);
    for (const r of repeats) count(r.family, r.step);
    const warnings: string[] = [];
    for (const family of this.families()) {
      const dump = parseSave((await this.inPod(this.saveProgram(family), ['-c'])).stdout, family);
      for (const [table, chains] of dump) {
        for (const [chain, c] of chains) {
          c.rules.forEach((r, i) => {
            const key = `${family} ${table} ${chain} ${i + 1}`;
            const t = traced.get(key) ?? 0;
            traced.delete(key);
            const where = `${NF_FAMILY[family]} ${table} ${chain} #${i + 1} (${r.text})`;
            if (r.packets === null) return;
            if (t > r.packets) warnings.push(`${where}: traced ${t} times but its counter is ${r.packets}`);
            else if (table === 'nat' && r.packets > t) warnings.push(`${where}: counted ${r.packets} packets but the trace shows ${t}`);
          });
        }
      }
    }
    for (const key of traced.keys()) warnings.push(`traced rule ${key} is not in iptables-save`);
    return warnings;
  }
}

/** Node cannot set IP_TRANSPARENT or SO_MARK: such a connection is made by the Perl connector. */
function needsPerl(spec: ConnectSpec): boolean {
  return spec.transparent === true || (spec.mark !== undefined && spec.mark !== 0);
}

/**
 * Run a plan on the kernel. Needs Linux and root (see checkCapabilities). Throws PlanError for
 * an invalid plan, and Error for anything that went wrong on the way; the namespaces and
 * processes are gone when the promise settles either way.
 */
export async function runKernelFlow(plan: KernelPlan, options: RunOptions = {}): Promise<KernelResult> {
  const resolved = resolvePlan(plan);
  const caps = checkCapabilities();
  if (!caps.ok) throw new Error(caps.message);
  const perlConnects = [...resolved.start, ...resolved.listeners.flatMap((l) => (l.then ? [l.then.connect] : []))].some(needsPerl);
  if ((perlConnects || resolved.listeners.some((l) => l.transparent)) && !caps.tools.perl) {
    throw new Error('kernel harness: transparent listeners and transparent or marked connections need perl. Install the Debian package "perl-base".');
  }
  const script = resolveStandinScript(options.standinScript);
  const stale = await removeStaleRuns(caps.tools.ip);
  return new KernelRun(caps.tools, resolved, script, options, staleNotes(stale)).execute();
}

/**
 * What the start-of-run cleanup did, for the user: a run killed earlier is worth knowing about.
 * Unmarked namespaces (older versions, someone else's) are not reported: they are not ours to judge.
 */
function staleNotes(stale: StaleCleanup): string[] {
  const notes: string[] = [];
  if (stale.processes.length) notes.push(`killed processes left by an earlier run that was killed: ${stale.processes.map((p) => `${p.label} (pid ${p.pid})`).join(', ')}`);
  if (stale.namespaces.length) notes.push(`deleted network namespaces left by an earlier run that was killed: ${stale.namespaces.join(', ')}`);
  return notes;
}
