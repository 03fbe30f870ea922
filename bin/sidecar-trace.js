#!/usr/bin/env node
// Runs the one-file bundle that `npm run build` writes after tsc (dist/bundle/sidecar-trace.js):
// resolving and loading the ~150 modules of dist/ one by one dominated start-up. When dist/ is
// newer than the bundle (tsc ran on its own since), the modules run instead: a stale bundle never does.
import { statSync } from 'node:fs';

const bundle = new URL('../dist/bundle/sidecar-trace.js', import.meta.url);
const modules = new URL('../dist/cli/main.js', import.meta.url);
const mtime = (url) => {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return -1;
  }
};
const built = mtime(bundle);
await import((built >= 0 && built >= mtime(modules) ? bundle : modules).href);
