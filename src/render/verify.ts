/** Rendering of `sidecar-trace verify`: simulated and kernel steps side by side. */
import Table from 'cli-table3';
import type { Verification } from '../analysis/verification.js';
import type { Palette } from './palette.js';
import { asciiText } from './path.js';
import { showable } from './safe-text.js';

export function renderVerifyTable(results: Verification[], colors: Palette, ascii: boolean): string {
  const c = colors;
  // Rule text and names from the input, with control characters escaped; --ascii: the tool's symbols in ASCII.
  const show = ascii ? (s: string) => asciiText(showable(s)) : showable;
  const out: string[] = [];
  for (const v of results) {
    out.push(c.bold(show(v.title)));
    if (v.unsupported) {
      out.push(c.yellow(show(`not replayed: ${v.unsupported}`)), '');
      continue;
    }
    const table = new Table({
      head: ['Hop', 'Simulated', 'Kernel', ''],
      style: { head: c.level > 0 ? ['bold'] : [], border: [] },
      wordWrap: true,
      colWidths: [5, 50, 50, 4],
      ...(ascii ? { chars: { top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+', bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+', left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|' } } : {}),
    });
    for (const h of v.hops) {
      const mark = (ok: boolean) => (ok ? c.green(ascii ? 'ok' : '✓') : c.red(ascii ? 'X' : '✗'));
      table.push([String(h.index), show(h.simulated?.packet ?? '(no hop)'), show(h.kernel?.packet ?? '(no hop)'), mark(h.simulated?.packet === h.kernel?.packet)]);
      const n = Math.max(h.simulated?.steps.length ?? 0, h.kernel?.steps.length ?? 0);
      for (let i = 0; i < n; i++) {
        const s = h.simulated?.steps[i] ?? '';
        const k = h.kernel?.steps[i] ?? '';
        table.push(['', show(s), show(k), mark(s === k)]);
      }
      table.push(['', show(`=> ${h.simulated?.end ?? ''}`), show(`=> ${h.kernel?.end ?? ''}`), mark(h.agree || h.differences.every((d) => !d.startsWith('end')))]);
      for (const d of h.differences) table.push([{ colSpan: 4, content: c.red(show(`difference: ${d}`)) }]);
    }
    out.push(table.toString());
    out.push(v.agree ? c.green('kernel and simulation agree') : c.red('kernel and simulation DIFFER'));
    for (const w of v.kernelWarnings) out.push(c.yellow(show(`kernel harness warning: ${w}`)));
    for (const n of v.cleanup) out.push(c.dim(show(`kernel harness: ${n}`)));
    out.push('');
  }
  const agree = results.filter((r) => r.agree).length;
  out.push(`${results.length} flow${results.length === 1 ? '' : 's'}: ${agree} agree, ${results.length - agree} differ or could not be replayed`);
  return `${out.join('\n')}\n`;
}
