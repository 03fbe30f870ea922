/** Exit-code policy in one place: 0 success, 2 bad input or usage, 1 internal fault. */
import { InputError, UsageError } from '../core/errors.js';
import { showable } from '../render/safe-text.js';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;

/**
 * The one line printed for an error, exit code included. Messages quote input (chain
 * names, file names, flags), so their control characters are escaped: an error must
 * not be a way to send escape sequences to the terminal.
 */
export function describeError(e: unknown): { code: number; message: string } {
  if (e instanceof InputError) return { code: EXIT_USAGE, message: `sidecar-trace: ${showable(e.format())}` };
  if (e instanceof UsageError) return { code: EXIT_USAGE, message: `sidecar-trace: ${showable(e.message)}` };
  const err = e as Error;
  const stack = (err?.stack ?? '').split('\n').map(showable).join('\n');
  return {
    code: EXIT_INTERNAL,
    message: `sidecar-trace: internal error: ${showable(err?.message ?? String(e))}\n${stack}\nThis is a bug in sidecar-trace; please report it with the command line and input.`,
  };
}

/**
 * Commander's own complaints (unknown option, missing argument, bad choice) in the same
 * one-line form: `error: unknown option '--x'\n(Did you mean --ascii?)` becomes
 * `sidecar-trace: unknown option '--x' (Did you mean --ascii?)`.
 */
export function describeCommanderError(message: string): string {
  const line = message.replace(/^error: /, '').trim().split(/\s*\n\s*/).join(' ');
  return `sidecar-trace: ${showable(line)}`;
}
