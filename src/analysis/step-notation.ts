/**
 * The compact step notation of kernel-traces.md, e.g.
 * `nat ISTIO_OUTPUT#9 JUMP:ISTIO_REDIRECT`, `nat ISTIO_IN_REDIRECT#1 REDIRECT(ACCEPT)`,
 * `nat OUTPUT policy:ACCEPT`. Used to compare simulated and kernel traces.
 */
import type { Step } from '../core/trace.js';
import type { Family } from '../core/types.js';

export function stepNotation(s: Step, family: Family): string {
  const table = family === 'ipv6' ? `${s.table}(ip6)` : s.table;
  if (s.kind === 'policy') return `${table} ${s.chain} policy:${s.target}`;
  if (s.kind === 'return') return `${table} ${s.chain} implicit-return`;
  const where = `${table} ${s.chain}#${s.rule}`;
  switch (s.verdict) {
    case 'jump':
      return `${where} JUMP:${s.target}`;
    case 'goto':
      return `${where} GOTO:${s.target}`;
    case 'return':
      return `${where} RETURN`;
    case 'continue':
      return s.target ? `${where} ${s.target}(CONTINUE)` : `${where} CONTINUE`;
    default: {
      const v = s.verdict.toUpperCase();
      return s.target && s.target !== v ? `${where} ${s.target}(${v})` : `${where} ${v}`;
    }
  }
}
