/**
 * `sidecar-trace verify` end to end: exit 0 when the kernel agrees, 1 when it
 * differs, 2 (with the missing piece named) when it cannot run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCapabilities } from '../../src/verify/index.js';
import { cli, ROOT } from '../helpers/cli.js';

const caps = checkCapabilities();
const BIN = join(ROOT, 'bin', 'sidecar-trace.js');

describe.runIf(process.platform === 'linux' && process.getuid?.() === 0)('verify exit codes', () => {
  it('exits 2 and names the missing piece when not run as root', () => {
    const r = spawnSync(process.execPath, [BIN, 'verify', '--scenario', '2'], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: tmpdir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sidecar-trace: verify cannot run here: .*must run as root/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it.runIf(caps.ok)('exits 0 and prints the side-by-side table when the kernel agrees', async () => {
    const r = await cli(['verify', '--scenario', '2', '--no-color']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ Hop │ Simulated\s+│ Kernel/);
    expect(r.stdout).toContain('kernel and simulation agree');
    expect(r.stdout).toContain('1 flow: 1 agree, 0 differ');
  }, 30_000);
  it.runIf(caps.ok)('exits 1 and shows the difference when the simulation is told to assume wrongly', async () => {
    // -m recent is not modelled; --unknown match assumes it matches, the kernel (empty list) says no.
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-trace-verify-'));
    chmodSync(dir, 0o755);
    const rules = join(dir, 'recent.rules');
    writeFileSync(rules, '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -m recent --name probe --rcheck -j DROP\nCOMMIT\n');
    const r = await cli(['verify', '--rules', rules, '--dst', '10.244.2.7:80', '--unknown', 'match', '--format', 'json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.agree).toBe(false);
    expect(doc.results[0].hops[0].differences.join()).toMatch(/step 1: simulated filter OUTPUT#1 DROP, kernel filter OUTPUT policy:ACCEPT/);
  }, 30_000);
  it.runIf(caps.ok)('maps a rule whose comment holds rule text (issue 12, F5)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-trace-verify-'));
    chmodSync(dir, 0o755);
    const rules = join(dir, 'comment.rules');
    writeFileSync(rules, '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:CHECK - [0:0]\n-A OUTPUT -p tcp -m comment --comment "-A OUTPUT -j DROP" -j CHECK\n-A CHECK -p tcp -j RETURN\nCOMMIT\n');
    const r = await cli(['verify', '--rules', rules, '--dst', '10.244.2.7:80', '--format', 'json']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.agree).toBe(true);
  }, 30_000);
});
