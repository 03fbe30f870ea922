/**
 * Flow lists for the generated profiles (rules/istio-1.5, -dns, -tproxy, -cni): a compact core
 * matrix plus what each variant is about. Smaller than flow-matrix.ts on purpose: every flow
 * costs a kernel run, and the whole suite must stay well under ten minutes on two cores.
 *
 * A flow that loops through one listener (a client dialling 15006 directly: in TPROXY mode
 * Envoy then connects to its own inbound port from the client's address, over and over) is
 * replayed as far as the simulation follows it (--max-hops), each stand-in opening exactly
 * the onward connections the trace shows.
 */
import type { DifferentialFlow } from './differential.js';

const REMOTE4 = '10.244.2.7';
const REMOTE6 = 'fd00:10:244:2::7';
const POD6 = 'fd00:10:244:1::5';

export interface Proxy {
  uid: number;
  gid: number;
}

/** Istio's default proxy identity; TPROXY mode runs it as uid 0 / gid 1337. */
export const PROXY_REDIRECT: Proxy = { uid: 1337, gid: 1337 };
export const PROXY_TPROXY: Proxy = { uid: 0, gid: 1337 };

const who = (p: Proxy) => `sidecar (uid ${p.uid} gid ${p.gid})`;

/** The core matrix: inbound, outbound, localhost, own pod IP, Service-to-self, UDP, IPv6. */
export function coreFlows(proxy: Proxy = PROXY_REDIRECT): DifferentialFlow[] {
  return [
    { src: REMOTE4, dst: 'pod:9080', title: 'inbound :9080' },
    { src: REMOTE4, dst: 'pod:15090', title: 'inbound :15090 (Prometheus)' },
    { src: REMOTE4, dst: 'pod:15021', title: 'inbound :15021 (health)' },
    { src: REMOTE4, dst: 'pod:15008', title: 'inbound :15008 (HBONE)' },
    { src: REMOTE4, dst: 'pod:15006', title: 'inbound :15006 (Envoy reached on its own port)' },
    { src: 'pod', dst: `${REMOTE4}:80`, uid: 1000, title: 'app -> remote :80' },
    { src: 'pod', dst: `${REMOTE4}:15008`, uid: 1000, title: 'app -> remote :15008' },
    { src: 'pod', dst: '10.96.0.20:15012', ...proxy, title: `${who(proxy)} -> istiod :15012` },
    { src: 'pod', dst: `${REMOTE4}:80`, uid: 0, gid: 0, title: 'root -> remote :80' },
    { src: 'pod', dst: `${REMOTE4}:80`, uid: 1000, gid: 1337, title: 'uid 1000 gid 1337 -> remote :80' },
    { src: '127.0.0.1', dst: '127.0.0.1:9080', uid: 1000, title: 'app -> localhost :9080' },
    { src: '127.0.0.1', dst: '127.0.0.1:15000', ...proxy, title: `${who(proxy)} -> localhost :15000 (admin)` },
    { src: 'pod', dst: 'pod:9080', uid: 1000, title: 'app -> own pod :9080' },
    { src: 'pod', dst: 'pod:9080', ...proxy, title: `${who(proxy)} -> own pod :9080` },
    { src: 'pod', dst: '10.96.0.15:9080', via: 'pod:9080', uid: 1000, title: 'service-to-self :9080' },
    { src: 'pod', dst: '10.96.0.10:53', proto: 'udp', uid: 1000, title: 'app udp -> 10.96.0.10:53' },
    { src: REMOTE6, dst: `[${POD6}]:9080`, title: 'v6 inbound :9080' },
    { src: POD6, dst: `[${REMOTE6}]:80`, uid: 1000, title: 'v6 app -> remote :80' },
    { src: POD6, dst: `[${POD6}]:9080`, ...proxy, title: `v6 ${who(proxy)} -> own pod :9080` },
  ];
}

/** istio-1.5: the core matrix, the port-22 exclusion, no 15021 exclusion yet, and Envoy reaching declared ports on localhost. */
export function istio15Flows(): DifferentialFlow[] {
  return [
    ...coreFlows(),
    { src: REMOTE4, dst: 'pod:22', title: 'inbound :22 (excluded)' },
    { src: REMOTE4, dst: 'pod:15020', title: 'inbound :15020 (excluded)' },
    { src: REMOTE4, dst: 'pod:3306', title: 'inbound :3306' },
    { src: 'pod', dst: `${REMOTE4}:9080`, ...PROXY_REDIRECT, title: 'sidecar -> remote :9080' },
  ];
}

/** istio-cni: the 15020 exclusions (inbound, and outbound tcp and udp at the top of ISTIO_OUTPUT) plus the core matrix. */
export function cniFlows(): DifferentialFlow[] {
  return [
    ...coreFlows(),
    { src: REMOTE4, dst: 'pod:15020', title: 'inbound :15020 (excluded first)' },
    { src: REMOTE6, dst: `[${POD6}]:15020`, title: 'v6 inbound :15020' },
    { src: 'pod', dst: `${REMOTE4}:15020`, uid: 1000, title: 'app -> remote :15020 (excluded outbound port)' },
    { src: 'pod', dst: `${REMOTE4}:15020`, proto: 'udp', uid: 1000, title: 'app udp -> remote :15020' },
    { src: '127.0.0.1', dst: '127.0.0.1:15020', uid: 1000, title: 'app -> localhost :15020' },
    { src: 'pod', dst: 'pod:15020', ...PROXY_REDIRECT, title: 'sidecar -> own pod :15020 (returned before ISTIO_IN_REDIRECT)' },
    { src: POD6, dst: `[${REMOTE6}]:15020`, uid: 1000, title: 'v6 app -> remote :15020' },
  ];
}

/**
 * DNS capture: the app's UDP and TCP queries to the nameserver go to pilot-agent (uid 1337,
 * 127.0.0.1:15053 udp+tcp), the agent's own queries are exempt, other DNS targets are not
 * captured, and the raw table's CT --zone rules show up as steps (only the first CT rule a
 * packet meets takes effect; the later ones still match and are traced). The raw PREROUTING
 * rule for the nameserver's replies says `-s` on 1.25 (1.20+) and `-d` on 1.13, where it never
 * matches a reply.
 */
export function dnsFlows(version: { nat: 'istio-1.13' | 'istio-1.25' }): DifferentialFlow[] {
  const v125 = version.nat === 'istio-1.25';
  const rawOut = v125 ? 'raw ISTIO_OUTPUT_DNS' : 'raw OUTPUT';
  const sidecar = PROXY_REDIRECT;
  return [
    { src: REMOTE4, dst: 'pod:9080', title: 'inbound :9080' },
    { src: REMOTE4, dst: 'pod:15090', title: 'inbound :15090' },
    { src: 'pod', dst: `${REMOTE4}:80`, uid: 1000, title: 'app -> remote :80' },
    { src: 'pod', dst: '10.96.0.20:15012', ...sidecar, title: 'pilot-agent -> istiod :15012' },
    { src: 'pod', dst: 'pod:9080', uid: 1000, title: 'app -> own pod :9080' },
    { src: 'pod', dst: '10.96.0.15:9080', via: 'pod:9080', uid: 1000, title: 'service-to-self :9080' },
    // The app's queries to the nameserver: zone 2 in raw, REDIRECT to 15053.
    { src: 'pod', dst: '10.96.0.10:53', proto: 'udp', uid: 1000, title: 'app dns udp -> nameserver (to 15053)', kernelSteps: [`${rawOut}#5 CT`, v125 ? 'nat ISTIO_OUTPUT_DNS#2 REDIRECT' : 'nat OUTPUT#4 REDIRECT'] },
    { src: 'pod', dst: '10.96.0.10:53', proto: 'tcp', uid: 1000, title: 'app dns tcp -> nameserver (to 15053)', kernelSteps: [v125 ? 'nat ISTIO_OUTPUT_DNS#1 REDIRECT' : 'nat ISTIO_OUTPUT#8 REDIRECT'] },
    { src: 'pod', dst: '10.96.0.10:53', proto: 'udp', uid: 1000, gid: 1337, title: 'uid 1000 gid 1337 dns udp (exempt by gid)', kernelSteps: [`${rawOut}#3 CT`] },
    // The sidecar's own (pilot-agent's upstream) queries: zone 1, not redirected.
    { src: 'pod', dst: '10.96.0.10:53', proto: 'udp', ...sidecar, title: 'pilot-agent dns udp -> nameserver (exempt)', kernelSteps: [`${rawOut}#1 CT`] },
    { src: 'pod', dst: '10.96.0.10:53', proto: 'tcp', ...sidecar, title: 'pilot-agent dns tcp -> nameserver (exempt)' },
    // Not a nameserver of the pod: UDP passes untouched, TCP goes through Envoy like any port.
    { src: 'pod', dst: '8.8.8.8:53', proto: 'udp', uid: 1000, title: 'app dns udp -> 8.8.8.8 (not a nameserver)' },
    { src: 'pod', dst: '8.8.8.8:53', proto: 'tcp', uid: 1000, title: 'app dns tcp -> 8.8.8.8 (not a nameserver)' },
    // The agent itself, locally.
    { src: '127.0.0.1', dst: '127.0.0.1:15053', proto: 'udp', uid: 1000, title: 'app udp -> 127.0.0.1:15053' },
    { src: '127.0.0.1:15053', dst: '127.0.0.1:41000', proto: 'udp', ...sidecar, title: 'pilot-agent answers from :15053 (zone 2)', kernelSteps: [`${rawOut}#2 CT`] },
    // A reply-like datagram from the nameserver's port 53 (the raw PREROUTING rule: -s since 1.20).
    { src: '10.96.0.10:53', dst: 'pod:40000', proto: 'udp', title: 'datagram from nameserver :53', ...(v125 ? { kernelSteps: ['raw ISTIO_INBOUND#1 CT'] } : {}) },
    // Port 53 guards in ISTIO_OUTPUT (`! --dport 53`): the app's TCP to its own pod :53 is not returned by the -o lo rule.
    { src: 'pod', dst: 'pod:53', proto: 'tcp', uid: 1000, title: 'app tcp -> own pod :53' },
    { src: '127.0.0.1', dst: '127.0.0.1:53', proto: 'tcp', uid: 1000, title: 'app tcp -> localhost :53' },
    { src: 'pod', dst: 'pod:53', proto: 'tcp', ...sidecar, title: 'sidecar tcp -> own pod :53' },
    { src: 'pod', dst: 'pod:53', proto: 'udp', uid: 1000, title: 'app udp -> own pod :53' },
    { src: POD6, dst: '[fd00:10:244:2::10]:53', proto: 'udp', uid: 1000, title: 'v6 app dns udp (no IPv6 nameserver)' },
    { src: POD6, dst: '[fd00:10:244:2::10]:53', proto: 'udp', ...sidecar, title: 'v6 pilot-agent dns udp (zone 1)', kernelSteps: [`${rawOut.replace('raw', 'raw(ip6)')}#1 CT`] },
  ];
}

/**
 * TPROXY mode (proxy uid 0 / gid 1337): inbound capture in mangle, Envoy's original_src
 * upstream from the client's address with mark 1337 (replayed with IP_TRANSPARENT + SO_MARK),
 * the 1338 mark for the proxy's calls to its own pod, outbound REDIRECT as usual.
 */
export function tproxyFlows(): DifferentialFlow[] {
  const p = PROXY_TPROXY;
  const originalSrc = ['mangle OUTPUT#1 RETURN', 'mangle ISTIO_INBOUND#1 RETURN'];
  return [
    // Inbound application ports: TPROXY to 15006, then original_src to the app.
    { src: REMOTE4, dst: 'pod:9080', title: 'inbound :9080', kernelSteps: ['mangle ISTIO_TPROXY#1 TPROXY', ...originalSrc] },
    { src: REMOTE4, dst: 'pod:8080', title: 'inbound :8080', kernelSteps: originalSrc },
    { src: `${REMOTE4}:5555`, dst: 'pod:3306', title: 'inbound :3306 from port 5555' },
    { src: REMOTE6, dst: `[${POD6}]:9080`, title: 'v6 inbound :9080', kernelSteps: originalSrc.map((s) => s.replace('mangle', 'mangle(ip6)')) },
    // Inbound Istio ports: 15090/15021/15020 returned in mangle; 15008 is TPROXYed (nat's 15008 exclusion is never jumped to).
    { src: REMOTE4, dst: 'pod:15090', title: 'inbound :15090 (excluded)' },
    { src: REMOTE4, dst: 'pod:15021', title: 'inbound :15021 (excluded)' },
    { src: REMOTE4, dst: 'pod:15020', title: 'inbound :15020 (excluded)' },
    { src: REMOTE4, dst: 'pod:15008', title: 'inbound :15008 (captured by TPROXY)' },
    // Envoy's original_src upstream to its own port 15006 is accepted again: a real loop, replayed up to --max-hops.
    { src: REMOTE4, dst: 'pod:15006', title: 'inbound :15006 (loops through Envoy until the hop limit)' },
    { src: REMOTE6, dst: `[${POD6}]:15090`, title: 'v6 inbound :15090' },
    // Outbound: the app through 15001; the proxy (gid 1337) returned by the gid rule.
    { src: 'pod', dst: `${REMOTE4}:80`, uid: 1000, title: 'app -> remote :80' },
    { src: 'pod', dst: `${REMOTE4}:9080`, uid: 1000, title: 'app -> remote :9080' },
    { src: 'pod', dst: `${REMOTE4}:80`, ...p, title: 'sidecar (uid 0 gid 1337) -> remote :80' },
    { src: 'pod', dst: '10.96.0.20:15012', ...p, title: 'sidecar (uid 0 gid 1337) -> istiod :15012' },
    { src: 'pod', dst: `${REMOTE4}:80`, uid: 1337, gid: 1337, title: 'uid 1337 -> remote :80' },
    { src: POD6, dst: `[${REMOTE6}]:80`, uid: 1000, title: 'v6 app -> remote :80' },
    // Service-to-self: 15001, then Envoy to its own pod: mark 1338, TPROXY to 15006, original_src from the pod IP.
    { src: 'pod', dst: '10.96.0.15:9080', via: 'pod:9080', uid: 1000, title: 'service-to-self :9080', kernelSteps: ['mangle OUTPUT#3 MARK', 'mangle ISTIO_TPROXY#1 TPROXY'] },
    { src: POD6, dst: '[fd00:10:96::15]:9080', via: `[${POD6}]:9080`, uid: 1000, title: 'v6 service-to-self :9080' },
    // Own pod IP.
    { src: 'pod', dst: 'pod:9080', uid: 1000, title: 'app -> own pod :9080' },
    { src: 'pod', dst: 'pod:9080', ...p, title: 'sidecar (uid 0 gid 1337) -> own pod :9080' },
    { src: 'pod', dst: 'pod:15021', ...p, title: 'sidecar (uid 0 gid 1337) -> own pod :15021' },
    { src: POD6, dst: `[${POD6}]:9080`, ...p, title: 'v6 sidecar (uid 0 gid 1337) -> own pod :9080' },
    // Localhost.
    { src: '127.0.0.1', dst: '127.0.0.1:9080', uid: 1000, title: 'app -> localhost :9080' },
    { src: '127.0.0.1', dst: '127.0.0.1:15000', ...p, title: 'sidecar (uid 0 gid 1337) -> localhost :15000' },
    { src: 'pod', dst: '10.96.0.10:53', proto: 'udp', uid: 1000, title: 'app udp -> 10.96.0.10:53 (not captured)' },
  ];
}
