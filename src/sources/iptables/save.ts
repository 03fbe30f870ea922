/**
 * Render a Ruleset back to iptables-save text, one family at a time: every
 * chain declared (built-ins with their policy, user chains with "-"), rules
 * in chain order, canonical rule text. Loading the output gives the same model.
 */
import { TABLES, type Family } from '../../core/types.js';
import type { FamilyRules, Ruleset } from '../../core/ruleset/model.js';
import { BUILTIN_CHAINS } from '../../core/ruleset/builtin-chains.js';

export function saveFamily(fr: FamilyRules): string {
  const out: string[] = [];
  for (const name of TABLES) {
    const table = fr.tables.get(name);
    if (!table) continue;
    out.push(`*${name}`);
    const builtins = BUILTIN_CHAINS[name].filter((c) => table.chains.get(c)?.builtin);
    // iptables-save order: built-ins in hook order, then user chains sorted by name.
    const users = [...table.chains.values()].filter((c) => !c.builtin).map((c) => c.name).sort();
    for (const c of builtins) out.push(`:${c} ${table.chains.get(c)!.policy ?? 'ACCEPT'} [0:0]`);
    for (const c of users) out.push(`:${c} - [0:0]`);
    for (const c of [...builtins, ...users]) for (const r of table.chains.get(c)!.rules) out.push(r.text);
    out.push('COMMIT');
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

export function saveRuleset(rs: Ruleset, family: Family): string | null {
  const fr = rs.families[family];
  return fr ? saveFamily(fr) : null;
}
