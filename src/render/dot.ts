/**
 * `--format dot`: a Graphviz digraph of the chains traversed. Each hop is a
 * cluster; edges carry the rule that moved the packet on.
 */
import type { Trace } from '../core/trace.js';

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function renderDot(traces: Trace[]): string {
  return traces.map(renderOne).join('\n');
}

function renderOne(t: Trace): string {
  const out: string[] = [`digraph ${q(t.flow.title)} {`, '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  let prevEnd: string | null = null;
  for (const hop of t.hops) {
    const start = `h${hop.index}_start`;
    out.push(`  subgraph cluster_${hop.index} {`, `    label=${q(`hop ${hop.index}: ${hop.actor}`)};`);
    out.push(`    ${start} [label=${q(`${hop.packet.proto} ${hop.packet.src} -> ${hop.packet.dst}:${hop.packet.dport ?? ''}`)}, shape=oval];`);
    let prev = start;
    hop.steps.forEach((s, i) => {
      const node = `h${hop.index}_s${i}`;
      const label = s.kind === 'policy' ? `${s.table} ${s.chain}\\npolicy ${s.target}` : s.kind === 'return' ? `${s.table} ${s.chain}\\nend: return` : `${s.table} ${s.chain} #${s.rule}\\n${s.verdict} ${s.target ?? ''}`.trim();
      out.push(`    ${node} [label=${q(label).replace(/\\\\n/g, '\\n')}];`);
      out.push(`    ${prev} -> ${node} [label=${q(s.hook)}];`);
      prev = node;
    });
    const end = `h${hop.index}_end`;
    const o = hop.outcome;
    out.push(`    ${end} [label=${q(o.type === 'delivered' ? `${o.listener} ${o.address}:${o.port}` : `${o.type}${o.iface ? ` ${o.iface}` : ''}`)}, shape=oval];`);
    out.push(`    ${prev} -> ${end};`, '  }');
    if (prevEnd) out.push(`  ${prevEnd} -> ${start} [style=dashed, label="new connection"];`);
    prevEnd = end;
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
