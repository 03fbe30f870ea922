/**
 * A progress bar on stderr for long batch runs (check, diff). It appears only
 * when stderr is a terminal and the run has already taken more than a second,
 * so short runs, pipes and CI logs (no TTY) never see it.
 *
 * cli-progress draws it: redraw throttling, cursor and line-wrap handling and the
 * clean-up on stop are terminal details a maintained library gets right across
 * terminals, where hand-written escape codes tend to leave debris.
 */
import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

export interface Progress {
  /** `done` items of the total are finished. */
  tick(done: number): void;
  /** Remove the bar (if it was shown). */
  stop(): void;
}

export const PROGRESS_DELAY_MS = 1000;

export interface ProgressOptions {
  /** Clock, injectable for tests. */
  now?: () => number;
  delayMs?: number;
}

/** `total` null: a stream of unknown length (the bar shows the count and the rate only). */
export function startProgress(io: CliIo, total: number | null, label: string, opts: ProgressOptions = {}): Progress {
  const now = opts.now ?? Date.now;
  const delay = opts.delayMs ?? PROGRESS_DELAY_MS;
  const t0 = now();
  const rateOf = (done: number) => Math.round((done * 1000) / Math.max(1, now() - t0)).toLocaleString('en-US');
  let bar: cliProgress.SingleBar | null = null;
  if (!io.stderrIsTTY) return { tick: () => {}, stop: () => {} };
  const columns = Number(io.env.COLUMNS) || 80;
  // cli-progress writes to a stream; this one forwards to the CLI's stderr.
  const stream = { isTTY: true, columns, write: (s: string) => (io.stderr(s), true) } as unknown as NodeJS.WritableStream;
  return {
    tick(done) {
      if (!bar) {
        if (now() - t0 <= delay || (total !== null && done >= total)) return;
        const format =
          total === null ? `${label} {value} flows | {rate} flows/s` : `${label} [{bar}] {percentage}% | {value}/{total} flows | {rate} flows/s | ETA {eta_formatted}`;
        bar = new cliProgress.SingleBar({ stream, format, clearOnComplete: true, hideCursor: false, gracefulExit: false, fps: 10 }, cliProgress.Presets.legacy);
        bar.start(total ?? done, done, { rate: rateOf(done) });
        return;
      }
      // Redraws are throttled by the bar; the rate is worked out only every 256 flows.
      if ((done & 255) === 0) bar.update(done, { rate: rateOf(done) });
      else bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
