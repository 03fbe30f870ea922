/**
 * The minimised reproducers of the random kernel differential (test/fixtures/random-kernel/)
 * that are fixed, replayed on the kernel:
 *   agree:   `sidecar-trace verify` with the file's `# replay:` line agrees on every hop;
 *   refused: sidecar-trace refuses the file at load (exit 2, one line naming the rule's line)
 *            and iptables-restore refuses it too, in a namespace of ours.
 * Needs Linux and root; skipped elsewhere with one line, except under CI.
 * One line per file: add a reproducer here when its cause is fixed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCapabilities } from '../../src/verify/index.js';
import { cli, fixture } from '../helpers/cli.js';

const REPRODUCERS: Array<{ file: string; expect: 'agree' | 'refused' }> = [
  { file: 'statistic-certain-branch-1.rules', expect: 'agree' },
  { file: 'statistic-certain-branch-2.rules', expect: 'agree' },
  { file: 'statistic-certain-branch-3.rules', expect: 'agree' },
  { file: 'socket-nowildcard-1.rules', expect: 'agree' },
  { file: 'socket-nowildcard-2.rules', expect: 'agree' },
  { file: 'socket-listeners-1.rules', expect: 'agree' },
  { file: 'socket-listeners-2.rules', expect: 'agree' },
  { file: 'refusal-in-iface-in-output.rules', expect: 'refused' },
  { file: 'refusal-masquerade-in-input.rules', expect: 'refused' },
  { file: 'refusal-owner-in-input.rules', expect: 'refused' },
  { file: 'refusal-tproxy-in-output.rules', expect: 'refused' },
  { file: 'nat-input-before-security-1.rules', expect: 'agree' },
  { file: 'nat-input-before-security-2.rules', expect: 'agree' },
  { file: 'nat-input-before-security-3.rules', expect: 'agree' },
  { file: 'route-localnet-after-dnat-1.rules', expect: 'agree' },
  { file: 'handshake-reply-dropped-1.rules', expect: 'agree' },
  { file: 'tproxy-to-outbound-port-loop-1.rules', expect: 'agree' },
  { file: 'tproxy-listener-started-1.rules', expect: 'agree' },
];

/** The arguments of the file's `# replay: sidecar-trace verify …` line (no quoted words in them). */
function replayArgs(text: string): string[] {
  const line = /^# replay: sidecar-trace (verify .*)$/m.exec(text);
  if (!line) throw new Error('no "# replay: sidecar-trace verify" line');
  return line[1]!.trim().split(/\s+/);
}

const caps = checkCapabilities();

if (!caps.ok && process.env.CI) {
  describe('random reproducers', () => it('can run on this machine (required under CI)', () => expect.fail(caps.message)));
} else if (!caps.ok) {
  console.warn(`[test/kernel] random reproducers skipped: ${caps.message}`);
  describe.skip(`random reproducers (skipped: ${caps.message})`, () => it('needs Linux and root', () => undefined));
} else {
  const { ip, iptablesRestore } = caps.tools;
  const ns = `st-rep-${process.pid}-${randomBytes(3).toString('hex')}`;

  describe('random kernel reproducers, fixed', () => {
    beforeAll(() => {
      execFileSync(ip, ['netns', 'add', ns]);
    });
    afterAll(() => {
      spawnSync(ip, ['netns', 'del', ns]);
    });

    it.each(REPRODUCERS.map((r) => [r.file, r.expect] as const))('%s: %s', async (name, expected) => {
      const file = fixture(`random-kernel/${name}`);
      const text = readFileSync(file, 'utf8');
      if (expected === 'agree') {
        const args = replayArgs(text).map((a) => (a.endsWith(name) ? file : a));
        const r = await cli([...args, '--format', 'json']);
        expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
        expect(JSON.parse(r.stdout).agree).toBe(true);
        return;
      }
      // The whole file as iptables-restore reads it (its comments are comments there too).
      const kernel = spawnSync(ip, ['netns', 'exec', ns, iptablesRestore], { input: text, encoding: 'utf8' });
      expect(kernel.status, 'iptables-restore accepted it').not.toBe(0);
      const r = await cli(['--rules', file, '--dst', '10.0.0.9:80', '--no-color']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      const at = new RegExp(`^sidecar-trace: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+): `).exec(r.stderr);
      expect(at, r.stderr).not.toBeNull();
      // The line we name is the one the kernel refused, as the file's header says.
      const refused = /^# the refused line: (.*)$/m.exec(text)?.[1];
      const ours = text.split('\n')[Number(at![1]) - 1];
      if (refused !== undefined) expect(ours).toBe(refused);
      else {
        const says = /Can't use -[io] with \w+/.exec(kernel.stderr)?.[0];
        expect(says, kernel.stderr).toBeDefined();
        expect(r.stderr).toContain(says);
      }
    });
  });
}
