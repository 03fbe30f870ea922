/**
 * Where the compiled stand-in script is.
 *
 * The stand-ins are separate Node processes, so they need a JavaScript file on disk:
 * standin.ts compiles (with the rest of src/, by `npm run build`) to dist/verify/standin.js.
 * - Running from dist (the CLI, the published package): it is the sibling of this module.
 * - Running from the TypeScript sources (vitest): this module is src/verify/standin-path.ts and
 *   there is no standin.js beside it; the built dist/verify/standin.js is used when it is at
 *   least as new as src/verify/standin.ts. A stale or missing build is an error that says what
 *   to run, never a silent use of old code.
 * - Anyone may pass an explicit path instead (RunOptions.standinScript); the kernel tests do,
 *   with a fresh transpile of src/verify, so they never depend on a build.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function resolveStandinScript(explicit?: string): string {
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new Error(`stand-in script not found: ${explicit}`);
    return explicit;
  }
  const sibling = fileURLToPath(new URL('./standin.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  const source = fileURLToPath(new URL('./standin.ts', import.meta.url));
  const built = fileURLToPath(new URL('../../dist/verify/standin.js', import.meta.url));
  if (existsSync(source)) {
    if (existsSync(built) && statSync(built).mtimeMs >= statSync(source).mtimeMs) return built;
    throw new Error(`the stand-in script is not built or is older than ${source}: run \`npm run build\` first`);
  }
  throw new Error(`stand-in script not found next to ${fileURLToPath(import.meta.url)}`);
}
