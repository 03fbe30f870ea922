/**
 * The random kernel differential's minimised reproducers (test/fixtures/random-kernel/) whose
 * cause was an engine bug, now fixed: each is replayed on the kernel with its own `# replay:`
 * line (`sidecar-trace verify …`), and the engine must agree. One line per reproducer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCapabilities } from '../../src/verify/index.js';
import { cli, ROOT } from '../helpers/cli.js';

const REPRODUCERS: { file: string; expect: 'agree' }[] = [
  { file: 'nat-input-before-security-1.rules', expect: 'agree' },
  { file: 'nat-input-before-security-2.rules', expect: 'agree' },
  { file: 'nat-input-before-security-3.rules', expect: 'agree' },
  { file: 'route-localnet-after-dnat-1.rules', expect: 'agree' },
  { file: 'handshake-reply-dropped-1.rules', expect: 'agree' },
  { file: 'tproxy-to-outbound-port-loop-1.rules', expect: 'agree' },
];

/** The arguments of the file's `# replay: sidecar-trace verify …` line, its --rules made absolute. */
function replayArgs(file: string): string[] {
  const text = readFileSync(join(ROOT, 'test/fixtures/random-kernel', file), 'utf8');
  const line = /^# replay: sidecar-trace (verify .*)$/m.exec(text);
  if (!line) throw new Error(`${file}: no "# replay: sidecar-trace verify" line`);
  const args = line[1]!.trim().split(/\s+/);
  const i = args.indexOf('--rules');
  if (i >= 0) args[i + 1] = join(ROOT, args[i + 1]!);
  return args;
}

const caps = checkCapabilities();

describe.runIf(caps.ok)('random kernel reproducers, replayed on the kernel', () => {
  it.each(REPRODUCERS)('$file: the engine and the kernel $expect', async ({ file }) => {
    const r = await cli([...replayArgs(file), '--format', 'json']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const doc = JSON.parse(r.stdout);
    const differences = doc.results.flatMap((x: { hops: { differences: string[] }[] }) => x.hops.flatMap((h) => h.differences));
    expect(differences).toEqual([]);
    expect(doc.agree).toBe(true);
    expect(r.code).toBe(0);
  }, 60_000);
});
