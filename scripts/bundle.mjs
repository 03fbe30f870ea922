/**
 * `npm run bundle`: the CLI as one script (dist/bundle/sidecar-trace.cjs) with a V8 code
 * cache beside it, and the verify stand-in (dist/bundle/standin.js).
 *
 * Start-up time is most of a one-trace run. Resolving the ~150 modules of dist/ one by one
 * dominated it first; then compiling the code a run uses. The code cache holds that
 * compiled code, made by one training run here (bin/sidecar-trace.js writes it when
 * SIDECAR_TRACE_CODE_CACHE=write). V8 refuses a cache made by another Node version or with
 * other flags, and the CLI then compiles as usual.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
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

const common = { bundle: true, platform: 'node', target: 'node20', minifySyntax: true, minifyWhitespace: true, logLevel: 'warning' };

rmSync(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [join(root, 'src/cli/main.ts')],
  outfile: join(outdir, 'sidecar-trace.cjs'),
  format: 'cjs',
  // The script runs as CommonJS: import.meta.url is the script's own URL.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyChildProcessForCommander],
});
await build({
  ...common,
  entryPoints: [join(root, 'src/verify/standin.ts')],
  outfile: join(outdir, 'standin.js'),
  format: 'esm',
  sourcemap: true,
});

// The training run: one default-profile trace, as a user's first run makes it.
const trained = spawnSync(process.execPath, [join(root, 'bin/sidecar-trace.js'), '--dst', '10.244.2.7:9080', '--format', 'json'], {
  env: { ...process.env, SIDECAR_TRACE_CODE_CACHE: 'write' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (trained.status !== 0) throw new Error(`the training run for the code cache exited ${trained.status}`);
