/**
 * `--format dot`: a Graphviz digraph of the chains traversed. Each hop is a
 * cluster; edges carry the rule that moved the packet on.
 */
import type { Trace } from '../core/trace.js';
import { showable } from './safe-text.js';

/**
 * A quoted DOT string of lines joined by DOT's own line break: each line with its control
 * characters escaped (shown as `\x1b`, never acted on) and its backslashes and quotes
 * escaped for DOT, so input text can neither end the string nor add a line break.
 */
const q = (...lines: string[]) => `"${lines.map((l) => showable(l).replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\n')}"`;

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
      const label =
        s.kind === 'policy'
          ? q(`${s.table} ${s.chain}`, `policy ${s.target}`)
          : s.kind === 'return'
            ? q(`${s.table} ${s.chain}`, 'end: return')
            : q(`${s.table} ${s.chain} #${s.rule}`, `${s.verdict} ${s.target ?? ''}`.trim());
      out.push(`    ${node} [label=${label}];`);
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
