/**
 * Bundle the kernel fuzzer (fuzz/kernel/main.ts, with the src/ it imports) and the verify
 * stand-in into fuzz/kernel/.out with esbuild, already a devDependency: no build of dist/
 * and no TypeScript runner needed.
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' };
await build({ ...common, entryPoints: [join(here, 'main.ts')], outfile: join(here, '.out/main.js') });
await build({ ...common, entryPoints: [join(here, '../../src/verify/standin.ts')], outfile: join(here, '.out/standin.js') });
