/**
 * The commands the README shows, read from its fenced code blocks, so a test can run each one
 * and hold the README to what the CLI prints.
 *
 * Two kinds of block hold commands:
 * - a transcript: its first line is `$ COMMAND` (or `$ sudo COMMAND`), the rest is the output the
 *   CLI must print. A line that is exactly `…` stands for any number of lines;
 * - a shell block (```sh, or a bare block of commands only): every line that starts with `sidecar-trace`, `npx sidecar-trace` or
 *   `sudo sidecar-trace` is a command that must run cleanly; a `# comment` line right after it
 *   that starts with the output's first word is output the command must contain.
 */

export interface ReadmeCommand {
  /** 1-based README line of the command. */
  line: number;
  /** The command as written, continuation lines joined. */
  text: string;
  /** Arguments after the program name; null when the line is a shell pipeline or redirection. */
  args: string[] | null;
  sudo: boolean;
  /** Transcript output, when the block shows it. */
  output: string[] | null;
  /** Lines the output must contain (shell-block comments). */
  contains: string[];
  /** Where the transcript's output lines sit in the README (0-based, end exclusive). */
  outputRange: [number, number] | null;
}

const FENCE = /^```(\S*)\s*$/;
const PROGRAM = /^(?:(sudo)\s+)?(?:npx\s+)?sidecar-trace(?:\s+|$)/;

export function readmeCommands(readme: string): ReadmeCommand[] {
  const lines = readme.split('\n');
  const out: ReadmeCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const body = lines.slice(i + 1, end);
    const lang = open[1]!;
    if (body[0]?.startsWith('$ ')) {
      // Transcripts of other programs (npm, node fuzz/…) are not the CLI's to check.
      if (PROGRAM.test(body[0].slice(2))) out.push(transcript(body, i + 1));
    }
    else if (lang === 'sh' || (lang === '' && body.length > 0 && body.every((l) => l.trim() === '' || PROGRAM.test(l.trim())))) {
      out.push(...shellBlock(body, i + 1));
    }
    i = end;
  }
  return out;
}

function transcript(body: string[], first: number): ReadmeCommand {
  let k = 0;
  let text = body[0]!.slice(2);
  while (text.endsWith('\\') && k + 1 < body.length) text = `${text.slice(0, -1)} ${body[++k]!.trim()}`;
  const cmd = command(text, first + 1);
  return { ...cmd, output: body.slice(k + 1), outputRange: [first + k + 1, first + body.length] };
}

function shellBlock(body: string[], first: number): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  for (let k = 0; k < body.length; k++) {
    let text = body[k]!.trim();
    if (!PROGRAM.test(text)) continue;
    const line = first + k + 1;
    while (text.endsWith('\\') && k + 1 < body.length) text = `${text.slice(0, -1)} ${body[++k]!.trim()}`;
    const cmd = command(stripComment(text), line);
    // A comment right below a command that does not read as prose is its output (`# Local Pod → …`).
    const next = body[k + 1];
    if (next !== undefined && /^# .*→/.test(next)) {
      cmd.contains.push(next.slice(2).replace(/\s{2,}\(.*\)\s*$/, '').trim());
      k++;
    }
    out.push(cmd);
  }
  return out;
}

function command(text: string, line: number): ReadmeCommand {
  const m = PROGRAM.exec(text);
  if (!m) throw new Error(`README line ${line}: not a sidecar-trace command: ${text}`);
  const rest = text.slice(m[0].length);
  const args = SHELL_SYNTAX.test(unquoted(rest)) ? null : shellWords(rest, line);
  return { line, text, args, sudo: m[1] !== undefined, output: null, contains: [], outputRange: null };
}

/** Pipes, redirections and the like: the test runs commands without a shell, so such lines are shown, not run. */
const SHELL_SYNTAX = /[|;&<>$`]/;

/** The text with quoted parts blanked, so a `|` inside quotes is not taken for a pipe. */
function unquoted(text: string): string {
  return text.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, (q) => ' '.repeat(q.length));
}

/** Strip a trailing `# comment` outside quotes. */
function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i).trimEnd();
  }
  return text;
}

/** POSIX-shell words: single and double quotes, backslash escapes; no expansions (the README uses none). */
export function shellWords(text: string, line: number): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) throw new Error(`README line ${line}: unterminated quote`);
      word = (word ?? '') + text.slice(i + 1, close);
      i = close;
    } else if (c === '"') {
      let j = i + 1;
      let acc = '';
      for (; j < text.length && text[j] !== '"'; j++) acc += text[j] === '\\' && j + 1 < text.length ? text[++j] : text[j];
      if (j >= text.length) throw new Error(`README line ${line}: unterminated quote`);
      word = (word ?? '') + acc;
      i = j;
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if ('|;&<>$`'.includes(c)) {
      throw new Error(`README line ${line}: shell syntax "${c}" in a shown command: the test runs commands without a shell`);
    } else word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/** Does actual output match a transcript, where a line `…` stands for any run of lines? */
export function matchesTranscript(expected: string[], actual: string[]): boolean {
  const exp = trimTrailingEmpty(expected);
  const act = trimTrailingEmpty(actual);
  const memo = new Map<string, boolean>();
  const go = (e: number, a: number): boolean => {
    const key = `${e},${a}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (e === exp.length) r = a === act.length;
    else if (exp[e] === '…') r = go(e + 1, a) || (a < act.length && go(e, a + 1));
    else r = a < act.length && exp[e] === act[a] && go(e + 1, a + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

function trimTrailingEmpty(lines: string[]): string[] {
  let n = lines.length;
  while (n > 0 && lines[n - 1]!.trim() === '') n--;
  return lines.slice(0, n);
}
