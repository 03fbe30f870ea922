/**
 * The work and size budget of one trace: all hops and all `-m statistic`
 * alternatives share it. The kernel pays per packet what the jumps lead to:
 * 15 chains jumping 3 times each is 3^15 rule visits, fine in C, but a trace
 * that records each one grows without bound. The walk stops cleanly when
 * either budget runs out, and the trace says where and why.
 */

/** Rules evaluated (and chain ends met): the largest real flow measured (a 100k-rule kube-proxy dump, --explain, 19 endpoints) needs ~14,000. */
export const DEFAULT_MAX_STEPS = 1_000_000;
/**
 * Trace size, in bytes of recorded entries (about their size in the JSON output): the largest
 * real flow measured (a 100k-rule kube-proxy dump, --explain, 19 alternatives) is ~4 MB.
 * 16 MiB keeps the CLI's peak memory near 200 MB when a trace is stopped here.
 */
export const DEFAULT_MAX_TRACE_BYTES = 16 * 1024 * 1024;

/** What a recorded entry costs besides its text: about its pretty-printed JSON field names and punctuation. */
export const ENTRY_BYTES = 256;

export interface TraceBudget {
  /** Steps left; the walk stops when it goes below zero. */
  steps: number;
  /** Bytes left; the walk stops when it goes below zero. */
  bytes: number;
  readonly maxSteps: number;
  readonly maxBytes: number;
  /** Set once a budget ran out: why, and where (for the trace's warning). */
  exhausted: string | null;
}

export function traceBudget(maxSteps = DEFAULT_MAX_STEPS, maxBytes = DEFAULT_MAX_TRACE_BYTES): TraceBudget {
  return { steps: maxSteps, bytes: maxBytes, maxSteps, maxBytes, exhausted: null };
}

/** A budget that never runs out (callers that walk without one, such as unit tests). */
export function unlimitedBudget(): TraceBudget {
  return traceBudget(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
}

/** Why the walk stopped, for the outcome's detail: which budget, its size, the flag that raises it. */
export function budgetReason(b: TraceBudget): string {
  if (b.steps < 0) return `step budget of ${b.maxSteps} used up (rules evaluated, over all hops and alternatives; raise it with --max-steps)`;
  return `trace size budget of ${formatBytes(b.maxBytes)} used up (raise it with --max-trace-size MIB)`;
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}
