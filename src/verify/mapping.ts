/**
 * From nft rule handles to iptables-save positions.
 *
 * A trace event names a rule by its nft handle. `nft -a -j list ruleset` gives every chain's
 * rules in kernel order with their handles; `iptables-save` / `ip6tables-save` print the same
 * chains in the same order. Rule k of a chain in one is rule k in the other. The index refuses
 * to build when the two disagree on a chain's length or on a rule's target, so a wrong mapping
 * cannot go unnoticed.
 */
import type { SourceLine } from '../sources/iptables/blocks.js';
import { loadBlocks } from '../sources/iptables/load.js';
import type { Rule } from '../core/ruleset/model.js';
import type { Family, HookName, TableName } from '../core/types.js';

// Local lists; `satisfies` keeps them within core's unions.
const HOOK_NAMES = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const satisfies readonly HookName[];
const TABLE_NAMES = ['raw', 'mangle', 'nat', 'filter', 'security'] as const satisfies readonly TableName[];

export interface SaveRule {
  /** The iptables-save line without counters, e.g. `-A ISTIO_OUTPUT -o lo -j RETURN`. */
  text: string;
  /** `-j X` or `-g X`, or null for a rule without a target. */
  target: string | null;
  goto: boolean;
  packets: number | null;
}

export interface SaveChain {
  policy: string | null;
  rules: SaveRule[];
}

/** table -> chain -> rules, in file order. */
export type SaveDump = Map<string, Map<string, SaveChain>>;

/** The name after `-j`/`-g` of a parsed rule, or null when it has none. */
function targetOf(rule: Rule): { target: string | null; goto: boolean } {
  const t = rule.target;
  switch (t.kind) {
    case 'none':
      return { target: null, goto: false };
    case 'jump':
      return { target: t.chain, goto: false };
    case 'goto':
      return { target: t.chain, goto: true };
    case 'module':
      return { target: t.module.name, goto: false };
    case 'unknown':
      return { target: t.name, goto: false };
  }
}

const COUNTERS = /^\[(\d+):(\d+)\]\s+/;

/**
 * Parse iptables-save output, with or without `-c` counters, with the project's own
 * iptables parser (the one every rule set goes through): a `-j` inside a quoted comment or
 * another option's value is that option's value, never a target. Counters are read from each
 * line's `[packets:bytes]` prefix, matched to its rule by line number.
 */
export function parseSave(text: string, family: Family = 'ipv4'): SaveDump {
  const dump: SaveDump = new Map();
  const lines: SourceLine[] = [];
  const counted = new Map<number, { packets: number; text: string }>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const m = COUNTERS.exec(line);
    const rest = m ? line.slice(m[0].length) : line;
    if (rest.startsWith('-A ')) counted.set(i + 1, { packets: m ? Number(m[1]) : NaN, text: rest });
    lines.push({ text: raw, line: i + 1 });
  });
  if (!lines.some((l) => l.text.trim().startsWith('*'))) return dump;
  const ruleset = loadBlocks([{ family, kind: 'save', lines }], { name: SAVE_NAME, format: 'iptables-save' }, SAVE_NAME);
  for (const [tableName, table] of ruleset.families[family]?.tables ?? []) {
    const chains = new Map<string, SaveChain>();
    dump.set(tableName, chains);
    for (const [name, chain] of table.chains) {
      chains.set(name, {
        policy: chain.policy,
        rules: chain.rules.map((rule) => {
          const line = counted.get(rule.provenance.line);
          return {
            text: line?.text ?? `-A ${name} ${rule.text}`,
            ...targetOf(rule),
            packets: line === undefined || Number.isNaN(line.packets) ? null : line.packets,
          };
        }),
      });
    }
  }
  return dump;
}

const SAVE_NAME = '<iptables-save>';

interface NftChainJson {
  family: string;
  table: string;
  name: string;
  hook?: string;
  policy?: string;
}

interface NftRuleJson {
  family: string;
  table: string;
  chain: string;
  handle: number;
  expr?: Array<Record<string, unknown>>;
}

export interface RuleRef {
  family: Family;
  table: TableName;
  chain: string;
  /** 1-based iptables-save position. */
  position: number;
  text: string;
  target: string | null;
}

export interface RuleIndex {
  /** `${nfFamily} ${table} ${handle}` -> rule. */
  rules: Map<string, RuleRef>;
  /** `${nfFamily} ${table} ${chain}` -> hook, for base chains (the trace table's included). */
  hooks: Map<string, HookName>;
}

export const NF_FAMILY: Record<Family, string> = { ipv4: 'ip', ipv6: 'ip6' };

export function familyOfNf(nfFamily: string): Family | null {
  return nfFamily === 'ip' ? 'ipv4' : nfFamily === 'ip6' ? 'ipv6' : null;
}

export function isIptablesTable(table: string): table is TableName {
  return (TABLE_NAMES as readonly string[]).includes(table);
}

function hookName(hook: string): HookName | null {
  const upper = hook.toUpperCase();
  return (HOOK_NAMES as readonly string[]).includes(upper) ? (upper as HookName) : null;
}

/** What iptables target an nft rule ends in, when that can be told from its expressions; undefined when not. */
export function nftTarget(expr: Array<Record<string, unknown>> | undefined): string | null | undefined {
  const last = expr?.[expr.length - 1];
  if (!last) return null;
  const key = Object.keys(last)[0];
  const val = key ? (last[key] as Record<string, unknown> | null) : null;
  switch (key) {
    case 'jump':
    case 'goto':
      return typeof val?.target === 'string' ? val.target : undefined;
    case 'return':
      return 'RETURN';
    case 'accept':
      return 'ACCEPT';
    case 'drop':
      return 'DROP';
    case 'reject':
      return 'REJECT';
    case 'redirect':
      return 'REDIRECT';
    case 'dnat':
      return 'DNAT';
    case 'snat':
      return 'SNAT';
    case 'masquerade':
      return 'MASQUERADE';
    case 'tproxy':
      return 'TPROXY';
    case 'log':
      // iptables-nft writes -j NFLOG as `log group N`.
      return val && 'group' in val ? 'NFLOG' : 'LOG';
    case 'notrack':
      return 'NOTRACK';
    case 'xt':
      return val?.type === 'target' && typeof val.name === 'string' ? val.name : undefined;
    case 'counter':
      return null;
    default:
      return undefined; // native translations (meta mark set, ct zone set…): not checked
  }
}

/**
 * Build the handle index from `nft -a -j list ruleset` and each family's iptables-save text.
 * Throws when nft and iptables-save disagree.
 */
export function buildRuleIndex(nftJson: string, saves: Partial<Record<Family, string>>): RuleIndex {
  const parsed = JSON.parse(nftJson) as { nftables?: Array<Record<string, unknown>> };
  const chains: NftChainJson[] = [];
  const rulesByChain = new Map<string, NftRuleJson[]>();
  for (const item of parsed.nftables ?? []) {
    if (item.chain) chains.push(item.chain as NftChainJson);
    if (item.rule) {
      const r = item.rule as NftRuleJson;
      const key = `${r.family} ${r.table} ${r.chain}`;
      const list = rulesByChain.get(key) ?? [];
      list.push(r);
      rulesByChain.set(key, list);
    }
  }
  const index: RuleIndex = { rules: new Map(), hooks: new Map() };
  const problems: string[] = [];
  const dumps = new Map<Family, SaveDump>();
  for (const [family, text] of Object.entries(saves) as Array<[Family, string]>) dumps.set(family, parseSave(text, family));

  for (const c of chains) {
    const key = `${c.family} ${c.table} ${c.name}`;
    if (c.hook) {
      const hook = hookName(c.hook);
      if (hook) index.hooks.set(key, hook);
    }
    const family = familyOfNf(c.family);
    if (!family || !isIptablesTable(c.table)) continue;
    const saveChain = dumps.get(family)?.get(c.table)?.get(c.name);
    const nftRules = rulesByChain.get(key) ?? [];
    const saveRules = saveChain?.rules ?? [];
    if (!saveChain) {
      problems.push(`${c.family} ${c.table} ${c.name}: in nft but not in the ${family} iptables-save output`);
      continue;
    }
    if (nftRules.length !== saveRules.length) {
      problems.push(`${c.family} ${c.table} ${c.name}: nft lists ${nftRules.length} rules, iptables-save ${saveRules.length}`);
      continue;
    }
    nftRules.forEach((r, i) => {
      const save = saveRules[i]!;
      const fromNft = nftTarget(r.expr);
      if (fromNft !== undefined && fromNft !== save.target) {
        problems.push(`${c.family} ${c.table} ${c.name} #${i + 1} (handle ${r.handle}): nft target ${fromNft}, iptables-save says "${save.text}"`);
      }
      index.rules.set(`${c.family} ${c.table} ${r.handle}`, {
        family,
        table: c.table as TableName,
        chain: c.name,
        position: i + 1,
        text: save.text,
        target: save.target,
      });
    });
  }
  if (problems.length) throw new Error(`cannot map nft handles to iptables positions:\n  ${problems.join('\n  ')}`);
  return index;
}
