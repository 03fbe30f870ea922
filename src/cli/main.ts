/** Entry point: wire the real process into the CLI. The only file that calls process.exit. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';
import { readChunks } from './input-reader.js';
import { run } from './run.js';
import { isGone, writeAllSync, writevAllSync } from './stdio.js';

const rulesDir = fileURLToPath(new URL('../../rules/', import.meta.url));

if (!isMainThread && (workerData as { sidecarTraceWorker?: boolean } | null)?.sidecarTraceWorker) {
  void import('./trace-worker.js').then((w) => w.runWorker());
} else {
  startCli();
}

function startCli(): void {
void run(process.argv.slice(2), {
  stdout: (t) => writeAllSync(1, t),
  stdoutBytes: (parts) => writevAllSync(1, parts),
  stdoutClosed: () => isGone(1),
  stderr: (t) => writeAllSync(2, t),
  readFile: (p) => readFileSync(p),
  readStdin: () => readFileSync(0),
  readInput: readChunks,
  // Asked only for output that has colours or progress bars: the streams start only then.
  get stdoutIsTTY() {
    return Boolean(process.stdout.isTTY);
  },
  get stderrIsTTY() {
    return Boolean(process.stderr.isTTY);
  },
  env: process.env,
  rulesDir,
  listDir: (p) => readdirSync(p),
  workerScript: fileURLToPath(import.meta.url),
}).then((code) => {
  process.exitCode = code;
});
}
