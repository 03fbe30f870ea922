/**
 * The trace header's proxy line: who the proxy was taken to be and where each value
 * came from, e.g. `proxy: uid 4321 gid 4321 (nat ISTIO_OUTPUT rule 4, dump.txt:23), outbound 12345 (…)`.
 * Settings with the same source share one parenthesis.
 */
import type { ProxySource, Trace } from '../core/trace.js';

function sourceText(s: ProxySource, file: string): string {
  switch (s.kind) {
    case 'rule':
      return `${s.table} ${s.chain} rule ${s.rule}, ${file}:${s.line}`;
    case 'banner':
      return `${s.key}, ${file}:${s.line}`;
    case 'flag':
      return s.flag;
    case 'assumed':
      return `assumed: ${s.why}`;
    case 'default':
      return 'default';
  }
}

/** Settings worth a place on the line; the rest stay in the JSON/YAML `proxy` field. */
const SHOWN = new Set(['uid', 'gid', 'envoy', 'outbound', 'inbound']);

export function proxyLine(t: Trace): string | null {
  const p = t.proxy;
  if (!p) return null;
  const groups: Array<{ from: string; items: string[] }> = [];
  for (const s of p.settings) {
    const shown =
      SHOWN.has(s.setting) ||
      s.setting.startsWith('iface ') ||
      (s.setting === 'mode' && s.value !== 'REDIRECT') ||
      (p.mode === 'TPROXY' && s.setting.startsWith('tproxy')) ||
      (s.from.kind !== 'default' && (s.setting === 'dns' || s.setting === 'tunnel'));
    if (!shown) continue;
    const item = s.setting === 'envoy' ? `Envoy connects as ${s.value}` : s.setting === 'mode' ? s.value : `${s.setting} ${s.value}`;
    const from = sourceText(s.from, t.ruleset.source);
    const last = groups[groups.length - 1];
    if (last && last.from === from) last.items.push(item);
    else groups.push({ from, items: [item] });
  }
  return `proxy: ${groups.map((g) => `${g.items.join(' ')} (${g.from})`).join(', ')}`;
}
