/**
 * TPROXY inbound on Istio's own goldens, where the kernel differential over the goldens found the
 * engine wrong. Kernel facts (Linux 6.18, measured in throwaway namespaces laid out as
 * src/verify/netns.ts, with Istio 1.5's mode_tproxy_and_wildcard_port rules):
 * - Envoy's original_src upstream (bound to the client's 10.244.2.7, mark 1337) to the pod's own
 *   10.244.1.5:9080 is caught by TPROXY again (-m socket ignores the app's wildcard listener), and
 *   the transparent listener gets the SYN; its SYN-ACK leaves by eth0 to the real 10.244.2.7,
 *   which answers with a RST (peer TcpOutRsts 4), and connect() times out: no connection.
 * - With SO_MARK 1337 on the listener, or net.ipv4.tcp_fwmark_accept=1, the same handshake
 *   completes: the SYN-ACK's route follows the accepting socket's mark, not the SYN's.
 * - Istio's later rules (CONNMARK --save-mark in PREROUTING, --restore-mark in mangle OUTPUT)
 *   bring the app's SYN-ACK back to table 133, and the kernel delivers it (differential 1.25 TPROXY).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRulesText } from '../../src/sources/rule-text.js';
import { podContext } from '../../src/istio/pod-context.js';
import { defaultPodConfig } from '../../src/istio/config.js';
import { resolveFlow, type FlowInput } from '../../src/istio/flow.js';
import { DEFAULT_MAX_HOPS, traceFlow } from '../../src/istio/trace-flow.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDENS = path.join('test', 'data', 'istio-goldens');

function trace(golden: string, input: FlowInput) {
  const rel = path.join(GOLDENS, golden);
  const ctx = podContext(loadRulesText(readFileSync(path.join(ROOT, rel), 'utf8'), rel, rel), defaultPodConfig());
  const t = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow({ proto: 'tcp', ...input }, ctx.pod), { unknown: 'stop', explain: false, maxHops: DEFAULT_MAX_HOPS }, ctx.notes);
  return { ctx, t };
}

const remoteIn: FlowInput = { src: '10.244.2.7', dst: 'pod:9080' };

describe('Istio 1.5 TPROXY goldens: one proxy port for both directions, no connmark restore', () => {
  // The captured outbound range of each: IPv4 1.1.0.0/16, or only IPv6 2001:db8::/32.
  const goldens = [
    ['1.5.0/scripts/mode_tproxy_and_wildcard_port_golden.txt', '1.1.2.3'],
    ['1.5.0/scripts/mode_tproxy_and_ipv6_golden.txt', '2001:db8::3'],
  ] as const;
  for (const [golden, captured] of goldens) {
    it(`${golden}: Envoy's original_src upstream is caught by TPROXY again, and its handshake never completes`, () => {
      const { t } = trace(golden, remoteIn);
      expect(t.hops.map((h) => h.outcome.type)).toEqual(['delivered', 'dropped']);
      expect(t.hops[0]!.outcome).toMatchObject({ listenerPort: 12345 });
      expect(t.hops[1]!.packet).toMatchObject({ src: '10.244.2.7', mark: 1337 });
      expect(t.hops[1]!.outcome.detail).toMatch(/SYN reaches Envoy outbound \(12345\), but its SYN-ACK to the non-local client address 10\.244\.2\.7 \(no mark.*\) is routed out eth0, not back over lo/);
      expect(t.warnings.join('\n')).not.toMatch(/loop|hop limit/);
    });

    it(`${golden}: the outbound port is ISTIO_REDIRECT's 12345, one transparent listener with TPROXY's --on-port`, () => {
      const { ctx, t } = trace(golden, { dst: captured.includes(':') ? `[${captured}]:80` : `${captured}:80` });
      expect([ctx.pod.ports.outbound, ctx.pod.ports.inbound]).toEqual([12345, 12345]);
      expect(ctx.host.listeners.filter((s) => s.port === 12345).map((s) => [s.role, s.transparent])[0]).toEqual(['envoy-outbound', true]);
      expect(t.hops.map((h) => h.outcome.type)).toEqual(['delivered', 'egress']);
      expect(t.hops[1]!.packet).toMatchObject({ dst: captured, dport: 80 });
    });
  }
});

describe('Istio 1.25 tproxy.golden: ISTIO_IN_REDIRECT is not the outbound capture', () => {
  it('outbound 15001 from ISTIO_REDIRECT, inbound 15006 from TPROXY; the app answers through the restored connmark', () => {
    const { ctx, t } = trace('1.25.0/capture/tproxy.golden', remoteIn);
    expect([ctx.pod.ports.outbound, ctx.pod.ports.inbound]).toEqual([15001, 15006]);
    expect(t.hops.map((h) => h.outcome.type)).toEqual(['delivered', 'delivered']);
    expect(t.hops[0]!.outcome).toMatchObject({ role: 'envoy-inbound', listenerPort: 15006 });
    expect(t.hops[1]!.outcome).toMatchObject({ role: 'app', port: 9080 });
  });
});
