/**
 * Apply blocks of restore/save lines to build a Ruleset, operation by
 * operation in file order, as iptables-restore would. Rule numbers are chain
 * positions after all operations, never file lines.
 */
import { InputError, RuleSyntaxError } from '../errors.js';
import { TABLES, type Family, type TableName } from '../types.js';
import { UNMODELLED_TARGETS } from '../targets/registry.js';
import type { RuleBlock, SourceLine } from './blocks.js';
import { BUILTIN_CHAINS, isBuiltinChain } from './builtin-chains.js';
import type { Chain, FamilyRules, Rule, Ruleset, RulesetSource, Table } from './model.js';
import { parseRuleSpec } from './rule-spec.js';
import { tokenize } from './tokenize.js';

/** Kernel limit on chain names (XT_EXTENSION_MAXNAMELEN 29 + NUL in nft-compat: 28 usable in legacy). */
export const MAX_CHAIN_NAME = 28;

const IPV6_HINT = /(?:^|\s)(?:-[sd]|--(?:source|destination|src|dst|to-destination|to-source|on-ip|src-range|dst-range))\s+(?:!\s+)?\[?[0-9a-fA-F]*:[0-9a-fA-F:.]*/;

function inferFamily(block: RuleBlock): Family {
  if (block.family) return block.family;
  for (const l of block.lines) {
    if (IPV6_HINT.test(l.text) || /-p\s+(?:ipv6-icmp|icmpv6)\b/.test(l.text)) return 'ipv6';
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

export function loadBlocks(blocks: RuleBlock[], source: RulesetSource, file: string, notes: string[] = []): Ruleset {
  const families: Partial<Record<Family, FamilyRules>> = {};
  for (const block of blocks) {
    const family = inferFamily(block);
    const fr = (families[family] ??= newFamily(family));
    applyBlock(block, fr, file);
  }
  for (const f of ['ipv4', 'ipv6'] as const) if (families[f] && families[f]!.tables.size === 0) delete families[f];
  if (!families.ipv4 && !families.ipv6) throw new InputError('no iptables tables found (expected a "*nat"-style table header)', file, 1);
  return { source, families, notes };
}

interface TableSession {
  table: Table;
  start: SourceLine;
}

function applyBlock(block: RuleBlock, fr: FamilyRules, file: string): void {
  let session: TableSession | null = null;
  const fail = (msg: string, l: SourceLine): never => {
    throw new InputError(msg, file, l.line);
  };

  for (const l of block.lines) {
    let text = l.text.trim();
    if (text === '' || text.startsWith('#')) continue;
    // `[pkts:bytes] -A …` from iptables-save -c: counters never change a verdict.
    const counters = /^\[\d+:\d+\]\s+/.exec(text);
    if (counters) text = text.slice(counters[0].length);

    if (text.startsWith('*')) {
      if (session) fail(`table "${session.table.name}" started at line ${session.start.line} has no COMMIT before the next table`, l);
      const name = text.slice(1).trim();
      if (!(TABLES as readonly string[]).includes(name)) fail(`unknown table "${name}": expected one of ${TABLES.join(', ')}`, l);
      const table = ensureTable(fr, name as TableName);
      // A save is a complete snapshot of the table; restore input (Istio uses --noflush) adds to it.
      if (block.kind === 'save') table.chains.clear();
      session = { table, start: l };
      continue;
    }
    if (text === 'COMMIT') {
      if (!session) fail('COMMIT without a table header', l);
      finishTable(session!.table, file);
      session = null;
      continue;
    }
    if (!session) fail(`"${text.slice(0, 40)}" appears outside a table: expected a "*table" header first`, l);
    const table = session!.table;
    const prov = { file, line: l.line, raw: l.text };

    if (text.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)(?:\s+\[\d+:\d+\])?\s*$/.exec(text);
      if (!m) fail(`malformed chain declaration "${text}": expected ":CHAIN POLICY [packets:bytes]"`, l);
      const [, name, policy] = m!;
      checkChainName(name!, l, file);
      const builtin = isBuiltinChain(table.name, name!);
      if (builtin) {
        if (policy !== 'ACCEPT' && policy !== 'DROP') fail(`invalid policy "${policy}" for built-in chain ${name}: expected ACCEPT or DROP`, l);
        const existing = table.chains.get(name!);
        if (existing) existing.policy = policy as 'ACCEPT' | 'DROP';
        else table.chains.set(name!, { name: name!, builtin: true, policy: policy as 'ACCEPT' | 'DROP', rules: [], provenance: prov });
      } else {
        if (policy !== '-') fail(`user chain ${name} cannot have a policy ("${policy}"): expected "-"`, l);
        const existing = table.chains.get(name!);
        // iptables-restore flushes a declared chain that already exists.
        if (existing) existing.rules = [];
        else table.chains.set(name!, { name: name!, builtin: false, policy: null, rules: [], provenance: prov });
      }
      continue;
    }

    let tokens: string[];
    try {
      tokens = tokenize(text);
    } catch (e) {
      return fail((e as Error).message, l);
    }
    const op = tokens[0]!;
    const chainName = tokens[1];
    const needChain = (_create: boolean): Chain => {
      if (chainName === undefined) fail(`${op} needs a chain name`, l);
      let chain = table.chains.get(chainName!);
      if (!chain && isBuiltinChain(table.name, chainName!)) {
        // A built-in chain comes into being on first use (nft-backed iptables creates it then, policy ACCEPT).
        chain = { name: chainName!, builtin: true, policy: 'ACCEPT', rules: [], provenance: prov };
        table.chains.set(chainName!, chain);
      }
      if (!chain) fail(`chain "${chainName}" does not exist in table ${table.name} (declare it with ":${chainName} - [0:0]" or "-N ${chainName}")`, l);
      return chain!;
    };
    const parseRules = (args: string[], chain: Chain): Rule[] => {
      try {
        return parseRuleSpec(args, { family: fr.family, table: table.name }).map((spec) => ({
          ...spec,
          text: spec.text ? `-A ${chain.name} ${spec.text}` : `-A ${chain.name}`,
          provenance: prov,
        }));
      } catch (e) {
        if (e instanceof RuleSyntaxError) return fail(`${e.message} in rule "${text}"`, l);
        throw e;
      }
    };

    switch (op) {
      case '-N':
      case '--new-chain': {
        if (chainName === undefined) fail('-N needs a chain name', l);
        checkChainName(chainName!, l, file);
        if (table.chains.has(chainName!)) fail(`chain "${chainName}" already exists in table ${table.name}`, l);
        table.chains.set(chainName!, { name: chainName!, builtin: false, policy: null, rules: [], provenance: prov });
        break;
      }
      case '-P':
      case '--policy': {
        const chain = needChain(true);
        const policy = tokens[2];
        if (!chain.builtin) fail(`cannot set a policy on user chain ${chain.name}`, l);
        if (policy !== 'ACCEPT' && policy !== 'DROP') fail(`invalid policy "${policy ?? ''}": expected ACCEPT or DROP`, l);
        chain.policy = policy as 'ACCEPT' | 'DROP';
        break;
      }
      case '-A':
      case '--append': {
        const chain = needChain(true);
        chain.rules.push(...parseRules(tokens.slice(2), chain));
        break;
      }
      case '-I':
      case '--insert': {
        const chain = needChain(true);
        let pos = 1;
        let args = tokens.slice(2);
        if (args[0] !== undefined && /^\d+$/.test(args[0])) {
          pos = Number(args[0]);
          args = args.slice(1);
        }
        if (pos < 1 || pos > chain.rules.length + 1) fail(`insert position ${pos} is out of range: ${chain.name} has ${chain.rules.length} rules`, l);
        chain.rules.splice(pos - 1, 0, ...parseRules(args, chain));
        break;
      }
      case '-R':
      case '--replace': {
        const chain = needChain(false);
        const pos = Number(tokens[2]);
        if (!Number.isInteger(pos) || pos < 1 || pos > chain.rules.length) fail(`replace position "${tokens[2] ?? ''}" is out of range: ${chain.name} has ${chain.rules.length} rules`, l);
        const rules = parseRules(tokens.slice(3), chain);
        if (rules.length !== 1) fail('-R takes exactly one rule', l);
        chain.rules[pos - 1] = rules[0]!;
        break;
      }
      case '-D':
      case '--delete': {
        const chain = needChain(false);
        if (tokens.length === 3 && /^\d+$/.test(tokens[2]!)) {
          const pos = Number(tokens[2]);
          if (pos < 1 || pos > chain.rules.length) fail(`delete position ${pos} is out of range: ${chain.name} has ${chain.rules.length} rules`, l);
          chain.rules.splice(pos - 1, 1);
        } else {
          for (const r of parseRules(tokens.slice(2), chain)) {
            const idx = chain.rules.findIndex((x) => x.text === r.text);
            if (idx < 0) fail(`no rule "${r.text}" to delete in ${chain.name}`, l);
            chain.rules.splice(idx, 1);
          }
        }
        break;
      }
      case '-F':
      case '--flush': {
        if (chainName === undefined) for (const c of table.chains.values()) c.rules = [];
        else needChain(false).rules = [];
        break;
      }
      case '-X':
      case '--delete-chain': {
        const names = chainName === undefined ? [...table.chains.values()].filter((c) => !c.builtin).map((c) => c.name) : [chainName];
        for (const n of names) {
          const c = table.chains.get(n);
          if (!c) fail(`chain "${n}" does not exist in table ${table.name}`, l);
          if (c!.builtin) fail(`cannot delete built-in chain ${n}`, l);
          table.chains.delete(n);
        }
        break;
      }
      case '-Z':
      case '--zero':
        break;
      default:
        fail(`unexpected "${op}": expected -A, -I, -N, -P, -D, -R, -F, -X, ":CHAIN POLICY" or COMMIT`, l);
    }
  }
  if (session) throw new InputError(`missing COMMIT for table ${session.table.name} started at line ${session.start.line}`, file, session.start.line);
}

function checkChainName(name: string, l: SourceLine, file: string): void {
  if (name.length > MAX_CHAIN_NAME) throw new InputError(`chain name "${name}" is longer than ${MAX_CHAIN_NAME} characters`, file, l.line);
  if (name.startsWith('-') || name.startsWith('!')) throw new InputError(`invalid chain name "${name}"`, file, l.line);
}

/** At COMMIT: resolve jumps, reject missing chains and loops, as the kernel does at load. */
function finishTable(table: Table, file: string): void {
  for (const chain of table.chains.values()) {
    for (const rule of chain.rules) {
      const t = rule.target;
      if (t.kind !== 'jump' && t.kind !== 'goto') continue;
      if (table.chains.has(t.chain) && !table.chains.get(t.chain)!.builtin) continue;
      if (table.chains.get(t.chain)?.builtin) {
        throw new InputError(`cannot jump to built-in chain ${t.chain}`, file, rule.provenance.line);
      }
      if (t.kind === 'jump' && UNMODELLED_TARGETS.has(t.chain)) {
        rule.target = { kind: 'unknown', name: t.chain, tokens: [] };
        continue;
      }
      throw new InputError(
        `${t.kind === 'jump' ? 'jump' : 'goto'} to chain "${t.chain}" that does not exist in table ${table.name}`,
        file,
        rule.provenance.line,
      );
    }
  }
  const cycle = findCycle(table);
  if (cycle) {
    const first = table.chains.get(cycle[0]!)!;
    const rule = first.rules.find((r) => (r.target.kind === 'jump' || r.target.kind === 'goto') && r.target.chain === cycle[1]);
    throw new InputError(`chain loop: ${cycle.join(' -> ')} (the kernel rejects rule sets with jump cycles)`, file, rule?.provenance.line ?? first.provenance?.line ?? null);
  }
  void BUILTIN_CHAINS;
}

function findCycle(table: Table): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    const s = state.get(name);
    if (s === 'done') return null;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const rule of table.chains.get(name)?.rules ?? []) {
      const t = rule.target;
      if (t.kind === 'jump' || t.kind === 'goto') {
        const found = visit(t.chain);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, 'done');
    return null;
  };
  for (const name of [...table.chains.keys()].sort()) {
    const found = visit(name);
    if (found) return found;
  }
  return null;
}
