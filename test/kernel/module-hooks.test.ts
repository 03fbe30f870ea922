/**
 * Extensions outside their tables or hooks (TPROXY in OUTPUT, -m owner in PREROUTING, …):
 * iptables-restore refuses each case of test/data/module-hooks/cases.yaml in a namespace
 * of ours exactly when sidecar-trace refuses it at load (exit 2, FILE:LINE of the rule),
 * and both accept the rest. Needs Linux and root; skipped elsewhere with one line, except
 * under CI (CI set), where missing capabilities are a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCapabilities } from '../../src/verify/index.js';
import { cli } from '../helpers/cli.js';
import { hookCases } from '../helpers/module-hooks.js';

const caps = checkCapabilities();

if (!caps.ok && process.env.CI) {
  describe('module hooks against the kernel', () => it('can run on this machine (required under CI)', () => expect.fail(caps.message)));
} else if (!caps.ok) {
  console.warn(`[test/kernel] module hooks skipped: ${caps.message}`);
  describe.skip(`module hooks against the kernel (skipped: ${caps.message})`, () => it('needs Linux and root', () => undefined));
} else {
  const { ip, iptablesRestore } = caps.tools;
  const ns = `st-mod-${process.pid}-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'st-mod-'));

  describe('module hooks against the kernel', () => {
    beforeAll(() => {
      execFileSync(ip, ['netns', 'add', ns]);
    });
    afterAll(() => {
      spawnSync(ip, ['netns', 'del', ns]);
      rmSync(dir, { recursive: true, force: true });
    });

    it.each(hookCases().map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
      // Each restore replaces the table it names (no --noflush): the cases do not see each other.
      const kernel = spawnSync(ip, ['netns', 'exec', ns, iptablesRestore], { input: c.text, encoding: 'utf8' });
      expect(kernel.status === 0, `iptables-restore: ${kernel.stderr}`).toBe(c.refusedLine === null);
      if (c.refusedLine !== null) expect(kernel.stderr).toMatch(/Invalid argument|RULE_APPEND failed|failed|Can't use -[io] with/);

      const file = join(dir, `case-${i}.rules`);
      writeFileSync(file, c.text);
      const r = await cli(['--rules', file, '--dst', '10.0.0.9:80', '--no-color']);
      if (c.refusedLine === null) {
        expect(r.code, r.stderr).toBe(0);
      } else {
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`sidecar-trace: ${file}:${c.refusedLine}: ${c.what} is only valid in`);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
    });
  });
}
