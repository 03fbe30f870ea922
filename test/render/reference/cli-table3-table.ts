/**
 * The trace table as it was drawn by cli-table3 before the grid took over, kept as
 * the oracle the grid renderer must match byte for byte on normal traces.
 */
import Table from 'cli-table3';
import type { Hop, Step, Trace } from '../../../src/core/trace.js';
import type { Palette } from '../../../src/render/palette.js';
import { proxyLine } from '../../../src/render/proxy.js';
import { asciiText as asciiPath } from '../../../src/render/path.js';

export interface TableOptions {
  colors: Palette;
  ascii: boolean;
  explain: boolean;
}

function verdictText(s: Step, c: Palette): string {
  let v: string;
  if (s.kind === 'policy') v = `policy ${s.target}`;
  else if (s.kind === 'return') v = c.dim('end of chain: return');
  else if (s.verdict === 'jump' || s.verdict === 'goto') v = `${s.verdict} ${s.target}`;
  else if (s.target && s.target.toLowerCase() !== s.verdict) v = `${s.target} (${s.verdict})`;
  else v = s.verdict;
  const colored =
    s.verdict === 'accept' ? c.green(v) : s.verdict === 'drop' || s.verdict === 'reject' ? c.red(v) : s.verdict === 'unknown' ? c.yellow(v) : v;
  const extra = s.effect ? `\n${c.cyan(s.effect)}` : s.reason ? `\n${c.yellow(s.reason)}` : '';
  return colored + extra;
}

function hopHeader(hop: Hop): string {
  const p = hop.packet;
  const ep = (a: string, port: number | null) => (port === null ? a : a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
  const ifs = [p.in ? `in=${p.in}` : '', p.out ? `out=${p.out}` : ''].filter(Boolean).join(' ');
  const owner = p.uid !== null ? ` uid=${p.uid} gid=${p.gid}` : ' (no local socket)';
  return `hop ${hop.index} · ${hop.actor} · ${p.proto} ${ep(p.src, p.sport)} -> ${ep(p.dst, p.dport)} ${ifs}${owner}`;
}

function outcomeText(hop: Hop): string {
  const o = hop.outcome;
  const where = o.address ? ` ${o.address.includes(':') ? `[${o.address}]` : o.address}${o.port !== undefined && o.port !== null ? `:${o.port}` : ''}` : '';
  switch (o.type) {
    case 'delivered':
      return `=> delivered to ${o.listener} at${where}`;
    case 'egress':
      return `=> leaves the pod via ${o.iface} to${where}`;
    case 'forwarded':
      return `=> forwarded via ${o.iface} to${where}`;
    default:
      return `=> ${o.type}${o.detail ? `: ${o.detail}` : ''}`;
  }
}

export function renderTable(traces: Trace[], opts: TableOptions): string {
  const c = opts.colors;
  const out: string[] = [];
  for (const t of traces) {
    out.push(c.bold(t.flow.title));
    out.push(c.dim(`rules: ${t.ruleset.source} (${t.ruleset.format}; ${t.ruleset.families.join(', ')})`));
    const proxy = proxyLine(t);
    if (proxy) out.push(c.dim(proxy));
    const table = new Table({
      head: ['Hop', 'Hook', 'Table', 'Chain', 'Rule', 'Rule text', 'Verdict'],
      style: { head: c.level > 0 ? ['bold'] : [], border: [], compact: false },
      wordWrap: true,
      colWidths: [5, 13, 8, 19, 6, 44, 22],
      ...(opts.ascii ? { chars: ASCII_CHARS } : {}),
    });
    for (const hop of t.hops) {
      table.push([{ colSpan: 7, content: c.bold(hopHeader(hop)) }]);
      for (const s of hop.steps) {
        table.push([String(hop.index), s.hook, s.table, s.chain, s.rule === null ? '' : String(s.rule), s.text ?? '', verdictText(s, c)]);
      }
      if (opts.explain) {
        for (const m of hop.misses ?? []) {
          table.push([String(hop.index), m.hook, m.table, m.chain, String(m.rule), c.dim(m.text), c.dim(`no match: ${m.reason}`)]);
        }
      }
      for (const n of hop.notes) table.push([{ colSpan: 7, content: c.dim(`note: ${n}`) }]);
      const decided = hop.decidedBy ? ` (decided by ${hop.decidedBy.table} ${hop.decidedBy.chain}${hop.decidedBy.rule === null ? ' policy' : ` rule ${hop.decidedBy.rule}`})` : '';
      table.push([{ colSpan: 7, content: outcomeColor(hop, c)(outcomeText(hop) + decided) }]);
    }
    out.push(table.toString());
    out.push(`${c.bold('Path:')} ${opts.ascii ? asciiPath(t.path) : t.path}`);
    if (t.branches) {
      out.push(c.bold(`Alternatives (-m statistic picks at random; the table shows alternative 1):`));
      for (const b of t.branches) {
        const how = b.decisions.map((d) => `${d.chain} rule ${d.rule} ${d.matched ? 'taken' : 'skipped'}`).join(', ');
        out.push(`  ${b.index}. p=${b.probability.toFixed(4)}  ${opts.ascii ? asciiPath(b.path) : b.path}`);
        out.push(c.dim(`     ${how}`));
      }
    }
    if (t.scenario) {
      const s = t.scenario;
      out.push(`${c.bold('Blog:')}   ${opts.ascii ? asciiPath(s.blogPath) : s.blogPath}`);
      out.push(`${s.blogAgrees ? c.green('Kernel agrees:') : c.yellow('Kernel differs:')} ${s.verdict}`);
    }
    for (const n of t.notes) out.push(c.dim(`note: ${n}`));
    for (const w of t.warnings) out.push(c.yellow(`warning: ${w}`));
    out.push('');
  }
  return out.join('\n');
}

function outcomeColor(hop: Hop, c: Palette): (s: string) => string {
  switch (hop.outcome.type) {
    case 'delivered':
    case 'egress':
    case 'forwarded':
      return c.green;
    case 'unknown':
    case 'hop-limit':
      return c.yellow;
    default:
      return c.red;
  }
}

const ASCII_CHARS = {
  top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
  bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
  left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+',
  right: '|', 'right-mid': '+', middle: '|',
};
