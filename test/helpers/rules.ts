/** Build rule sets from restore/save text without the input extractor. */
import type { RuleBlock } from '../../src/sources/iptables/blocks.js';
import { loadBlocks } from '../../src/sources/iptables/load.js';
import type { Ruleset } from '../../src/core/ruleset/model.js';
import type { Family } from '../../src/core/types.js';

export function block(text: string, kind: RuleBlock['kind'] = 'restore', family: Family | null = null): RuleBlock {
  return { family, kind, lines: text.split('\n').map((t, i) => ({ text: t, line: i + 1 })) };
}

export function rulesetOf(text: string, kind: RuleBlock['kind'] = 'restore', family: Family | null = null): Ruleset {
  return loadBlocks([block(text, kind, family)], { name: 'test', format: kind === 'save' ? 'iptables-save' : 'iptables-restore' }, 'test.rules');
}

/** Positions and texts of a chain, for compact assertions. */
export function chainTexts(rs: Ruleset, table: string, chain: string, family: Family = 'ipv4'): string[] {
  return rs.families[family]!.tables.get(table as never)!.chains.get(chain)!.rules.map((r) => r.text);
}
