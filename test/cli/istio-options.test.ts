/** Rules from Istio configuration: annotations, versions, manifests, and the rules subcommand. */
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/core/trace.js';
import { NEWEST_KNOWN } from '../../src/istio/generator/index.js';
import { cli, fixture } from '../helpers/cli.js';

const json = async (args: string[]) => {
  const r = await cli([...args, '--format', 'json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Trace;
};

describe('Istio options as the rule source', () => {
  it('excludeOutboundPorts=3306: MySQL leaves without Envoy, decided by the exclusion rule', async () => {
    const t = await json(['--annotation', 'traffic.sidecar.istio.io/excludeOutboundPorts=3306', '--dst', '10.96.0.30:3306']);
    expect(t.hops).toHaveLength(1);
    expect(t.hops[0]!.decidedBy).toEqual({ table: 'nat', chain: 'ISTIO_OUTPUT', rule: 1 });
    expect(t.hops[0]!.steps[1]!.text).toBe('-A ISTIO_OUTPUT -p tcp -m tcp --dport 3306 -j RETURN');
    expect(t.hops[0]!.outcome).toMatchObject({ type: 'egress', address: '10.96.0.30', port: 3306 });
    // No --istio-version: the newest known release (one place: NEWEST_KNOWN).
    const current = `1.${NEWEST_KNOWN.minor}.${NEWEST_KNOWN.patch}`;
    expect(t.ruleset).toMatchObject({ source: `istio:${current}`, format: 'generated', origin: { generator: 'istio-iptables', istioVersion: current, annotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': '3306' } } });
  });

  // The numbering differences of reference §1.10, for the app's outbound rule (the final -j ISTIO_REDIRECT).
  const numbering: Array<[string, string[], number]> = [
    ['1.13 default', ['--istio-version', '1.13'], 9],
    ['current default', ['--istio-version', 'current'], 9],
    ['1.13 + one excluded port', ['--istio-version', '1.13', '--annotation', 'traffic.sidecar.istio.io/excludeOutboundPorts=3306'], 10],
    ['current + one excluded port (tcp and udp twins)', ['--annotation', 'traffic.sidecar.istio.io/excludeOutboundPorts=3306'], 11],
    ['1.13 istio-cni', ['--istio-version', '1.13', '--installer', 'cni'], 10],
    ['current istio-cni', ['--installer', 'cni'], 11],
    ['1.13 DNS capture (one nameserver)', ['--istio-version', '1.13', '--annotation', 'proxy.istio.io/config=proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}'], 10],
    ['current DNS capture', ['--annotation', 'proxy.istio.io/config={"proxyMetadata":{"ISTIO_META_DNS_CAPTURE":"true"}}'], 10],
    ['1.13 DNS capture, two nameservers', ['--istio-version', '1.13', '--annotation', 'proxy.istio.io/config=proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}', '--dns-server', '10.96.0.10', '--dns-server', '10.96.0.11'], 11],
  ];
  for (const [name, args, rule] of numbering) {
    it(`${name}: the app is captured by ISTIO_OUTPUT rule ${rule}`, async () => {
      const t = await json([...args, '--dst', '10.244.2.7:9080']);
      expect(t.hops[0]!.decidedBy).toEqual({ table: 'nat', chain: 'ISTIO_OUTPUT', rule });
      expect(t.hops[0]!.outcome.role).toBe('envoy-outbound');
    });
  }

  it('DNS capture: UDP to the nameserver goes to pilot-agent 15053, with the raw CT zone steps', async () => {
    const t = await json(['--istio-version', '1.13', '--annotation', 'proxy.istio.io/config=proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}', '--dst', '10.96.0.10:53', '--proto', 'udp']);
    const steps = t.hops[0]!.steps.map((s) => `${s.table} ${s.chain} ${s.target}`);
    expect(steps).toContain('raw OUTPUT CT');
    expect(t.hops[0]!.steps.find((s) => s.target === 'REDIRECT')!.nat).toEqual({ manip: 'dst', from: '10.96.0.10:53', to: '127.0.0.1:15053' });
    expect(t.hops[0]!.outcome).toMatchObject({ type: 'delivered', role: 'agent-dns', port: 15053 });
  });

  it('--pod reads a Deployment: annotations and container ports', async () => {
    const t = await json(['--pod', fixture('manifests/reviews-deployment.yaml'), '--dst', '10.96.0.30:3306']);
    expect(t.hops[0]!.decidedBy).toMatchObject({ chain: 'ISTIO_OUTPUT', rule: 1 });
    const inbound = await json(['--pod', fixture('manifests/reviews-deployment.yaml'), '--src', '10.244.2.7', '--dst', 'pod:9090']);
    expect(inbound.hops).toHaveLength(1);
    expect(inbound.hops[0]!.decidedBy).toMatchObject({ chain: 'ISTIO_INBOUND' });
    expect(inbound.hops[0]!.steps.find((s) => s.table === 'nat' && s.chain === 'ISTIO_INBOUND')!.text).toBe('-A ISTIO_INBOUND -p tcp -m tcp --dport 9090 -j RETURN');
  });

  it('--pod reads a Pod with status.podIPs and TPROXY mode', async () => {
    const t = await json(['--pod', fixture('manifests/productpage-pod.yaml'), '--src', '10.244.2.7', '--dst', 'pod:9080']);
    expect(t.hops[0]!.packet.dst).toBe('10.244.3.17');
    expect(t.notes.join()).toMatch(/TPROXY mode/);
    expect(t.hops[0]!.outcome).toMatchObject({ type: 'delivered', role: 'envoy-inbound', listenerPort: 15006, port: 9080 });
    expect(t.hops[1]!.packet).toMatchObject({ src: '10.244.2.7', uid: 0, gid: 1337, mark: 1337 });
  });

  const errors: Array<[string, string[], RegExp]> = [
    ['an unknown annotation names it', ['--annotation', 'traffic.sidecar.istio.io/excludeOutboundPortz=1'], /unknown Istio annotation "traffic\.sidecar\.istio\.io\/excludeOutboundPortz" \(did you mean/],
    ['a malformed value names the annotation', ['--annotation', 'traffic.sidecar.istio.io/excludeOutboundPorts=abc'], /annotation traffic\.sidecar\.istio\.io\/excludeOutboundPorts: "abc" is not valid/],
    ['not KEY=VALUE', ['--annotation', 'novalue'], /--annotation: "novalue" is not KEY=VALUE/],
    ['a bad version', ['--istio-version', '2.x'], /bad Istio version "2\.x"/],
    ['dump and options together', ['--profile', 'istio-1.13', '--annotation', 'traffic.sidecar.istio.io/excludeOutboundPorts=1'], /are alternatives/],
  ];
  for (const [name, args, message] of errors) {
    it(`${name} (exit 2)`, async () => {
      const r = await cli([...args, '--dst', '10.244.2.7:80']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('sidecar-trace rules', () => {
  it('prints iptables-save text that loads back to the same trace', async () => {
    const save = (await cli(['rules', '--istio-version', '1.13', '--annotation', 'traffic.sidecar.istio.io/excludeOutboundPorts=3306'])).stdout;
    expect(save).toContain('-A ISTIO_OUTPUT -p tcp -m tcp --dport 3306 -j RETURN');
    const direct = await cli(['--istio-version', '1.13', '--annotation', 'traffic.sidecar.istio.io/excludeOutboundPorts=3306', '--dst', '10.244.2.7:80', '--format', 'path']);
    const reloaded = await cli(['--rules', '-', '--dst', '10.244.2.7:80', '--format', 'path'], { stdin: save });
    expect(reloaded.stdout).toBe(direct.stdout);
  });
  it('--format restore prints what istio-iptables feeds iptables-restore', async () => {
    const out = (await cli(['rules', '--istio-version', '1.13', '--format', 'restore'])).stdout;
    expect(out).toMatch(/^# iptables-restore input \(IPv4\), istio:1\.13\.0\n\* nat\n-N ISTIO_INBOUND\n/);
    expect(out).toContain('-A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN');
  });

  it.each([['1.99'], ['1.4'], [`1.${NEWEST_KNOWN.minor + 1}.0`]])('--istio-version %s is refused with exit 2 in one line naming the known range', async (v) => {
    const r = await cli(['--istio-version', v, '--dst', '10.0.0.1:80']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^sidecar-trace: Istio 1\\.\\d+(\\.0)? is not known \\(known: 1\\.5 … 1\\.${NEWEST_KNOWN.minor}[;)].*\\n$`));
  });

  it('--istio-version NEWEST and current give the same rules', async () => {
    const newest = `1.${NEWEST_KNOWN.minor}`;
    const a = (await cli(['rules', '--istio-version', newest, '--format', 'restore'])).stdout;
    const b = (await cli(['rules', '--istio-version', 'current', '--format', 'restore'])).stdout;
    expect(a).toBe(b);
    expect(a).toContain(`istio:${newest}.0`);
  });

  it.each([
    [['--istio-version', '1.26'], false],
    [['--istio-version', '1.27'], true],
    [['--istio-version', '1.27', '--annotation', 'sidecar.istio.io/nativeSidecar=false'], false],
    [['--istio-version', '1.26', '--annotation', 'sidecar.istio.io/nativeSidecar=true'], true],
  ] as const)('%j records nativeSidecars %s in the origin (1.27+ default; the annotation wins)', async (args, native) => {
    const t = JSON.parse((await cli([...args, '--dst', '10.0.0.1:80', '--format', 'json'])).stdout) as Trace;
    expect(t.ruleset).toMatchObject({ origin: { nativeSidecars: native } });
  });
});
