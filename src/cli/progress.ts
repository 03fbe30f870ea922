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

export function startProgress(io: CliIo, total: number, label: string, opts: ProgressOptions = {}): Progress {
  const now = opts.now ?? Date.now;
  const delay = opts.delayMs ?? PROGRESS_DELAY_MS;
  const t0 = now();
  let bar: cliProgress.SingleBar | null = null;
  if (!io.stderrIsTTY) return { tick: () => {}, stop: () => {} };
  const columns = Number(io.env.COLUMNS) || 80;
  // cli-progress writes to a stream; this one forwards to the CLI's stderr.
  const stream = { isTTY: true, columns, write: (s: string) => (io.stderr(s), true) } as unknown as NodeJS.WritableStream;
  return {
    tick(done) {
      if (!bar) {
        if (now() - t0 <= delay || done >= total) return;
        bar = new cliProgress.SingleBar(
          { stream, format: `${label} [{bar}] {percentage}% | {value}/{total} flows | ETA {eta_formatted}`, clearOnComplete: true, hideCursor: false, gracefulExit: false, fps: 10 },
          cliProgress.Presets.legacy,
        );
        bar.start(total, done);
        return;
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
