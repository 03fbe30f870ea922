/** Run the CLI in-process against the real file system, capturing output. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundedChunks, readChunks } from '../../src/cli/input-reader.js';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';

export const ROOT = join(import.meta.dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  stdin?: string;
  tty?: boolean;
  stderrTty?: boolean;
  env?: Record<string, string>;
}

export async function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, testIo(opts, (t) => (stdout += t), (t) => (stderr += t)));
  return { code, stdout, stderr };
}

/** The process surface over the real file system, with stdin and the TTY flags as given. */
export function testIo(opts: CliOptions, out: (t: string) => void, err: (t: string) => void): CliIo {
  return {
    stdout: out,
    stderr: err,
    readFile: (p) => readFileSync(p),
    readStdin: () => Buffer.from(opts.stdin ?? '', 'utf8'),
    // The real reader for files; stdin is the string given, under the same limit.
    readInput: (p, what, label, max) => (p === '-' ? boundedChunks([Buffer.from(opts.stdin ?? '', 'utf8')], label, max) : readChunks(p, what, label, max)),
    stdoutIsTTY: opts.tty ?? false,
    stderrIsTTY: opts.stderrTty ?? false,
    env: opts.env ?? {},
    rulesDir: join(ROOT, 'rules'),
    listDir: (p) => readdirSync(p),
  };
}

export function fixture(name: string): string {
  return join(ROOT, 'test/fixtures', name);
}
