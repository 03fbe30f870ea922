/**
 * The layer rules (.dependency-cruiser.cjs) catch wrong imports: run on a small tree
 * (fixture/) with four wrong imports and three right ones, they name exactly the four.
 * `npm test` runs the same rules on the real tree (`npm run layers`) before vitest.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it('fails on an upward import, I/O in core, styling outside render and a test driving src/cli', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', 'test', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'], {
    cwd: join(ROOT, 'test/layers/fixture'),
    encoding: 'utf8',
  });
  const errors = r.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('error '))
    .map((l) => l.trim().replace(/→ .*node_modules\/(\w+)\/.*/, '→ $1'))
    .sort();
  expect(errors).toEqual([
    'error core-imports-up: src/core/pure.ts → src/cli/flag.ts',
    'error core-is-pure: src/core/pure.ts → fs',
    'error terminal-styling-in-render: src/analysis/logic.ts → chalk',
    'error tests-use-their-layer: test/istio/uses-cli.ts → src/cli/flag.ts',
  ]);
  expect(r.status).toBe(4);
});
