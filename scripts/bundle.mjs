/**
 * `npm run bundle`: the CLI as one ESM entry with lazily loaded chunks (dist/bundle/),
 * so start-up compiles only what a trace needs. Module resolution of ~150 files of
 * dist/ dominated start-up before (README, Performance).
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');

/** commander's node:child_process becomes a stand-in that loads the real one on first use. */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)) return undefined;
      return { path: join(root, 'scripts/lazy-child-process.cjs') };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { 'sidecar-trace': join(root, 'src/cli/main.ts'), standin: join(root, 'src/verify/standin.ts') },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir,
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies (commander, cli-table3 …) call require: give the bundle a real one.
  banner: { js: "import { createRequire as __stCreateRequire } from 'node:module'; const require = __stCreateRequire(import.meta.url);" },
  plugins: [lazyChildProcessForCommander],
});
