/**
 * Split one rule line into arguments the way iptables-restore does:
 * whitespace separates, double quotes group, a backslash escapes the next character.
 * Shell command lines (istio-init logs) also group with single quotes.
 */
import { RuleSyntaxError } from '../errors.js';

export function tokenize(line: string, shellQuotes = false): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"' && i + 1 < line.length) {
        cur += line[++i];
      } else if (ch === quote) {
        quote = null;
      } else {
        cur += ch;
      }
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      if (inToken) {
        out.push(cur);
        cur = '';
        inToken = false;
      }
      continue;
    }
    inToken = true;
    if (ch === '"' || (shellQuotes && ch === "'")) {
      quote = ch;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
    } else {
      cur += ch;
    }
  }
  if (quote) throw new RuleSyntaxError(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (inToken) out.push(cur);
  return out;
}

/**
 * Quote a value for save output the way xtables_save_string does: only
 * [A-Za-z0-9_-] stays bare; anything else is double-quoted with " \ ' escaped.
 */
export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return value;
  return `"${value.replace(/(["\\'])/g, '\\$1')}"`;
}
