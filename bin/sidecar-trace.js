#!/usr/bin/env node
// Runs the one-script bundle that `npm run build` writes after tsc (dist/bundle/sidecar-trace.cjs),
// with the V8 code cache the build made beside it, so a run compiles almost nothing. When dist/ is
// newer than the bundle (tsc ran on its own since), the modules run instead: a stale bundle never does.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('../dist/bundle/sidecar-trace.cjs', import.meta.url));
const modules = new URL('../dist/cli/main.js', import.meta.url);
const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};
const built = mtime(bundle);
if (built >= 0 && built >= mtime(fileURLToPath(modules))) runBundle(bundle);
else await import(modules.href);

function runBundle(path) {
  const cachePath = `${path}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(path, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: path, cachedData });
  if (process.env.SIDECAR_TRACE_CODE_CACHE === 'write') {
    // After the run, so the cache holds the functions the run compiled, not only the top level.
    process.once('exit', () => {
      writeFileSync(`${cachePath}.tmp`, script.createCachedData());
      renameSync(`${cachePath}.tmp`, cachePath);
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(path), module, path, dirname(path));
}
