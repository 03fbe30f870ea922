/** Flags around the proxy's identity: --iface, --user/--group and their files, the proxy: header line. */
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/core/trace.js';
import { cli, fixture } from '../helpers/cli.js';

const json = async (args: string[]) => {
  const r = await cli([...args, '--format', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Trace;
};

describe('virtual interfaces (kubevirt / reroute-virtual-interfaces)', () => {
  for (const annotation of ['traffic.sidecar.istio.io/kubevirtInterfaces=net1', 'istio.io/reroute-virtual-interfaces=net1']) {
    it(`${annotation}: a flow from the VM on net1 reaches Envoy outbound, then leaves`, async () => {
      const t = await json(['--annotation', annotation, '--in-iface', 'net1', '--src', '10.0.2.2', '--dst', '10.244.2.7:9080']);
      expect(t.hops[0]!.outcome).toMatchObject({ type: 'delivered', role: 'envoy-outbound', address: '10.0.2.1', port: 15001 });
      expect(t.hops[1]!.outcome.type).toBe('egress');
      expect(t.notes.join('\n')).toMatch(/net1 is a virtual interface .*assumed 10\.0\.2\.1\/24 and fd10:0:2::1\/120/);
    });
  }

  it('--iface gives the interface its real address (IPv4 and IPv6), used by REDIRECT', async () => {
    const base = ['--annotation', 'istio.io/reroute-virtual-interfaces=net1', '--in-iface', 'net1', '--iface', 'net1=192.168.7.1/24', '--iface', 'net1=fd00:7::1/64'];
    const v4 = await json([...base, '--src', '192.168.7.2', '--dst', '10.244.2.7:9080']);
    expect(v4.hops[0]!.outcome).toMatchObject({ role: 'envoy-outbound', address: '192.168.7.1' });
    expect(v4.proxy!.settings.find((s) => s.setting === 'iface net1')).toEqual({ setting: 'iface net1', value: '192.168.7.1/24 fd00:7::1/64', from: { kind: 'flag', flag: '--iface' } });
    const v6 = await json([...base, '--src', 'fd00:7::2', '--dst', '[fd00:10:244:2::7]:9080']);
    expect(v6.hops[0]!.outcome).toMatchObject({ role: 'envoy-outbound', address: 'fd00:7::1' });
  });

  it('an excluded NIC is modelled (without an address, said in a note): a flow arriving on it reaches the app directly', async () => {
    const t = await json(['--annotation', 'traffic.sidecar.istio.io/excludeInterfaces=eth1', '--in-iface', 'eth1', '--src', '10.1.1.1', '--dst', 'pod:9080']);
    expect(t.hops).toHaveLength(1);
    expect(t.hops[0]!.outcome).toMatchObject({ type: 'delivered', role: 'app', port: 9080 });
    expect(t.notes.join('\n')).toMatch(/eth1 is named by the rules \(nat PREROUTING rule 1, line \d+\) and modelled without an address/);
  });

  it('a bad --iface is one usage line, exit 2', async () => {
    const r = await cli(['--iface', 'net1=10.0.2.1', '--dst', '10.0.0.1:80']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--iface: "net1=10\.0\.2\.1" is not NAME=ADDR\/PREFIX/);
  });
});

describe('owner names', () => {
  const rules = ['--rules', fixture('identity/owner-names.rules')];

  it('without a mapping the rule is unknown, and the reason names the group and the flag', async () => {
    const t = await json([...rules, '--dst', '10.0.0.1:80']);
    expect(t.hops[0]!.outcome.type).toBe('unknown');
    const step = t.hops[0]!.steps.find((s) => s.verdict === 'unknown')!;
    expect(step.reason).toContain('the group name "java" cannot be resolved offline; give its id with --group java=GID or --group-file');
    expect(t.notes.join('\n')).toContain('exempts the group "java" by name: give its id with --group java=GID');
  });

  it('--group and --user resolve the names: the app passes, the proxy is exempt', async () => {
    const app = await json([...rules, '--group', 'java=1001', '--user', 'envoy=101', '--dst', '10.0.0.1:80']);
    expect(app.hops[0]!.decidedBy).toEqual({ table: 'nat', chain: 'ISTIO_OUTPUT', rule: 3 });
    expect(app.proxy!.uid).toEqual([101]);
    expect(app.proxy!.gid).toEqual([1001]);
    expect(app.hops.at(-1)!.outcome.type).toBe('egress');
    expect(app.hops[1]!.packet).toMatchObject({ uid: 101, gid: 1001 });
  });

  it('--passwd-file and --group-file do the same', async () => {
    const t = await json([...rules, '--passwd-file', fixture('identity/passwd'), '--group-file', fixture('identity/group'), '--dst', '10.0.0.1:80', '--uid', '2000', '--gid', '1001']);
    expect(t.hops[0]!.decidedBy).toEqual({ table: 'nat', chain: 'ISTIO_OUTPUT', rule: 1 });
    expect(t.hops[0]!.outcome.type).toBe('egress');
  });

  it('a bad group file is file:line, exit 2', async () => {
    const file = fixture('identity/group-bad');
    const r = await cli([...rules, '--group-file', file, '--dst', '10.0.0.1:80']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sidecar-trace: ${file}:2: "notanumber" is not a gid (0-4294967294)\n`);
  });
});

describe('the table header', () => {
  it('names where the proxy identity came from', async () => {
    const r = await cli(['--rules', fixture('identity/istio-1.5-mode-redirect.golden.txt'), '--dst', '1.1.2.3:80', '--no-color']);
    expect(r.code).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('proxy: '))!;
    expect(line).toMatch(/^proxy: uid 4321 \(nat ISTIO_OUTPUT rule 4, .*:\d+\), gid 4444 \(nat ISTIO_OUTPUT rule 7, .*\), outbound 12345 \(nat ISTIO_REDIRECT rule 1, .*\), inbound 12345 \(nat ISTIO_IN_REDIRECT rule 1, .*\)/);
    expect(r.stdout).not.toMatch(/around a loop|hop limit/);
  });
});

describe('check files', () => {
  it('accept rules.proxyPort and rules.inboundCapturePort, as the flags', async () => {
    const file = 'rules: { file: test/fixtures/identity/istio-1.5-mode-redirect.golden.txt, proxyPort: 12345 }\nflows:\n  - dst: 1.1.2.3:80\n    expect: { via: envoy-outbound, outcome: egress }\n';
    const r = await cli(['check', '-', '--no-color'], { stdin: file });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const bad = await cli(['check', '-'], { stdin: file.replace('proxyPort: 12345', 'inboundCapturePort: 70000') });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('rules.inboundCapturePort');
  });
});
