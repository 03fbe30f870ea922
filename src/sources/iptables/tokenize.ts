/**
 * Split one rule line into arguments the way iptables-restore does:
 * whitespace separates, double quotes group, a backslash escapes the next character.
 * Shell command lines (istio-init logs) also group with single quotes.
 */
import { RuleSyntaxError } from '../../core/errors.js';

export function tokenize(line: string, shellQuotes = false): string[] {
  // Fast paths, nearly every line of a dump: nothing escaped, at most double quotes.
  if (line.indexOf('\\') < 0 && (!shellQuotes || line.indexOf("'") < 0)) {
    return line.indexOf('"') < 0 ? splitBlanks(line) : splitQuoted(line);
  }
  const out: string[] = [];
  // The token being built: pieces of `line` are appended as slices, never one character at a time.
  let cur = '';
  let inToken = false;
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      if (inToken) {
        out.push(cur);
        cur = '';
        inToken = false;
      }
      i++;
      continue;
    }
    inToken = true;
    if (c === DQUOTE || (shellQuotes && c === SQUOTE)) {
      // Inside quotes: up to the closing quote; in double quotes a backslash escapes the next character.
      i++;
      let from = i;
      for (;;) {
        if (i >= n) throw new RuleSyntaxError(`unterminated ${c === DQUOTE ? 'double' : 'single'} quote`);
        const q = line.charCodeAt(i);
        if (q === c) {
          cur += line.slice(from, i);
          i++;
          break;
        }
        if (q === BACKSLASH && c === DQUOTE && i + 1 < n) {
          cur += line.slice(from, i) + line[i + 1];
          i += 2;
          from = i;
          continue;
        }
        i++;
      }
      continue;
    }
    if (c === BACKSLASH && i + 1 < n) {
      cur += line[i + 1];
      i += 2;
      continue;
    }
    // A run of plain characters: up to the next blank, quote or backslash.
    const from = i;
    i++;
    while (i < n) {
      const d = line.charCodeAt(i);
      if (d === SPACE || d === TAB || d === DQUOTE || d === BACKSLASH || (shellQuotes && d === SQUOTE)) break;
      i++;
    }
    cur += line.slice(from, i);
  }
  if (inToken) out.push(cur);
  return out;
}

const SPACE = 32;
const TAB = 9;
const DQUOTE = 34;
const SQUOTE = 39;
const BACKSLASH = 92;

/**
 * A line with double quotes but no backslash: a quote only switches quoting on and off,
 * so a quoted part runs to the next quote. Tokens are slices of the line; only a token
 * with quotes in it is put together from pieces.
 */
function splitQuoted(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      i++;
      continue;
    }
    const from = i;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === SPACE || c === TAB || c === DQUOTE) break;
      i++;
    }
    if (i >= n || c !== DQUOTE) {
      out.push(line.slice(from, i));
      continue;
    }
    let cur = line.slice(from, i);
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === DQUOTE) {
        const close = line.indexOf('"', i + 1);
        if (close < 0) throw new RuleSyntaxError('unterminated double quote');
        cur += line.slice(i + 1, close);
        i = close + 1;
      } else if (c === SPACE || c === TAB) {
        break;
      } else {
        const s = i;
        while (i < n) {
          c = line.charCodeAt(i);
          if (c === SPACE || c === TAB || c === DQUOTE) break;
          i++;
        }
        cur += line.slice(s, i);
      }
    }
    out.push(cur);
  }
  return out;
}

/** Split on runs of spaces and tabs (the only separators iptables-restore knows). */
function splitBlanks(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    while (c === SPACE || c === TAB) {
      if (++i >= n) return out;
      c = line.charCodeAt(i);
    }
    const from = i;
    do {
      if (++i >= n) break;
      c = line.charCodeAt(i);
    } while (c !== SPACE && c !== TAB);
    out.push(line.slice(from, i));
  }
  return out;
}
