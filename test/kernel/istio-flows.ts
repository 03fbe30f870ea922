/**
 * The ten measured flows of shared/reference/kernel-traces.md, as kernel plans plus the
 * documented trace lines (copied verbatim; the test checks they still appear in the document).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KernelPlan, ListenerSpec, StartSpec } from '../../src/verify/index.js';

/** The `*nat` … `COMMIT` blocks of a save file, comment lines left out, each with its final newline. */
function tableBlocks(text: string): string[] {
  const blocks: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) blocks.push([]);
    if (blocks.length > 0 && !line.startsWith('#')) blocks.at(-1)!.push(line);
  }
  return blocks.map((b) => `${b.join('\n').replace(/\n+$/, '')}\n`);
}

/**
 * Istio 1.10–1.12 sidecar, REDIRECT mode, as kernel-traces.md lists it, and its ip6tables mirror
 * (`-s ::6/128` and `-d ::1/128` for the IPv4 loopback addresses): the two tables of the fixture
 * test/fixtures/kernel-traces.rules.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/kernel-traces.rules', import.meta.url));
const [natV4, natV6] = tableBlocks(readFileSync(FIXTURE, 'utf8'));
export const ISTIO_NAT_V4 = natV4!;
export const ISTIO_NAT_V6 = natV6!;

const POD4 = '10.244.1.5';
const POD6 = 'fd00:10:244:1::5';
const ENVOY = { uid: 1337, gid: 1337 };
const APP = { uid: 1000, gid: 1000 };
const ROOT = { uid: 0, gid: 0 };

/** Stand-in Envoy outbound (15001): re-originates to the original destination from the pod IP. */
function envoyOutbound(family: 'ipv4' | 'ipv6', dst: string, dport: number): ListenerSpec {
  return { ns: 'pod', family, proto: 'tcp', port: 15001, ...ENVOY, name: 'Envoy outbound', then: { connect: { proto: 'tcp', dst, dport }, ...ENVOY } };
}

/** Stand-in Envoy inbound (15006): re-originates to the original destination from 127.0.0.6 / ::6. */
function envoyInbound(family: 'ipv4' | 'ipv6', dst: string, dport: number): ListenerSpec {
  const src = family === 'ipv4' ? '127.0.0.6' : '::6';
  return { ns: 'pod', family, proto: 'tcp', port: 15006, ...ENVOY, name: 'Envoy inbound', then: { connect: { proto: 'tcp', src, dst, dport }, ...ENVOY } };
}

function app(family: 'ipv4' | 'ipv6' = 'ipv4', port = 9080): ListenerSpec {
  return { ns: 'pod', family, proto: 'tcp', port, ...APP, name: 'app' };
}

function remote(port: number, proto: 'tcp' | 'udp' = 'tcp', family: 'ipv4' | 'ipv6' = 'ipv4'): ListenerSpec {
  return { ns: 'peer', family, proto, port, ...ROOT, name: 'remote' };
}

function fromPod(who: { uid: number; gid: number }, dst: string, dport: number, proto: 'tcp' | 'udp' = 'tcp'): StartSpec {
  return { ns: 'pod', proto, dst, dport, ...who };
}

function fromRemote(src: string, dst: string, dport: number): StartSpec {
  return { ns: 'peer', proto: 'tcp', src, dst, dport, ...ROOT };
}

export interface DocumentedFlow {
  id: string;
  /** The flow's title line in kernel-traces.md. */
  title: string;
  plan: KernelPlan;
  /** Its hop lines, verbatim. */
  hops: string[];
}

const v4 = { ipv4: ISTIO_NAT_V4 };

export const FLOWS: DocumentedFlow[] = [
  {
    id: '01',
    title: '01 remote -> app (inbound, with Envoy)',
    plan: { rules: v4, listeners: [envoyInbound('ipv4', POD4, 9080), app()], start: fromRemote('10.244.2.7', POD4, 9080) },
    hops: [
      'hop1 tcp 10.244.2.7:* -> 10.244.1.5:9080 in=eth0 | nat PREROUTING#1 JUMP:ISTIO_INBOUND -> nat ISTIO_INBOUND#6 JUMP:ISTIO_IN_REDIRECT -> nat ISTIO_IN_REDIRECT#1 REDIRECT(ACCEPT) -> nat INPUT policy:ACCEPT => listener 15006 (Envoy inbound)',
      'hop2 tcp 127.0.0.6:* -> 10.244.1.5:9080 out=lo  | nat OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat ISTIO_OUTPUT#1 RETURN -> nat OUTPUT policy:ACCEPT -> nat POSTROUTING policy:ACCEPT => app 9080',
    ],
  },
  {
    id: '02',
    title: '02 app (uid 1000) -> remote 10.244.2.7:9080 (outbound, with Envoy)',
    plan: { rules: v4, listeners: [envoyOutbound('ipv4', '10.244.2.7', 9080), remote(9080)], start: fromPod(APP, '10.244.2.7', 9080) },
    hops: [
      'hop1 tcp 10.244.1.5:* -> 10.244.2.7:9080 out=eth0 | nat OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat ISTIO_OUTPUT#9 JUMP:ISTIO_REDIRECT -> nat ISTIO_REDIRECT#1 REDIRECT(ACCEPT) -> nat POSTROUTING policy:ACCEPT => listener 15001 (Envoy outbound)',
      'hop2 tcp 10.244.1.5:* -> 10.244.2.7:9080 out=eth0 | nat OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat ISTIO_OUTPUT#4 RETURN -> nat OUTPUT policy:ACCEPT -> nat POSTROUTING policy:ACCEPT => remote 10.244.2.7:9080',
    ],
  },
  {
    id: '03',
    title: '03 Prometheus 10.244.3.9 -> pod :15090 and :15020',
    plan: {
      rules: v4,
      listeners: [
        { ns: 'pod', family: 'ipv4', proto: 'tcp', port: 15090, ...ENVOY, name: 'Envoy prometheus' },
        { ns: 'pod', family: 'ipv4', proto: 'tcp', port: 15020, ...ENVOY, name: 'pilot-agent' },
        envoyInbound('ipv4', POD4, 9080),
      ],
      start: [fromRemote('10.244.3.9', POD4, 15090), fromRemote('10.244.3.9', POD4, 15020)],
    },
    hops: [
      'hop1 tcp 10.244.3.9:* -> 10.244.1.5:15090 in=eth0 | nat PREROUTING#1 JUMP:ISTIO_INBOUND -> nat ISTIO_INBOUND#3 RETURN -> nat PREROUTING policy:ACCEPT -> nat INPUT policy:ACCEPT => listener 15090 (Envoy, uid 1337)',
      'hop2 tcp 10.244.3.9:* -> 10.244.1.5:15020 in=eth0 | nat PREROUTING#1 JUMP:ISTIO_INBOUND -> nat ISTIO_INBOUND#5 RETURN -> nat PREROUTING policy:ACCEPT -> nat INPUT policy:ACCEPT => listener 15020 (pilot-agent, uid 1337)',
    ],
  },
  {
    id: '04',
    title: '04 app (uid 1000) -> its own pod IP 10.244.1.5:9080',
    plan: { rules: v4, listeners: [envoyOutbound('ipv4', POD4, 9080), envoyInbound('ipv4', POD4, 9080), app()], start: fromPod(APP, POD4, 9080) },
    hops: [
      'hop1 tcp 10.244.1.5:* -> 10.244.1.5:9080 out=lo | nat OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat ISTIO_OUTPUT#3 RETURN -> nat OUTPUT policy:ACCEPT -> nat POSTROUTING policy:ACCEPT => app 9080 (Envoy is bypassed)',
    ],
  },
  {
    id: '05',
    title: '05 uid 1337 -> 127.0.0.1:15000 (Envoy admin)',
    plan: { rules: v4, listeners: [{ ns: 'pod', family: 'ipv4', proto: 'tcp', port: 15000, address: '127.0.0.1', ...ENVOY, name: 'Envoy admin' }], start: fromPod(ENVOY, '127.0.0.1', 15000) },
    hops: [
      'hop1 tcp 127.0.0.1:* -> 127.0.0.1:15000 out=lo | nat OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat ISTIO_OUTPUT#4 RETURN -> nat OUTPUT policy:ACCEPT -> nat POSTROUTING policy:ACCEPT => listener 15000',
    ],
  },
  {
    id: '06',
    title: '06 uid 1337 -> istiod 10.96.0.20:15012',
    plan: { rules: v4, listeners: [remote(15012)], start: fromPod(ENVOY, '10.96.0.20', 15012) },
    hops: [
      'hop1 tcp 10.244.1.5:* -> 10.96.0.20:15012 out=eth0 | nat OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat ISTIO_OUTPUT#4 RETURN -> nat OUTPUT policy:ACCEPT -> nat POSTROUTING policy:ACCEPT => remote 10.96.0.20:15012',
    ],
  },
  {
    id: '07',
    title: '07 app (uid 1000) -> 127.0.0.1:9080',
    plan: { rules: v4, listeners: [envoyOutbound('ipv4', '127.0.0.1', 9080), app()], start: fromPod(APP, '127.0.0.1', 9080) },
    hops: [
      'hop1 tcp 127.0.0.1:* -> 127.0.0.1:9080 out=lo | nat OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat ISTIO_OUTPUT#3 RETURN -> nat OUTPUT policy:ACCEPT -> nat POSTROUTING policy:ACCEPT => app 9080',
    ],
  },
  {
    id: '08',
    title: '08 app (uid 1000) -> 10.96.0.10:53 over UDP',
    plan: { rules: v4, listeners: [remote(53, 'udp')], start: fromPod(APP, '10.96.0.10', 53, 'udp') },
    hops: [
      'hop1 udp 10.244.1.5:* -> 10.96.0.10:53 out=eth0 | nat OUTPUT policy:ACCEPT -> nat POSTROUTING policy:ACCEPT => remote (the rule set only captures TCP)',
    ],
  },
  {
    id: '09',
    title: '09 IPv6 dual stack (ip6tables mirror of the same rules, ::6 and ::1/128)',
    plan: {
      rules: { ipv4: ISTIO_NAT_V4, ipv6: ISTIO_NAT_V6 },
      listeners: [
        envoyInbound('ipv6', POD6, 9080),
        envoyOutbound('ipv6', 'fd00:10:244:2::7', 9080),
        app('ipv6'),
        remote(9080, 'tcp', 'ipv6'),
      ],
      start: [fromRemote('fd00:10:244:2::7', POD6, 9080), fromPod(APP, 'fd00:10:244:2::7', 9080)],
    },
    hops: [
      'hop1 tcp [fd00:10:244:2::7]:* -> [fd00:10:244:1::5]:9080 in=eth0 | nat(ip6) PREROUTING#1 JUMP:ISTIO_INBOUND -> nat(ip6) ISTIO_INBOUND#6 JUMP:ISTIO_IN_REDIRECT -> nat(ip6) ISTIO_IN_REDIRECT#1 REDIRECT(ACCEPT) -> nat(ip6) INPUT policy:ACCEPT => listener 15006',
      'hop2 tcp [::6]:* -> [fd00:10:244:1::5]:9080 out=lo | nat(ip6) OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat(ip6) ISTIO_OUTPUT#1 RETURN -> nat(ip6) OUTPUT policy:ACCEPT -> nat(ip6) POSTROUTING policy:ACCEPT => app 9080',
      'hop3 tcp [fd00:10:244:1::5]:* -> [fd00:10:244:2::7]:9080 out=eth0 | nat(ip6) OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat(ip6) ISTIO_OUTPUT#9 JUMP:ISTIO_REDIRECT -> nat(ip6) ISTIO_REDIRECT#1 REDIRECT(ACCEPT) -> nat(ip6) POSTROUTING policy:ACCEPT => listener 15001',
      'hop4 tcp [fd00:10:244:1::5]:* -> [fd00:10:244:2::7]:9080 out=eth0 | nat(ip6) OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat(ip6) ISTIO_OUTPUT#4 RETURN -> nat(ip6) OUTPUT policy:ACCEPT -> nat(ip6) POSTROUTING policy:ACCEPT => remote',
    ],
  },
  {
    id: '10',
    title: '10 uid 1337 -> its own pod IP 10.244.1.5:9080 (the second half of the blog\'s "Local Pod -> Local Pod")',
    plan: { rules: v4, listeners: [envoyInbound('ipv4', POD4, 9080), app()], start: fromPod(ENVOY, POD4, 9080) },
    hops: [
      'hop1 tcp 10.244.1.5:* -> 10.244.1.5:9080 out=lo | nat OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat ISTIO_OUTPUT#2 JUMP:ISTIO_IN_REDIRECT -> nat ISTIO_IN_REDIRECT#1 REDIRECT(ACCEPT) -> nat POSTROUTING policy:ACCEPT => listener 15006',
      'hop2 tcp 127.0.0.6:* -> 10.244.1.5:9080 out=lo | nat OUTPUT#1 JUMP:ISTIO_OUTPUT -> nat ISTIO_OUTPUT#1 RETURN -> nat OUTPUT policy:ACCEPT -> nat POSTROUTING policy:ACCEPT => app 9080',
    ],
  },
];
