/**
 * The processes a run starts: stand-ins (listeners, connectors, the prober) and the trace
 * monitor. Every one is started inside one of our namespaces with `ip netns exec NS …` (which
 * execs the program, so the pid we hold is the program's), tracked by pid, and stopped only
 * by that pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { minimalEnv } from './exec.js';
import { parseTraceLine, probeNumber, type TraceEvent } from './nftrace.js';
import type { StandinArgs, StandinEvent } from './standin-protocol.js';

export interface Tracked {
  pid: number;
  label: string;
  child: ChildProcess;
  exited: boolean;
  stderr: string;
  /** Resolves when the process has exited. */
  exit: Promise<void>;
}

/**
 * PR_SET_PDEATHSIG (prctl option 1) with SIGKILL, then exec the program: the process dies with
 * us even when we are killed with SIGKILL (Node cannot set it for a child itself). The
 * getppid check closes the race where we died before the prctl. If prctl is refused (a
 * seccomp filter), the program runs anyway: the ownership marker still lets the next run
 * stop it. prctl's system call number depends on the architecture, hence the first argument.
 */
const DIE_WITH_PARENT_PL = 'my ($nr, $ppid) = splice(@ARGV, 0, 2); syscall($nr, 1, 9); exit 1 if getppid() != $ppid; exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\n";';

/** prctl's system call number, on the architectures we know it for (elsewhere: no wrapper). */
const PRCTL_NR: Partial<Record<string, number>> = { x64: 157, arm64: 167, ia32: 172, arm: 172 };

export interface ProcessSetOptions {
  /** perl, to make each process die with us (see DIE_WITH_PARENT_PL); null: not available. */
  perl?: string | null;
  /** Called with each process started, before anything else happens (the run's ownership marker). */
  onStart?: (pid: number, label: string) => void;
}

/** Every process of one run. */
export class ProcessSet {
  private readonly all: Tracked[] = [];

  constructor(private readonly options: ProcessSetOptions = {}) {}

  /** Start `ip netns exec ns file args…` (through the die-with-parent wrapper when perl is there). */
  start(ip: string, ns: string, file: string, args: readonly string[], label: string): Tracked {
    const nr = PRCTL_NR[process.arch];
    const { perl } = this.options;
    const argv = perl && nr !== undefined ? [perl, '-e', DIE_WITH_PARENT_PL, String(nr), String(process.pid), file, ...args] : [file, ...args];
    const child = spawn(ip, ['netns', 'exec', ns, ...argv], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: minimalEnv(),
      cwd: '/',
    });
    if (child.pid === undefined) throw new Error(`could not start ${label}`);
    this.options.onStart?.(child.pid, label);
    const t: Tracked = {
      pid: child.pid,
      label,
      child,
      exited: false,
      stderr: '',
      exit: new Promise((resolve) => child.once('close', () => resolve())),
    };
    child.once('exit', () => (t.exited = true));
    child.on('error', () => (t.exited = true));
    child.stdin?.on('error', () => undefined);
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (t.stderr.length < 64 * 1024) t.stderr += d;
    });
    this.all.push(t);
    return t;
  }

  pids(): number[] {
    return this.all.map((t) => t.pid);
  }

  live(): Tracked[] {
    return this.all.filter((t) => !t.exited && t.child.exitCode === null && t.child.signalCode === null);
  }

  /** SIGKILL every live process we started, by pid. Safe in a signal or exit handler. */
  killSync(): void {
    for (const t of this.live()) {
      try {
        process.kill(t.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Kill and wait until each has exited (bounded). */
  async killAll(timeoutMs = 3000): Promise<void> {
    const live = this.live();
    this.killSync();
    await Promise.race([Promise.all(live.map((t) => t.exit)), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }
}

/** Split a stream into lines. */
export function onLines(stream: NodeJS.ReadableStream | null | undefined, fn: (line: string) => void): void {
  if (!stream) return;
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      fn(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (buf) fn(buf);
    buf = '';
  });
}

function exitText(child: ChildProcess): string {
  return child.signalCode ? `killed by ${child.signalCode}` : `exit code ${child.exitCode}`;
}

/** A stand-in process and the events it reported. */
export class Standin {
  readonly events: StandinEvent[] = [];
  private readonly listeners: Array<(e: StandinEvent) => void> = [];

  constructor(
    readonly proc: Tracked,
    readonly args: StandinArgs,
  ) {
    onLines(proc.child.stdout, (line) => {
      if (!line.trim()) return;
      let event: StandinEvent;
      try {
        event = JSON.parse(line) as StandinEvent;
      } catch {
        event = { type: 'error', message: `unreadable output: ${line}` };
      }
      this.events.push(event);
      for (const l of this.listeners) l(event);
    });
  }

  static start(set: ProcessSet, ip: string, ns: string, node: string, script: string, args: StandinArgs, label: string): Standin {
    return new Standin(set.start(ip, ns, node, [script, JSON.stringify(args)], label), args);
  }

  onEvent(fn: (e: StandinEvent) => void): void {
    this.listeners.push(fn);
  }

  send(line: string): void {
    this.proc.child.stdin?.write(`${line}\n`);
  }

  /** Resolve with the first event that satisfies pred; reject if the process exits first or time runs out. */
  waitFor<T extends StandinEvent>(pred: (e: StandinEvent) => e is T, timeoutMs: number): Promise<T> {
    const found = this.events.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.proc.label}: no answer within ${timeoutMs} ms${this.detail()}`)), timeoutMs);
      this.listeners.push((e) => {
        if (pred(e)) {
          clearTimeout(timer);
          resolve(e);
        } else if (e.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`${this.proc.label}: ${e.message}${this.detail()}`));
        }
      });
      void this.proc.exit.then(() => {
        clearTimeout(timer);
        const hit = this.events.find(pred);
        if (hit) resolve(hit);
        else reject(new Error(`${this.proc.label} exited early (${exitText(this.proc.child)})${this.detail()}`));
      });
    });
  }

  private detail(): string {
    const err = this.events.find((e) => e.type === 'error');
    const parts = [err && err.type === 'error' ? err.message : '', this.proc.stderr.trim()].filter(Boolean);
    return parts.length ? `: ${parts.join('; ')}` : '';
  }
}

/** `nft -a monitor trace` in the pod namespace, line by line. */
export class TraceMonitor {
  readonly lines: string[] = [];
  readonly events: Array<{ index: number; event: TraceEvent }> = [];
  private readonly probeSeen = new Map<number, number>();
  private readonly waiters: Array<() => void> = [];

  constructor(readonly proc: Tracked) {
    onLines(proc.child.stdout, (line) => {
      const index = this.lines.length;
      this.lines.push(line);
      const event = parseTraceLine(line);
      if (event) {
        this.events.push({ index, event });
        const n = probeNumber(event);
        if (n !== null && !this.probeSeen.has(n)) this.probeSeen.set(n, index);
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static start(set: ProcessSet, ip: string, ns: string, nft: string): TraceMonitor {
    return new TraceMonitor(set.start(ip, ns, nft, ['-a', 'monitor', 'trace'], 'nft monitor trace'));
  }

  /** Line index of probe n's event, or null. */
  probeLine(n: number): number | null {
    return this.probeSeen.get(n) ?? null;
  }

  /** Wait until probe n appears (true) or timeoutMs passes (false); throws if the monitor died. */
  async waitForProbe(n: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.probeLine(n) === null) {
      if (this.proc.exited) throw new Error(`nft monitor trace exited: ${this.proc.stderr.trim() || 'no message'}`);
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }
}
