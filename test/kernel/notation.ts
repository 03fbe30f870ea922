/**
 * Reads the hop notation of kernel-traces.md, e.g.
 *   hop1 tcp 10.244.2.7:* -> 10.244.1.5:9080 in=eth0 | nat PREROUTING#1 JUMP:ISTIO_INBOUND -> … -> nat INPUT policy:ACCEPT => listener 15006
 * into the fields a KernelHop has. The notation leaves hooks implicit: a built-in chain names
 * its hook, and a user chain runs in the hook of the built-in chain that led to it.
 */
import type { Step } from '../../src/core/trace.js';
import type { HookName } from '../../src/core/types.js';
import type { KernelHop } from '../../src/verify/index.js';

export type StepView = Pick<Step, 'hook' | 'table' | 'chain' | 'rule' | 'kind' | 'verdict' | 'target'>;

export interface HopView {
  family: 'ipv4' | 'ipv6';
  proto: string;
  src: string;
  dst: string;
  dport: number;
  in: string | null;
  out: string | null;
  steps: StepView[];
  delivered: { ns: 'pod' | 'peer'; port: number } | null;
}

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
const unbracket = (a: string): string => a.replace(/^\[(.*)\]$/, '$1');

export function parseHopLine(line: string): HopView {
  const m = /^hop\d+ (tcp|udp) (\S+):\* -> (\S+):(\d+) (in|out)=(\S+)\s*\| (.*?) => (.*)$/.exec(line);
  if (!m) throw new Error(`not a hop line: ${line}`);
  const [, proto, src, dst, dport, dir, iface, stepText, deliveredText] = m as unknown as string[];
  let hook: HookName | null = null;
  let family: 'ipv4' | 'ipv6' = 'ipv4';
  const steps = stepText!.split(' -> ').map((text): StepView => {
    const s = /^(\w+)(\(ip6\))? ([A-Za-z0-9_-]+?)(?:#(\d+))? (\S+)$/.exec(text.trim());
    if (!s) throw new Error(`not a step: ${text}`);
    const [, table, ip6, chain, rule, action] = s as unknown as string[];
    if (ip6) family = 'ipv6';
    if (BUILTIN.has(chain!)) hook = chain as HookName;
    if (!hook) throw new Error(`no hook known for ${text}`);
    const base = { hook, table: table as Step['table'], chain: chain!, rule: rule === undefined ? null : Number(rule) };
    const policy = /^policy:(\w+)$/.exec(action!);
    if (policy) return { ...base, kind: 'policy', target: policy[1]!, verdict: policy[1]!.toLowerCase() as Step['verdict'] };
    const jump = /^JUMP:(\S+)$/.exec(action!);
    if (jump) return { ...base, kind: 'rule', target: jump[1]!, verdict: 'jump' };
    if (action === 'RETURN') return { ...base, kind: 'rule', target: 'RETURN', verdict: 'return' };
    const nat = /^(\w+)\((ACCEPT|DROP)\)$/.exec(action!);
    if (nat) return { ...base, kind: 'rule', target: nat[1]!, verdict: nat[2]!.toLowerCase() as Step['verdict'] };
    if (action === 'ACCEPT' || action === 'DROP') return { ...base, kind: 'rule', target: action, verdict: action.toLowerCase() as Step['verdict'] };
    throw new Error(`unknown action ${action} in ${line}`);
  });
  let delivered: HopView['delivered'];
  const local = /^(?:listener|app) (\d+)/.exec(deliveredText!);
  const far = /^remote (\S+):(\d+)/.exec(deliveredText!);
  if (local) delivered = { ns: 'pod', port: Number(local[1]) };
  else if (far) delivered = { ns: 'peer', port: Number(far[2]) };
  else if (deliveredText!.startsWith('remote')) delivered = { ns: 'peer', port: Number(dport) };
  else throw new Error(`unknown delivery "${deliveredText}"`);
  return {
    family,
    proto: proto!,
    src: unbracket(src!),
    dst: unbracket(dst!),
    dport: Number(dport),
    in: dir === 'in' ? iface! : null,
    out: dir === 'out' ? iface! : null,
    steps,
    delivered,
  };
}

export function viewOf(hop: KernelHop): HopView {
  return {
    family: hop.family,
    proto: hop.packet.proto,
    src: hop.packet.src,
    dst: hop.packet.dst,
    dport: hop.packet.dport,
    in: hop.packet.in,
    out: hop.packet.out,
    steps: hop.steps.map(({ hook, table, chain, rule, kind, verdict, target }) => ({ hook, table, chain, rule, kind, verdict, target })),
    delivered: hop.delivered ? { ns: hop.delivered.ns, port: hop.delivered.port } : null,
  };
}
