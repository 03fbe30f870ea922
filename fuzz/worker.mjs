/**
 * A fuzz worker thread: builds input `index` of the run itself (inputs are a pure function of
 * seed and index, so nothing large crosses threads) and checks it with the built CLI. The
 * parent (harness.mjs) owns the limits: it stops this thread when an input runs too long or
 * takes too much memory.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { check, inputFor, loadSeeds, ROOT } from './harness.mjs';

const { run } = await import(join(ROOT, 'dist', 'cli', 'run.js'));
const seeds = loadSeeds();
const dir = workerData.scratch;

parentPort.on('message', async ({ index, determinism }) => {
  const input = inputFor(seeds, workerData.seed, index, { hostile: workerData.hostile, hostileShare: workerData.hostileShare });
  let checkFile;
  if (input.check !== undefined) {
    checkFile = join(dir, `check-${index}.yaml`);
    writeFileSync(checkFile, input.check);
  }
  check.lastCode = undefined;
  const failure = await check(run, input, { determinism, checkFile });
  if (checkFile) rmSync(checkFile, { force: true });
  parentPort.postMessage({ code: check.lastCode, failure });
});
parentPort.postMessage({ ready: true });
