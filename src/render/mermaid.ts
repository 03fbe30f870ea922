/**
 * `--format mermaid`: a Mermaid sequence diagram of the trace, with the
 * sender, iptables per hook, Envoy outbound/inbound and the receivers as
 * participants. GitHub renders it in pull requests and READMEs.
 */
import type { Hop, Trace } from '../core/trace.js';
import type { HookName } from '../core/types.js';
import { showable } from './safe-text.js';

const HOOK_IDS: Record<HookName, string> = { PREROUTING: 'PRE', INPUT: 'IN', FORWARD: 'FWD', OUTPUT: 'OUT', POSTROUTING: 'POST' };

/**
 * Message text for Mermaid: control characters escaped (a line break would end the
 * statement), and #, ;, < and > as Mermaid's entity codes (# and ; are syntax; < and >
 * would be read as HTML).
 */
function esc(text: string): string {
  return commentText(text).replace(/</g, '#60;').replace(/>/g, '#62;');
}

/** The title comment (`%% …`): one line; no HTML there. */
function commentText(text: string): string {
  return showable(text).replace(/#/g, '#35;').replace(/;/g, '#59;');
}

function ep(addr: string, port: number | null): string {
  return port === null ? addr : addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function senderId(hop: Hop): { id: string; label: string } {
  if (hop.actor.startsWith('Envoy outbound')) return { id: 'EO', label: 'Envoy outbound' };
  if (hop.actor.startsWith('Envoy inbound')) return { id: 'EI', label: 'Envoy inbound' };
  if (hop.packet.in) return { id: 'R', label: 'remote' };
  if (hop.actor.startsWith('app')) return { id: 'APP', label: hop.actor };
  return { id: 'A', label: hop.actor };
}

function receiverId(hop: Hop): { id: string; label: string } {
  const o = hop.outcome;
  if (o.type === 'delivered') {
    const l = o.listener ?? 'listener';
    if (l.startsWith('Envoy outbound')) return { id: 'EO', label: 'Envoy outbound' };
    if (l.startsWith('Envoy inbound')) return { id: 'EI', label: 'Envoy inbound' };
    if (l === 'app') return { id: 'APP', label: 'app' };
    return { id: `L${o.port ?? ''}`, label: l };
  }
  if (o.type === 'egress' || o.type === 'forwarded') return { id: 'R', label: 'remote' };
  return { id: 'X', label: o.type };
}

function hopNotes(hop: Hop, hook: HookName): string[] {
  return hop.steps
    .filter((s) => s.hook === hook && s.kind === 'rule')
    .map((s) => `${s.table} ${s.chain} RULE ${s.rule} ${s.verdict === 'jump' || s.verdict === 'goto' ? `→ ${s.target}` : s.target ?? s.verdict}${s.nat ? ` (${s.nat.manip} → ${s.nat.to})` : ''}`);
}

export function renderMermaid(traces: Trace[]): string {
  return traces.map(renderOne).join('\n');
}

function renderOne(t: Trace): string {
  const participants = new Map<string, string>();
  const lines: string[] = [];
  const add = (p: { id: string; label: string }) => {
    if (!participants.has(p.id)) participants.set(p.id, p.label);
    return p.id;
  };
  for (const hop of t.hops) {
    const from = add(senderId(hop));
    const hooks: HookName[] = [];
    for (const s of hop.steps) if (hooks[hooks.length - 1] !== s.hook) hooks.push(s.hook);
    let prev = from;
    let label = `hop ${hop.index}: ${hop.packet.proto} ${ep(hop.packet.src, hop.packet.sport)} → ${ep(hop.packet.dst, hop.packet.dport)}`;
    for (const hook of hooks) {
      const id = add({ id: HOOK_IDS[hook], label: `iptables ${hook}` });
      lines.push(`  ${prev}->>${id}: ${esc(label)}`);
      const notes = hopNotes(hop, hook);
      if (notes.length) lines.push(`  Note over ${id}: ${notes.map(esc).join('<br/>')}`);
      prev = id;
      label = 'continue';
    }
    const to = add(receiverId(hop));
    const o = hop.outcome;
    const end = o.type === 'delivered' ? `delivered ${ep(o.address ?? '', o.port ?? null)}` : o.type === 'egress' ? `out ${o.iface} to ${ep(o.address ?? '', o.port ?? null)}` : `${o.type}${o.detail ? `: ${o.detail}` : ''}`;
    lines.push(`  ${prev}->>${to}: ${esc(hooks.length ? end : `${label} (${end})`)}`);
  }
  const head = [`%% ${commentText(t.flow.title)}`, 'sequenceDiagram'];
  for (const [id, label] of participants) head.push(`  participant ${id} as ${esc(label)}`);
  return `${[...head, ...lines].join('\n')}\n`;
}
