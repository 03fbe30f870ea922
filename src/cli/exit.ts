/** Exit-code policy in one place: 0 success, 2 bad input or usage, 1 internal fault. */
import { InputError, UsageError } from '../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;

export function describeError(e: unknown): { code: number; message: string } {
  if (e instanceof InputError) return { code: EXIT_USAGE, message: `sidecar-trace: ${e.format()}` };
  if (e instanceof UsageError) return { code: EXIT_USAGE, message: `sidecar-trace: ${e.message}` };
  const err = e as Error;
  return {
    code: EXIT_INTERNAL,
    message: `sidecar-trace: internal error: ${err?.message ?? String(e)}\n${err?.stack ?? ''}\nThis is a bug in sidecar-trace; please report it with the command line and input.`,
  };
}
