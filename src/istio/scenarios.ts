/**
 * The blog's six traffic types, with fixed addresses, and what the blog
 * claimed next to what the kernel does (kernel-traces.md, measured on Linux 6.18).
 */
import type { FlowInput } from './flow.js';

export interface Scenario {
  name: string;
  type: number;
  title: string;
  flows: FlowInput[];
  /** The blog's path for this type. */
  blogPath: string;
  /** Does the kernel agree with the blog? */
  blogAgrees: boolean;
  /** One line: what the blog said vs what the kernel does (types 3, 4 and 5). */
  verdict: string;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'inbound',
    type: 1,
    title: 'Type 1: remote -> app (inbound, through Envoy 15006)',
    flows: [{ src: '10.244.2.7', dst: 'pod:9080', title: 'remote 10.244.2.7 -> app :9080 (inbound)' }],
    blogPath: 'Remote Pod → PREROUTING → ISTIO_INBOUND → ISTIO_IN_REDIRECT → Envoy 15006 (Inbound) → OUTPUT → ISTIO_OUTPUT RULE 1 → POSTROUTING → Local Pod',
    blogAgrees: true,
    verdict: 'The blog is right (Istio 1.10+): Envoy reaches the app from 127.0.0.6, returned by ISTIO_OUTPUT rule 1.',
  },
  {
    name: 'outbound',
    type: 2,
    title: 'Type 2: app -> remote (outbound, through Envoy 15001)',
    flows: [{ src: 'pod', dst: '10.244.2.7:9080', uid: 1000, title: 'app (uid 1000) -> remote 10.244.2.7:9080 (outbound)' }],
    blogPath: 'Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 → ISTIO_REDIRECT → Envoy 15001 (Outbound) → OUTPUT → ISTIO_OUTPUT RULE 4 → POSTROUTING → Remote Pod',
    blogAgrees: true,
    verdict: 'The blog is right: the app is captured by rule 9, Envoy (uid 1337) is returned by rule 4.',
  },
  {
    name: 'prometheus',
    type: 3,
    title: 'Type 3: Prometheus -> pod :15090 and :15020',
    flows: [
      { src: '10.244.3.9', dst: 'pod:15090', title: 'Prometheus 10.244.3.9 -> Envoy :15090', actor: 'Prometheus' },
      { src: '10.244.3.9', dst: 'pod:15020', title: 'Prometheus 10.244.3.9 -> pilot-agent :15020', actor: 'Prometheus' },
    ],
    blogPath: 'Prometheus → PREROUTING → ISTIO_INBOUND (15002, 15090 → INPUT) → INPUT → OUTPUT → ISTIO_OUTPUT RULE 3 → POSTROUTING → Local Pod',
    blogAgrees: false,
    verdict:
      'Blog: the scrape goes INPUT → OUTPUT → ISTIO_OUTPUT RULE 3 (ports 15002/15090). Kernel: the SYN is RETURNed in ISTIO_INBOUND (15090, 15020) and delivered through INPUT; it never touches ISTIO_OUTPUT, replies are not new connections, and the port is 15020, not 15002.',
  },
  {
    name: 'service-to-self',
    type: 4,
    title: 'Type 4: app -> a Service whose endpoint is this same pod',
    flows: [{ src: 'pod', dst: '10.96.0.15:9080', via: 'pod:9080', uid: 1000, title: 'app (uid 1000) -> Service 10.96.0.15:9080, endpoint = this pod' }],
    blogPath:
      'Local Pod → OUTPUT → ISTIO_OUTPUT RULE 9 → ISTIO_REDIRECT → Envoy 15001 (Outbound) → OUTPUT → ISTIO_OUTPUT RULE 2 → ISTIO_IN_REDIRECT → Envoy 15006 (Inbound) → OUTPUT → ISTIO_OUTPUT RULE 1 → POSTROUTING → Local Pod',
    blogAgrees: true,
    verdict:
      'The blog is right only when the app calls a Service that Envoy routes back to this pod. Dialling its own pod IP or localhost directly is returned by rule 3 and bypasses Envoy.',
  },
  {
    name: 'envoy-localhost',
    type: 5,
    title: 'Type 5: Envoy -> 127.0.0.1:15000 (sidecar-internal over localhost)',
    flows: [{ src: '127.0.0.1', dst: '127.0.0.1:15000', uid: 1337, gid: 1337, title: 'Envoy (uid 1337) -> 127.0.0.1:15000 (admin)', actor: 'Envoy' }],
    blogPath: 'Envoy → OUTPUT → ISTIO_OUTPUT RULE 8 → POSTROUTING → Local Pod',
    blogAgrees: false,
    verdict:
      'Blog: RULE 8 (-d 127.0.0.1/32 RETURN). Kernel: RULE 4 (--uid-owner 1337 RETURN); with uid = gid = 1337, rules 5, 6 and 8 can never be the first match.',
  },
  {
    name: 'istiod',
    type: 6,
    title: 'Type 6: pilot-agent -> istiod 10.96.0.20:15012',
    flows: [{ src: 'pod', dst: '10.96.0.20:15012', uid: 1337, gid: 1337, title: 'pilot-agent (uid 1337) -> istiod 10.96.0.20:15012', actor: 'pilot-agent' }],
    blogPath: 'pilot-agent → OUTPUT → ISTIO_OUTPUT RULE 4 → POSTROUTING → istiod',
    blogAgrees: true,
    verdict: 'The blog is right: pilot-agent runs as uid 1337 and is returned by rule 4; Envoy is not involved.',
  },
];

export function findScenario(name: string): Scenario[] | null {
  if (name === 'all') return SCENARIOS;
  const byName = SCENARIOS.filter((s) => s.name === name || String(s.type) === name || `type${s.type}` === name);
  return byName.length ? byName : null;
}
