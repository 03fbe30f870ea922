/**
 * Compare a simulated trace with what the kernel did, hop by hop: the first
 * packet, every rule step (in kernel-traces notation) and where the hop ended.
 * Implicit returns are left out of the simulated side: the kernel logs no event for them.
 */
import type { Hop, Trace } from '../core/trace.js';
import { stepNotation } from '../analysis/step-notation.js';
import type { HopComparison, HopSide, Verification } from '../analysis/verification.js';
import type { KernelHop, KernelPlan, KernelResult } from './plan.js';

export type { HopComparison, HopSide, Verification } from '../analysis/verification.js';

const ep = (addr: string, port: number | null) => (addr.includes(':') ? `[${addr}]` : addr) + (port === null ? '' : `:${port}`);

function packetText(p: { proto: string; src: string; dst: string; dport: number | null; in: string | null; out: string | null }): string {
  return `${p.proto} ${ep(p.src, null)} -> ${ep(p.dst, p.dport)} ${p.in ? `in=${p.in}` : `out=${p.out}`}`;
}

export function simulatedSide(hop: Hop): HopSide {
  const o = hop.outcome;
  let end: string = o.type;
  if (o.type === 'delivered') end = `delivered :${o.listenerPort ?? o.port}`;
  // The last hop the simulation followed: delivered, and the listener would open one more.
  if (o.type === 'hop-limit' && (o.listenerPort ?? o.port) != null) end = `delivered :${o.listenerPort ?? o.port} (hop limit)`;
  if (o.type === 'egress') end = 'remote';
  // The kernel reports REJECT as a DROP verdict.
  const steps = hop.steps.filter((s) => s.kind !== 'return').map((s) => stepNotation(s.verdict === 'reject' ? { ...s, verdict: 'drop' } : s, hop.family));
  if (o.type === 'rejected' && !hop.steps.some((s) => s.verdict === 'reject')) end = 'refused';
  return { packet: packetText(hop.packet), steps, end };
}

export function kernelSide(hop: KernelHop, plan: KernelPlan): HopSide {
  let end = 'no listener reached';
  // The listener's own port: after TPROXY the accepted socket still shows the original port.
  if (hop.delivered) end = hop.delivered.ns === 'peer' ? 'remote' : `delivered :${plan.listeners[hop.delivered.listener]?.port ?? hop.delivered.port}`;
  else if (hop.steps.some((s) => s.verdict === 'drop')) end = hop.steps.some((s) => s.target === 'REJECT') ? 'rejected' : 'dropped';
  return { packet: packetText({ ...hop.packet, dport: hop.packet.dport }), steps: hop.steps.map((s) => stepNotation(s, hop.family)), end };
}

function endsAgree(sim: string, kernel: string): boolean {
  if (sim === kernel) return true;
  // The replay stops where the simulation stopped: the kernel delivered it, and no more follows.
  if (sim.endsWith(' (hop limit)') && sim.slice(0, -' (hop limit)'.length) === kernel) return true;
  // A refused connection (RST, no listener) reaches no listener in the kernel either.
  return (sim === 'refused' || sim === 'dropped' || sim === 'unknown') && kernel === 'no listener reached';
}

export function compareTraces(trace: Trace, kernel: KernelResult, plan: KernelPlan): Verification {
  const n = Math.max(trace.hops.length, kernel.hops.length);
  const hops: HopComparison[] = [];
  for (let i = 0; i < n; i++) {
    const s = trace.hops[i] ? simulatedSide(trace.hops[i]!) : null;
    const k = kernel.hops[i] ? kernelSide(kernel.hops[i]!, plan) : null;
    const differences: string[] = [];
    if (!s) differences.push('the kernel saw a connection the simulation did not predict');
    else if (!k) differences.push('the simulation predicts a connection the kernel never saw');
    else {
      if (s.packet !== k.packet) differences.push(`packet: simulated ${s.packet}, kernel ${k.packet}`);
      const len = Math.max(s.steps.length, k.steps.length);
      for (let j = 0; j < len; j++) {
        if (s.steps[j] !== k.steps[j]) {
          differences.push(`step ${j + 1}: simulated ${s.steps[j] ?? '(none)'}, kernel ${k.steps[j] ?? '(none)'}`);
          break;
        }
      }
      if (!endsAgree(s.end, k.end)) differences.push(`end: simulated ${s.end}, kernel ${k.end}`);
    }
    hops.push({ index: i + 1, simulated: s, kernel: k, agree: differences.length === 0, differences });
  }
  return { title: trace.flow.title, agree: hops.every((h) => h.agree), hops, kernelWarnings: kernel.warnings, cleanup: kernel.cleanup };
}
