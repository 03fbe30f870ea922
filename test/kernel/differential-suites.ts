/**
 * The kernel differential suites as one table: each rule set (a profile in rules/ or a file)
 * with the flows that are simulated and replayed on the kernel (differential.ts). The test
 * files differential-suites-I-of-N.test.ts each run a slice of it, so vitest runs them side by
 * side. A new suite is one line here. Istio's own goldens have their own corpus and parts
 * (istio-goldens-differential.ts).
 */
import type { DifferentialFlow } from './differential.js';
import { flowMatrix } from './flow-matrix.js';
import { cniFlows, dnsFlows, istio15Flows, tproxyFlows } from './profile-flows.js';

export interface DifferentialSuiteSpec {
  /** A profile name (rules/NAME.rules) or a path relative to the project root. */
  profile: string;
  flows: DifferentialFlow[];
}

export const SUITES: DifferentialSuiteSpec[] = [
  { profile: 'istio-1.5', flows: istio15Flows() },
  { profile: 'istio-1.10', flows: flowMatrix() },
  { profile: 'istio-1.13', flows: flowMatrix() },
  { profile: 'istio-1.13-cni', flows: cniFlows() },
  { profile: 'istio-1.13-dns', flows: dnsFlows({ nat: 'istio-1.13' }) },
  { profile: 'istio-1.13-tproxy', flows: tproxyFlows() },
  { profile: 'istio-1.25', flows: flowMatrix() },
  { profile: 'istio-1.25-cni', flows: cniFlows() },
  { profile: 'istio-1.25-dns', flows: dnsFlows({ nat: 'istio-1.25' }) },
  { profile: 'istio-1.25-tproxy', flows: tproxyFlows() },
  // Every other flow of the IPv4 matrix: the mixed tables matter, not the matrix twice over.
  { profile: 'test/fixtures/mixed/istio-1.25-mixed.rules', flows: flowMatrix({ ipv6: false }).filter((_, i) => i % 2 === 0) },
  {
    profile: 'test/fixtures/identity/istio-1.25-dns-uid-gid.golden',
    flows: [
      { title: 'app -> remote (not captured: no outbound jump in this golden)', dst: '10.244.2.7:9080' },
      { title: 'proxy uid 3 -> remote', dst: '10.244.2.7:9080', uid: 3, gid: 3 },
      { title: 'proxy uid 4 (second listed) -> remote', dst: '10.244.2.7:9080', uid: 4, gid: 4 },
      { title: 'proxy gid 2 (second listed) -> remote', dst: '10.244.2.7:9080', uid: 1000, gid: 2 },
      { title: 'app -> DNS over tcp, to the DNS proxy', dst: '127.0.0.53:53' },
    ],
  },
  {
    profile: 'test/fixtures/identity/istio-1.5-mode-redirect.golden.txt',
    flows: [
      { title: 'app -> included range: Envoy 12345 as uid 4321, then out', dst: '1.1.2.3:80' },
      { title: 'app -> excluded range', dst: '9.9.1.1:80' },
      { title: 'remote -> included inbound port 5555 through Envoy 12345', src: '10.244.2.7', dst: 'pod:5555' },
      { title: 'remote -> port not included', src: '10.244.2.7', dst: 'pod:7777' },
    ],
  },
  // TPROXY with the same identity: Envoy runs as uid 0 and is exempted by gid 4444 (ISTIO_OUTPUT rule 7).
  {
    profile: 'test/fixtures/identity/istio-1.5-mode-tproxy.golden.txt',
    flows: [
      { title: 'TPROXY: app -> included range through Envoy 12345', dst: '1.1.2.3:80' },
      // One port for both directions: the model's listener on 12345 is Envoy's outbound one, not
      // transparent, so TPROXY drops; the kernel, given the same listener, agrees. (Real Envoy marks it
      // transparent in TPROXY mode; following that is open.)
      { title: 'TPROXY: remote -> included inbound port 5555, TPROXY to the outbound listener 12345', src: '10.244.2.7', dst: 'pod:5555' },
      { title: 'TPROXY: remote -> port not included', src: '10.244.2.7', dst: 'pod:8888' },
    ],
  },
  // The kernel's hook model (issue 13): conntrack matches in raw see no entry, re-routing after
  // nat OUTPUT refuses a loopback source on eth0, and a connection exists only if the SYN-ACK
  // gets back (DROP policy, REJECT, an owner match that sees the listener's uid on its SYN-ACK).
  {
    profile: 'test/fixtures/hooks/nat-null-binding.rules',
    flows: [
      { src: 'pod', dst: 'pod:9080', uid: 1000, title: 'local: null binding at OUTPUT, the PREROUTING DNAT does not apply over lo' },
      { src: '10.244.2.7', dst: 'pod:9080', title: 'remote: DNATed to :9999 in nat PREROUTING', kernelSteps: ['nat PREROUTING#1'] },
    ],
  },
  {
    profile: 'test/fixtures/hooks/raw-conntrack.rules',
    flows: [
      { src: '10.244.2.7', dst: 'pod:9080', title: 'inbound SYN: raw sees INVALID, connmark never matches; mangle sees NEW', kernelSteps: ['raw PREROUTING#4', 'mangle PREROUTING#1'] },
      { src: 'pod', dst: '10.244.2.7:9080', uid: 1000, title: 'outbound SYN: raw OUTPUT sees INVALID', kernelSteps: ['raw OUTPUT#1', 'mangle OUTPUT#1'] },
      { src: 'pod', dst: 'pod:9080', uid: 1000, title: 'looped back: raw PREROUTING sees the entry (NEW)', kernelSteps: ['raw OUTPUT#1', 'raw PREROUTING#3'] },
    ],
  },
  {
    profile: 'test/fixtures/hooks/reroute-localnet.rules',
    flows: [
      { src: '127.0.0.1', dst: '127.0.0.1:15090', uid: 0, gid: 0, title: 'uid 0 127.0.0.1 -> 127.0.0.1:15090 DNATed to 10.244.2.7: dropped in nat OUTPUT', kernelSteps: ['nat OUTPUT#1'] },
      { src: 'pod', dst: 'pod:15090', uid: 0, gid: 0, title: 'the pod IP DNATed to 10.244.2.7: leaves by eth0', kernelSteps: ['nat OUTPUT#1', 'filter OUTPUT#1'] },
    ],
  },
  {
    profile: 'test/fixtures/hooks/synack-filter.rules',
    flows: [
      { src: 'pod', dst: '10.244.2.7:9080', uid: 1000, title: "app -> remote: the SYN passes, Envoy's SYN-ACK on lo is dropped", kernelSteps: ['nat OUTPUT#1', 'filter OUTPUT#1'] },
      { src: 'pod', dst: '10.244.2.7:9080', uid: 1337, gid: 1337, title: 'sidecar -> remote: not captured, leaves by eth0', kernelSteps: ['filter OUTPUT#1'] },
    ],
  },
  {
    profile: 'test/fixtures/hooks/synack-reject.rules',
    flows: [
      { src: 'pod', dst: '10.244.2.7:9080', uid: 1000, title: 'outbound to 15001: the SYN-ACK is rejected', kernelSteps: ['nat OUTPUT#1'] },
      { src: '10.244.2.7', dst: 'pod:9080', title: 'inbound to 15006: the SYN-ACK is rejected', kernelSteps: ['nat PREROUTING#1'] },
    ],
  },
  // The owner match sees the listener's owner on its SYN-ACK (through the request socket), not "no socket".
  {
    profile: 'test/fixtures/hooks/synack-owner.rules',
    flows: [
      { src: 'pod', dst: '10.244.2.7:9080', uid: 1000, title: "outbound to 15001: the SYN-ACK carries Envoy's uid 1337 and is rejected", kernelSteps: ['nat OUTPUT#1'] },
    ],
  },
];

/** How many test files share the table (differential-suites-I-of-PARTS.test.ts). */
export const PARTS = 4;

/**
 * The suites of part `part` (1-based): the table dealt out by flow count, largest first, each to
 * the part with the fewest flows so far, so the parts take about as long; table order within a part.
 */
export function suitesOfPart(part: number, parts = PARTS): DifferentialSuiteSpec[] {
  const load = Array.from({ length: parts }, () => 0);
  const owner = new Map<DifferentialSuiteSpec, number>();
  for (const s of [...SUITES].sort((a, b) => b.flows.length - a.flows.length)) {
    const p = load.indexOf(Math.min(...load));
    owner.set(s, p + 1);
    load[p]! += s.flows.length;
  }
  return SUITES.filter((s) => owner.get(s) === part);
}
