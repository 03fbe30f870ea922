/**
 * Running programs: always an argument array (never a shell), input on stdin, bounded time.
 */
import { spawn } from 'node:child_process';
import { SYSTEM_DIRS } from './capabilities.js';

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    detail: string,
  ) {
    super(`${argv.join(' ')}: ${detail}${stderr.trim() ? `\n${stderr.trim()}` : ''}`);
    this.name = 'CommandError';
  }
}

export interface RunOptions {
  /** Written to the program's stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
  /** Accept a non-zero exit instead of throwing. */
  allowFailure?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/** Run `file args…` to completion. Kills only the process it started (by its pid) on timeout. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const argv = [file, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: minimalEnv() });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 15_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new CommandError(argv, null, stderr, err.message));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new CommandError(argv, code, stderr, `timed out after ${opts.timeoutMs ?? 15_000} ms`));
      if (code !== 0 && !opts.allowFailure) {
        return reject(new CommandError(argv, code, stderr, signal ? `killed by ${signal}` : `exit code ${code}`));
      }
      resolve({ stdout, stderr, exitCode: code });
    });
    child.stdin.on('error', () => undefined); // a program that exits early closes its stdin
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * The environment for every program we start: enough to run, nothing that changes behaviour
 * (NODE_OPTIONS…). PATH is the system directories, never the caller's: a program that runs
 * another by name (iptables-restore loading a module…) finds the system's.
 */
export function minimalEnv(): NodeJS.ProcessEnv {
  return { PATH: SYSTEM_DIRS.join(':'), LC_ALL: 'C' };
}
