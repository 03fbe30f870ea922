/**
 * Compile the benchmark (bench/*.ts) to bench/.out/*.js with esbuild. Imports of
 * ../src/**.js become imports of the built ../dist/**.js, so the benchmark type-checks
 * against the sources (tsc -p bench) and runs the build (`npm run build`).
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const src = join(root, 'src') + sep;
const outdir = join(here, '.out');

const srcToDist = {
  name: 'src-to-dist',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const abs = resolve(args.resolveDir, args.path);
      if (!abs.startsWith(src)) return undefined;
      const dist = join(root, 'dist', abs.slice(src.length));
      if (!existsSync(dist)) throw new Error(`${dist} does not exist: run \`npm run build\` first`);
      return { path: relative(outdir, dist).split(sep).join('/').replace(/^(?!\.)/, './'), external: true };
    });
  },
};

await build({
  entryPoints: ['run.ts', 'measure.ts', 'rss-hook.ts', 'generate.ts'].map((f) => join(here, f)),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  plugins: [srcToDist],
  logLevel: 'warning',
});
