/**
 * `iptables -S` / `iptables -t TABLE -S` output (also ip6tables): `-P CHAIN POLICY`,
 * `-N CHAIN` and `-A …` lines with no `*table` or `COMMIT`. It prints one table; users
 * paste several back to back. The extractor collects each listing (a run of such lines
 * outside any table) and this file names its table and turns it into save lines.
 *
 * The table comes, in order, from the command line pasted before it
 * (`$ iptables -t nat -S`), from the built-in chains its `-P` lines name, from the
 * targets only one table allows. When none of these tells, it is refused: a guess
 * would put the rules in hooks the kernel never runs them in.
 */
import { InputError } from '../../core/errors.js';
import type { Family, TableName } from '../../core/types.js';
import type { SourceLine } from './blocks.js';
import { BUILTIN_CHAINS } from '../../core/ruleset/builtin-chains.js';

export interface ListCommand {
  family: Family;
  table: TableName | string;
  line: number;
}

/** One `-S` listing as the extractor collected it. */
export interface Listing {
  lines: SourceLine[];
  /** The command line pasted right before it, if any. */
  command: ListCommand | null;
}

/**
 * A shell prompt before a command: `$ `, `# `, `root@pod:~# `, `[root@node ~]# `.
 * Only used to recognise a listing command, never to drop other text.
 */
const PROMPT = /^(?:\[[^\]]*\]\s*[$#]\s*|[\w.@:~\/-]*[$#%>]\s+)/;
const LIST_BIN =
  /^(?:sudo\s+)?(?:(?:nsenter|kubectl|crictl|docker|ip\s+netns\s+exec)\s.*?\s)?(?:\S*\/)?(ip6?tables)(?:-legacy|-nft)?\s+(.*)$/;

/**
 * `iptables -t nat -S`, `# ip6tables -S`, `$ sudo iptables-legacy -t mangle -S ISTIO_DIVERT`:
 * the family and table the listing that follows belongs to; null for anything else.
 */
export function listCommandOf(text: string, line: number): ListCommand | null {
  let rest = text;
  for (let guard = 0; guard < 2; guard++) {
    const m = LIST_BIN.exec(rest);
    if (m) return parseListArgs(m[1] === 'ip6tables' ? 'ipv6' : 'ipv4', m[2]!, line);
    const p = PROMPT.exec(rest);
    if (!p) return null;
    rest = rest.slice(p[0].length);
  }
  return null;
}

function parseListArgs(family: Family, args: string, line: number): ListCommand | null {
  const tokens = args.trim().split(/\s+/);
  let table = 'filter';
  let list = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '-t' || t === '--table') table = tokens[++i] ?? table;
    else if (t.startsWith('--table=')) table = t.slice('--table='.length);
    else if (t === '-S' || t === '--list-rules') list = true;
    // Bundled short options: -vS, -tnat is a table, -nvS …
    else if (/^-t[a-z]+$/.test(t)) table = t.slice(2);
    else if (/^-[a-zA-Z]+$/.test(t) && t.includes('S') && !t.includes('t')) list = true;
  }
  return list ? { family, table, line } : null;
}

/** Targets only one table accepts (iptables-extensions(8)). */
const TABLE_OF_TARGET: Record<string, TableName> = {
  REDIRECT: 'nat',
  DNAT: 'nat',
  SNAT: 'nat',
  MASQUERADE: 'nat',
  NETMAP: 'nat',
  TPROXY: 'mangle',
  CT: 'raw',
  NOTRACK: 'raw',
  SECMARK: 'security',
  CONNSECMARK: 'security',
};

const ORDER: readonly TableName[] = ['raw', 'mangle', 'nat', 'filter', 'security'];

function sameSet(a: readonly string[], b: Set<string>): boolean {
  return a.length === b.size && a.every((x) => b.has(x));
}

/** The table a listing belongs to, or an InputError saying why it cannot be told. */
export function tableOfListing(l: Listing, file: string): string {
  const policies = new Set<string>();
  const appended = new Set<string>();
  const hinted = new Set<TableName>();
  for (const s of l.lines) {
    const words = s.text.split(/\s+/);
    if (words[0] === '-P' && words[1]) policies.add(words[1]);
    if (words[0] === '-A' && words[1]) appended.add(words[1]);
    const j = words.lastIndexOf('-j');
    const target = j >= 0 ? words[j + 1] : undefined;
    if (target && TABLE_OF_TARGET[target]) hinted.add(TABLE_OF_TARGET[target]);
  }
  // The pasted command line names the table, unless its -P lines name a chain that table lacks
  // (a stray `# iptables -S …` remark before another table's listing).
  const cmdTable = l.command?.table;
  if (cmdTable !== undefined) {
    const chains = BUILTIN_CHAINS[cmdTable as TableName] as readonly string[] | undefined;
    if (!chains || [...policies].every((c) => chains.includes(c))) return cmdTable;
  }
  if (policies.size > 0) {
    // The -P lines name every built-in chain of the table: the set is the table.
    let exact = ORDER.filter((t) => sameSet(BUILTIN_CHAINS[t], policies));
    // Kernels before 2.6.36 had no nat INPUT chain.
    if (exact.length === 0 && sameSet(['PREROUTING', 'OUTPUT', 'POSTROUTING'], policies)) exact = ['nat'];
    // filter and security have the same chains: security only with its own targets.
    if (exact.includes('filter')) return hinted.has('security') ? 'security' : 'filter';
    if (exact.length === 1) return exact[0]!;
  }
  // No (usable) -P lines: the tables that have every built-in chain named, narrowed by targets.
  const named = [...policies, ...appended].filter((c) => BUILTIN_CHAINS.mangle.includes(c as never));
  const fits = ORDER.filter((t) => named.every((c) => BUILTIN_CHAINS[t].includes(c as never)));
  const byTarget = fits.filter((t) => hinted.has(t));
  if (byTarget.length === 1 && hinted.size === 1) return byTarget[0]!;
  const first = l.lines[0]!;
  const could = (byTarget.length > 0 ? byTarget : fits).filter((t) => t !== 'security');
  throw new InputError(
    `cannot tell which table this "iptables -S" listing is${could.length > 1 ? ` (it could be ${could.join(', ')})` : ''}: put a "*nat"-style line before it, or paste it with its command line ("iptables -t nat -S")`,
    file,
    first.line,
  );
}

const COUNTERS = /\s+(?:-c|--set-counters)\s+\d+\s+\d+\s*$/;

/** A listing as save lines: `*table`, `:CHAIN POLICY [0:0]` for -P and -N, the -A lines, COMMIT. */
export function listingToSave(l: Listing, table: string): SourceLine[] {
  const first = l.lines[0]!;
  const out: SourceLine[] = [{ text: `*${table}`, line: first.line }];
  for (const s of l.lines) {
    const words = s.text.replace(COUNTERS, '').split(/\s+/);
    if (words[0] === '-P') out.push({ text: `:${words[1] ?? ''} ${words[2] ?? ''} [0:0]`, line: s.line });
    else if (words[0] === '-N') out.push({ text: `:${words[1] ?? ''} - [0:0]`, line: s.line });
    else out.push(s);
  }
  out.push({ text: 'COMMIT', line: l.lines.at(-1)!.line });
  return out;
}
