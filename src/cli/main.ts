/** Entry point: wire the real process into the CLI. The only file that calls process.exit. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from './run.js';

const rulesDir = fileURLToPath(new URL('../../rules/', import.meta.url));

const code = await run(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readFile: (p) => readFileSync(p),
  readStdin: () => readFileSync(0),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  env: process.env,
  rulesDir,
  listDir: (p) => readdirSync(p),
});
process.exitCode = code;
