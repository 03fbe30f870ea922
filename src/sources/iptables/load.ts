/**
 * Apply blocks of restore/save lines to build a Ruleset, operation by
 * operation in file order, as iptables-restore would. Rule numbers are chain
 * positions after all operations, never file lines.
 */
import { InputError, RuleSyntaxError } from '../../core/errors.js';
import { TABLES, type Family, type TableName } from '../../core/types.js';
import { UNMODELLED_TARGETS } from '../../core/unmodelled-extensions.js';
import type { RuleBlock, SourceLine } from './blocks.js';
import { isBuiltinChain } from '../../core/ruleset/builtin-chains.js';
import { findTooDeep, MAX_CHAIN_DEPTH } from '../../core/ruleset/depth.js';
import type { Chain, FamilyRules, Provenance, Rule, Ruleset, RulesetSource, Table } from '../../core/ruleset/model.js';
import { isTargetModule, LazyRule } from './fast/lazy-rule.js';
import { jumpOf, lineOf } from '../../core/ruleset/rule-facts.js';
import { outlineRule } from './fast/rule-outline.js';
import { RuleList } from '../../core/ruleset/rule-list.js';
import { HookCheck, ifaceRefusal } from './hook-check.js';
import { parseRuleSpecInto, type RuleSpecCtx } from './rule-spec.js';
import { tokenize } from './tokenize.js';

/** Kernel limit on chain names (XT_EXTENSION_MAXNAMELEN 29 + NUL in nft-compat: 28 usable in legacy). */
export const MAX_CHAIN_NAME = 28;

const IPV6_HINT = /(?:^|\s)(?:-[sd]|--(?:source|destination|src|dst|to-destination|to-source|on-ip|src-range|dst-range))\s+(?:!\s+)?\[?[0-9a-fA-F]*:[0-9a-fA-F:.]*/;

const ICMP6_HINT = /-p\s+(?:ipv6-icmp|icmpv6)\b/;

function inferFamily(block: RuleBlock): Family {
  if (block.family) return block.family;
  for (const l of block.lines) {
    const t = l.text;
    // Both hints need these substrings: test them first, the regular expressions only where they occur.
    if ((t.indexOf(':') >= 0 && IPV6_HINT.test(t)) || (t.indexOf('icmp') >= 0 && ICMP6_HINT.test(t))) return 'ipv6';
  }
  return 'ipv4';
}

function newFamily(family: Family): FamilyRules {
  return { family, tables: new Map() };
}

function ensureTable(fr: FamilyRules, name: TableName): Table {
  let t = fr.tables.get(name);
  if (!t) {
    t = { name, chains: new Map() };
    fr.tables.set(name, t);
  }
  return t;
}

export interface LoadOptions {
  /**
   * Parse appended rules when first read, not at load (see lazy-rule.ts): the load then
   * checks each line's operation, chain and jump, and a rule's options when it is reached.
   */
  lazy?: boolean;
}

export function loadBlocks(blocks: RuleBlock[], source: RulesetSource, file: string, notes: string[] = [], options: LoadOptions = {}): Ruleset {
  const families: Partial<Record<Family, FamilyRules>> = {};
  for (const block of blocks) {
    const family = inferFamily(block);
    const fr = (families[family] ??= newFamily(family));
    applyBlock(block, fr, file, options.lazy === true);
  }
  for (const f of ['ipv4', 'ipv6'] as const) if (families[f] && families[f]!.tables.size === 0) delete families[f];
  if (!families.ipv4 && !families.ipv6) throw new InputError('no iptables tables found (expected a "*nat"-style table header)', file, 1);
  return { source, families, notes };
}

interface TableSession {
  table: Table;
  start: SourceLine;
}

const COUNTERS = /^\[\d+:\d+\]\s+/;
const CHAIN_DECL = /^:(\S+)\s+(\S+)(?:\s+\[\d+:\d+\])?\s*$/;
const DIGITS = /^\d+$/;

function provenanceOf(l: SourceLine, file: string): Provenance {
  return { file, line: l.line, raw: l.text };
}

function fail(msg: string, l: SourceLine, file: string): never {
  throw new InputError(msg, file, l.line);
}

/** The chain an operation names; a built-in chain comes into being on first use. */
function needChain(table: Table, chainName: string | undefined, op: string, l: SourceLine, file: string): Chain {
  if (chainName === undefined) fail(`${op} needs a chain name`, l, file);
  let chain = table.chains.get(chainName);
  if (!chain && isBuiltinChain(table.name, chainName)) {
    // A built-in chain comes into being on first use (nft-backed iptables creates it then, policy ACCEPT).
    chain = { name: chainName, builtin: true, policy: 'ACCEPT', rules: [], provenance: provenanceOf(l, file) };
    table.chains.set(chainName, chain);
  }
  if (!chain) fail(`chain "${chainName}" does not exist in table ${table.name} (declare it with ":${chainName} - [0:0]" or "-N ${chainName}")`, l, file);
  return chain;
}

/** Parse tokens[start..] as rules of `chain`; a syntax error names the file line and the rule. */
function parseRules(tokens: string[], start: number, chain: Chain, ctx: RuleSpecCtx, text: string, l: SourceLine, file: string): Rule[] {
  const out: Rule[] = [];
  try {
    parseRuleSpecInto(tokens, start, ctx, chain.name, { file, line: l }, out);
  } catch (e) {
    if (e instanceof RuleSyntaxError) fail(`${e.message} in rule "${text}"`, l, file);
    throw e;
  }
  return out;
}

/**
 * The rule of an `-A` line (`text`, counters removed): lazy when its outline is certain,
 * else parsed now. `tokens` are the line's, when the caller has them.
 */
export function appendRules(tokens: string[] | null, chain: Chain, ctx: RuleSpecCtx, text: string, l: SourceLine, file: string, lazy: boolean): void {
  if (lazy) {
    const outline = outlineRule(text, 0, text.length, 2, isTargetModule);
    if (outline !== null) {
      chain.rules.push(new LazyRule(outline, { text, file, chain: chain.name, ctx }, 0, l.text === text ? null : l.text, l.line));
      return;
    }
  }
  if (tokens === null) {
    try {
      tokens = tokenize(text);
    } catch (e) {
      return fail((e as Error).message, l, file);
    }
  }
  const rules = parseRules(tokens, 2, chain, ctx, text, l, file);
  if (rules.length === 1) chain.rules.push(rules[0]!);
  else for (const r of rules) chain.rules.push(r);
}

/**
 * The chain's rules as a RuleList, for -I, -D and -R in O(log n) each. While a chain has
 * one, chain.rules holds only the rules appended since (-A stays a push); they move in here.
 */
function editable(edits: Map<Chain, RuleList>, chain: Chain): RuleList {
  let list = edits.get(chain);
  if (!list) edits.set(chain, (list = new RuleList(chain.rules)));
  else if (chain.rules.length > 0) list.append(chain.rules);
  chain.rules = [];
  return list;
}

/** At COMMIT: every edited chain gets its rules back as one array. */
function settleEdits(edits: Map<Chain, RuleList>): void {
  for (const [chain, list] of edits) {
    list.append(chain.rules);
    chain.rules = list.toArray();
  }
  edits.clear();
}

function applyBlock(block: RuleBlock, fr: FamilyRules, file: string, lazy: boolean): void {
  let session: TableSession | null = null;
  // Chains edited by -I, -D or -R in this table session (see editable()).
  const edits = new Map<Chain, RuleList>();
  const family = fr.family;
  let ctx: RuleSpecCtx = { family, table: 'filter' };
  // The chain of the previous `-A` line: a dump lists each chain's rules together.
  let lastName: string | null = null;
  let lastChain: Chain | null = null;

  for (const l of block.lines) {
    let text = l.text.trim();
    if (text === '') continue;
    const first = text.charCodeAt(0);
    if (first === 35 /* # */) continue;
    // `[pkts:bytes] -A …` from iptables-save -c: counters never change a verdict.
    if (first === 91 /* [ */) {
      const counters = COUNTERS.exec(text);
      if (counters) text = text.slice(counters[0].length);
    }

    if (text.charCodeAt(0) !== 45 /* - */) {
      lastName = null;
      lastChain = null;
    }
    if (text.charCodeAt(0) === 42 /* * */) {
      if (session) fail(`table "${session.table.name}" started at line ${session.start.line} has no COMMIT before the next table`, l, file);
      const name = text.slice(1).trim();
      if (!(TABLES as readonly string[]).includes(name)) fail(`unknown table "${name}": expected one of ${TABLES.join(', ')}`, l, file);
      const table = ensureTable(fr, name as TableName);
      ctx = { family, table: table.name };
      // A save is a complete snapshot of the table; restore input (Istio uses --noflush) adds to it.
      if (block.kind === 'save') table.chains.clear();
      session = { table, start: l };
      continue;
    }
    if (text === 'COMMIT') {
      if (!session) fail('COMMIT without a table header', l, file);
      settleEdits(edits);
      finishTable(session.table, file);
      session = null;
      continue;
    }
    if (!session) fail(`"${text.slice(0, 40)}" appears outside a table: expected a "*table" header first`, l, file);
    const table = session.table;

    if (text.charCodeAt(0) === 58 /* : */) {
      const m = CHAIN_DECL.exec(text);
      if (!m) fail(`malformed chain declaration "${text}": expected ":CHAIN POLICY [packets:bytes]"`, l, file);
      const name = m[1]!;
      const policy = m[2]!;
      checkChainName(name, l, file);
      const builtin = isBuiltinChain(table.name, name);
      if (builtin) {
        if (policy !== 'ACCEPT' && policy !== 'DROP') fail(`invalid policy "${policy}" for built-in chain ${name}: expected ACCEPT or DROP`, l, file);
        const existing = table.chains.get(name);
        if (existing) existing.policy = policy;
        else table.chains.set(name, { name, builtin: true, policy, rules: [], provenance: provenanceOf(l, file) });
      } else {
        if (policy !== '-') fail(`user chain ${name} cannot have a policy ("${policy}"): expected "-"`, l, file);
        const existing = table.chains.get(name);
        // iptables-restore flushes a declared chain that already exists.
        if (existing) {
          existing.rules = [];
          edits.delete(existing);
        }
        else table.chains.set(name, { name, builtin: false, policy: null, rules: [], provenance: provenanceOf(l, file) });
      }
      continue;
    }

    let tokens: string[];
    try {
      tokens = tokenize(text);
    } catch (e) {
      return fail((e as Error).message, l, file);
    }
    const op = tokens[0]!;
    const chainName = tokens[1];
    if (op === '-A' && chainName !== undefined && chainName === lastName) {
      appendRules(tokens, lastChain!, ctx, text, l, file, lazy);
      continue;
    }
    lastName = null;
    lastChain = null;

    switch (op) {
      case '-N':
      case '--new-chain': {
        if (chainName === undefined) fail('-N needs a chain name', l, file);
        checkChainName(chainName, l, file);
        if (table.chains.has(chainName)) fail(`chain "${chainName}" already exists in table ${table.name}`, l, file);
        table.chains.set(chainName, { name: chainName, builtin: false, policy: null, rules: [], provenance: provenanceOf(l, file) });
        break;
      }
      case '-P':
      case '--policy': {
        const chain = needChain(table, chainName, op, l, file);
        const policy = tokens[2];
        if (!chain.builtin) fail(`cannot set a policy on user chain ${chain.name}`, l, file);
        if (policy !== 'ACCEPT' && policy !== 'DROP') fail(`invalid policy "${policy ?? ''}": expected ACCEPT or DROP`, l, file);
        chain.policy = policy;
        break;
      }
      case '-A':
      case '--append': {
        const chain = needChain(table, chainName, op, l, file);
        appendRules(tokens, chain, ctx, text, l, file, lazy);
        if (op === '-A') {
          lastName = chainName!;
          lastChain = chain;
        }
        break;
      }
      case '-I':
      case '--insert': {
        const chain = needChain(table, chainName, op, l, file);
        let pos = 1;
        let start = 2;
        if (tokens[2] !== undefined && DIGITS.test(tokens[2])) {
          pos = Number(tokens[2]);
          start = 3;
        }
        const list = editable(edits, chain);
        if (pos < 1 || pos > list.length + 1) fail(`insert position ${pos} is out of range: ${chain.name} has ${list.length} rules`, l, file);
        list.insert(pos - 1, parseRules(tokens, start, chain, ctx, text, l, file));
        break;
      }
      case '-R':
      case '--replace': {
        const chain = needChain(table, chainName, op, l, file);
        const pos = Number(tokens[2]);
        const list = editable(edits, chain);
        if (!Number.isInteger(pos) || pos < 1 || pos > list.length) fail(`replace position "${tokens[2] ?? ''}" is out of range: ${chain.name} has ${list.length} rules`, l, file);
        const rules = parseRules(tokens, 3, chain, ctx, text, l, file);
        if (rules.length !== 1) fail('-R takes exactly one rule', l, file);
        list.replaceAt(pos - 1, rules[0]!);
        break;
      }
      case '-D':
      case '--delete': {
        const chain = needChain(table, chainName, op, l, file);
        const list = editable(edits, chain);
        if (tokens.length === 3 && DIGITS.test(tokens[2]!)) {
          const pos = Number(tokens[2]);
          if (pos < 1 || pos > list.length) fail(`delete position ${pos} is out of range: ${chain.name} has ${list.length} rules`, l, file);
          list.removeAt(pos - 1);
        } else {
          // The first rule with the same canonical text, as iptables compares rule specs.
          for (const r of parseRules(tokens, 2, chain, ctx, text, l, file)) {
            if (!list.removeFirstWithText(r.text)) fail(`no rule "${r.text}" to delete in ${chain.name}`, l, file);
          }
        }
        break;
      }
      case '-F':
      case '--flush': {
        if (chainName === undefined) {
          for (const c of table.chains.values()) c.rules = [];
          edits.clear();
        } else {
          const c = needChain(table, chainName, op, l, file);
          c.rules = [];
          edits.delete(c);
        }
        break;
      }
      case '-X':
      case '--delete-chain': {
        const names = chainName === undefined ? [...table.chains.values()].filter((c) => !c.builtin).map((c) => c.name) : [chainName];
        for (const n of names) {
          const c = table.chains.get(n);
          if (!c) fail(`chain "${n}" does not exist in table ${table.name}`, l, file);
          if (c.builtin) fail(`cannot delete built-in chain ${n}`, l, file);
          table.chains.delete(n);
          edits.delete(c);
        }
        break;
      }
      case '-Z':
      case '--zero':
        break;
      default:
        fail(`unexpected "${op}": expected -A, -I, -N, -P, -D, -R, -F, -X, ":CHAIN POLICY" or COMMIT`, l, file);
    }
  }
  if (session) throw new InputError(`missing COMMIT for table ${session.table.name} started at line ${session.start.line}`, file, session.start.line);
}

/** Whether a chain name is one the kernel takes (checkChainName's test, without throwing). */
export function validChainName(name: string): boolean {
  return name.length <= MAX_CHAIN_NAME && !name.startsWith('-') && !name.startsWith('!');
}

function checkChainName(name: string, l: SourceLine, file: string): void {
  if (name.length > MAX_CHAIN_NAME) throw new InputError(`chain name "${name}" is longer than ${MAX_CHAIN_NAME} characters`, file, l.line);
  if (name.startsWith('-') || name.startsWith('!')) throw new InputError(`invalid chain name "${name}"`, file, l.line);
}

/** At COMMIT: resolve jumps, reject missing chains, loops and extensions outside their hooks, as the kernel does at load. */
export function finishTable(table: Table, file: string): void {
  // The jump graph as arrays (chain i's jumps are edges[edgeStart[i] .. edgeStart[i+1]]):
  // each jump target is looked up by name once, here, and the loop search needs no maps.
  const chains = [...table.chains.values()];
  // Chain names to positions: one lookup per jump (by name) gives the edge.
  const index = new Map<string, number>();
  for (let i = 0; i < chains.length; i++) index.set(chains[i]!.name, i);
  const edgeStart = new Int32Array(chains.length + 1);
  const edges: number[] = [];
  // Rules that may use an extension outside its tables or hooks, checked once the graph is known.
  const hooks = new HookCheck();
  for (let i = 0; i < chains.length; i++) {
    edgeStart[i] = edges.length;
    const rules = chains[i]!.rules;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      const iface = ifaceRefusal(table.name, chains[i]!, rule);
      if (iface !== null) hooks.addIfaceRefusal(rule, iface);
      // A lazy rule answers from its outline (no object per rule); any other from its target.
      let toName: string;
      let kind: 'jump' | 'goto';
      if (rule instanceof LazyRule) {
        if (rule.mayBeLimited) hooks.add(i, rule);
        if (rule.jumpName === null || rule.targetModule || rule.unmodelled) continue;
        toName = rule.jumpName;
        kind = rule.goto ? 'goto' : 'jump';
      } else {
        hooks.add(i, rule);
        const t = rule.target;
        if (t.kind !== 'jump' && t.kind !== 'goto') continue;
        toName = t.chain;
        kind = t.kind;
      }
      const at = index.get(toName);
      if (at !== undefined) {
        if (!chains[at]!.builtin) {
          edges.push(at);
          continue;
        }
        throw new InputError(`cannot jump to built-in chain ${toName}`, file, lineOf(rule));
      }
      if (kind === 'jump' && UNMODELLED_TARGETS.has(toName)) {
        if (rule instanceof LazyRule) rule.markUnmodelled();
        else rule.target = { kind: 'unknown', name: toName, tokens: [] };
        continue;
      }
      throw new InputError(
        `${kind} to chain "${toName}" that does not exist in table ${table.name}`,
        file,
        lineOf(rule),
      );
    }
  }
  edgeStart[chains.length] = edges.length;
  // Only for a violation are the chains searched again (loops in name order), to name it.
  const problem = checkJumpGraph(chains, edgeStart, edges);
  const cycle = problem === 'loop' ? findCycle(table) : null;
  if (cycle) {
    const first = table.chains.get(cycle[0]!)!;
    const rule = first.rules.find((r) => jumpOf(r)?.chain === cycle[1]);
    throw new InputError(`chain loop: ${shortPath(cycle)} (the kernel rejects rule sets with jump cycles)`, file, (rule && lineOf(rule)) ?? first.provenance?.line ?? null);
  }
  const deep = problem === 'too-deep' ? findTooDeep(table) : null;
  if (deep) {
    throw new InputError(
      `jumps nest ${deep.path.length - 1} user chains deep (${shortPath(deep.path)}); the kernel allows ${MAX_CHAIN_DEPTH} ("Too many links")`,
      file,
      lineOf(deep.rule),
    );
  }
  hooks.check(table.name, chains, edgeStart, edges, file);
}

/** A chain path for a message: a 100,000-chain loop or nest is named by its ends, not in full. */
function shortPath(path: string[]): string {
  if (path.length <= 20) return path.join(' -> ');
  return `${path.slice(0, 10).join(' -> ')} -> … ${path.length - 15} more … -> ${path.slice(-5).join(' -> ')}`;
}

/**
 * The jump graph's two kernel checks in one iterative depth-first pass: a loop, or a
 * built-in chain with more than MAX_CHAIN_DEPTH user chains nested below it. Each chain's
 * depth (user chains nested below it) is known when the pass leaves it.
 */
function checkJumpGraph(chains: Chain[], edgeStart: Int32Array, edges: number[]): 'loop' | 'too-deep' | null {
  const n = chains.length;
  const state = new Uint8Array(n); // 0 unseen, 1 on the current path, 2 done
  const depth = new Int32Array(n);
  const stack = new Int32Array(n);
  const next = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    let sp = 0;
    stack[0] = root;
    next[0] = edgeStart[root]!;
    state[root] = 1;
    while (sp >= 0) {
      const c = stack[sp]!;
      if (next[sp]! < edgeStart[c + 1]!) {
        const to = edges[next[sp]!++]!;
        if (state[to] === 1) return 'loop';
        if (state[to] === 0) {
          state[to] = 1;
          sp++;
          stack[sp] = to;
          next[sp] = edgeStart[to]!;
        }
      } else {
        let d = 0;
        for (let e = edgeStart[c]!; e < edgeStart[c + 1]!; e++) d = Math.max(d, 1 + depth[edges[e]!]!);
        depth[c] = d;
        state[c] = 2;
        sp--;
      }
    }
  }
  for (let c = 0; c < n; c++) if (chains[c]!.builtin && depth[c]! > MAX_CHAIN_DEPTH) return 'too-deep';
  return null;
}

/**
 * The first loop in chain-name order, as a path that ends where it began. Iterative
 * (an explicit stack, not recursion), so 100,000 nested chains cannot overflow the call stack.
 */
function findCycle(table: Table): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  // The current path: each chain with the position of its next rule to follow.
  const path: string[] = [];
  const nextRule: number[] = [];
  for (const root of [...table.chains.keys()].sort()) {
    if (state.has(root)) continue;
    state.set(root, 'visiting');
    path.push(root);
    nextRule.push(0);
    while (path.length > 0) {
      const top = path.length - 1;
      const rules = table.chains.get(path[top]!)?.rules ?? [];
      if (nextRule[top]! >= rules.length) {
        state.set(path.pop()!, 'done');
        nextRule.pop();
        continue;
      }
      const t = jumpOf(rules[nextRule[top]!++]!);
      if (t === null) continue;
      const s = state.get(t.chain);
      if (s === 'done') continue;
      if (s === 'visiting') return [...path.slice(path.indexOf(t.chain)), t.chain];
      state.set(t.chain, 'visiting');
      path.push(t.chain);
      nextRule.push(0);
    }
  }
  return null;
}
