/**
 * `--format table`: title, one row per step (hop, hook, table, chain, rule,
 * rule text, verdict), the outcome of each hop, and the path line.
 * Drawn by the linear grid: cli-table3 lays out in time quadratic in rows (5,000
 * rows took 31 s, 200,000 threw a RangeError). Every string from the input goes
 * through showable() before it is painted, so the table cannot drive the terminal.
 */
import type { Hop, Step, Trace } from '../core/trace.js';
import type { Palette } from './palette.js';
import { renderGrid, type GridRow, type Span } from './grid.js';
import { asciiText } from './path.js';
import { proxyLine } from './proxy.js';
import { showable } from './safe-text.js';

export interface TableOptions {
  colors: Palette;
  ascii: boolean;
  explain: boolean;
}

const HEAD = ['Hop', 'Hook', 'Table', 'Chain', 'Rule', 'Rule text', 'Verdict'];
const COL_WIDTHS = [5, 13, 8, 19, 6, 44, 22];

function verdictText(s: Step, c: Palette, show: (t: string) => string): Span[] {
  let v: string;
  if (s.kind === 'policy') v = `policy ${s.target}`;
  else if (s.kind === 'return') v = 'end of chain: return';
  else if (s.verdict === 'jump' || s.verdict === 'goto') v = `${s.verdict} ${s.target}`;
  else if (s.target && s.target.toLowerCase() !== s.verdict) v = `${s.target} (${s.verdict})`;
  else v = s.verdict;
  const paint =
    s.kind === 'return' ? c.dim : s.verdict === 'accept' ? c.green : s.verdict === 'drop' || s.verdict === 'reject' ? c.red : s.verdict === 'unknown' ? c.yellow : undefined;
  const out: Span[] = [{ text: show(v), paint }];
  if (s.effect) out.push({ text: show(s.effect), paint: c.cyan });
  else if (s.reason) out.push({ text: show(s.reason), paint: c.yellow });
  return out;
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

/** A trace's table rows, made one at a time as the grid draws them. */
function* traceRows(hops: Hop[], opts: TableOptions, show: (t: string) => string): Generator<GridRow> {
  const c = opts.colors;
  for (const hop of hops) {
    const n = String(hop.index);
    yield { full: [{ text: show(hopHeader(hop)), paint: c.bold }] };
    for (const s of hop.steps) yield [n, s.hook, s.table, show(s.chain), s.rule === null ? '' : String(s.rule), show(s.text ?? ''), verdictText(s, c, show)];
    if (opts.explain) {
      for (const m of hop.misses ?? []) {
        yield [n, m.hook, m.table, show(m.chain), String(m.rule), [{ text: show(m.text), paint: c.dim }], [{ text: show(`no match: ${m.reason}`), paint: c.dim }]];
      }
    }
    for (const note of hop.notes) yield { full: [{ text: show(`note: ${note}`), paint: c.dim }] };
    const d = hop.decidedBy;
    const decided = d ? ` (decided by ${d.table} ${d.chain}${d.rule === null ? ' policy' : ` rule ${d.rule}`})` : '';
    yield { full: [{ text: show(outcomeText(hop) + decided), paint: outcomeColor(hop, c) }] };
  }
}

export function renderTable(traces: Trace[], opts: TableOptions): string {
  const c = opts.colors;
  // Input text with its control characters escaped; under --ascii, the tool's own symbols in ASCII too.
  const show = opts.ascii ? (t: string) => asciiText(showable(t)) : showable;
  const out: string[] = [];
  for (const t of traces) {
    out.push(c.bold(show(t.flow.title)));
    out.push(c.dim(show(`rules: ${t.ruleset.source} (${t.ruleset.format}; ${t.ruleset.families.join(', ')})`)));
    const proxy = proxyLine(t);
    if (proxy) out.push(c.dim(show(proxy)));
    out.push(renderGrid({ head: HEAD, colWidths: COL_WIDTHS, ascii: opts.ascii, colors: c }, traceRows(t.hops, opts, show)));
    out.push(`${c.bold('Path:')} ${show(t.path)}`);
    if (t.branches) {
      out.push(c.bold(`Alternatives (-m statistic picks at random; the table shows alternative 1):`));
      for (const b of t.branches) {
        const how = b.decisions.map((d) => `${d.chain} rule ${d.rule} ${d.matched ? 'taken' : 'skipped'}`).join(', ');
        out.push(`  ${b.index}. p=${b.probability.toFixed(4)}  ${show(b.path)}`);
        out.push(c.dim(`     ${show(how)}`));
      }
    }
    if (t.scenario) {
      const s = t.scenario;
      out.push(`${c.bold('Blog:')}   ${show(s.blogPath)}`);
      out.push(`${s.blogAgrees ? c.green('Kernel agrees:') : c.yellow('Kernel differs:')} ${show(s.verdict)}`);
    }
    for (const n of t.notes) out.push(c.dim(show(`note: ${n}`)));
    for (const w of t.warnings) out.push(c.yellow(show(`warning: ${w}`)));
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
    case 'budget':
      return c.yellow;
    default:
      return c.red;
  }
}
