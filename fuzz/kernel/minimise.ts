/**
 * Shrink a disagreeing (rule set, flow) while the same disagreement (same class, see classOf)
 * persists: remove rules in halving chunks (delta debugging), then the other family, empty
 * tables and unused user chains, set DROP policies to ACCEPT, and drop match clauses rule by rule.
 * Every candidate is a real kernel run, so a step costs a second or two.
 */
import type { FlowInput } from '../../src/istio/flow.js';
import { engineLoad, replayFlow, type FlowOutcome, type ReplayOptions } from './replay.js';
import { cloneRuleSet, ruleCount, type RuleSetText, type TableText } from './ruleset-text.js';

type Check = (rules: RuleSetText) => Promise<FlowOutcome | null>;

interface RuleRef {
  family: 'ipv4' | 'ipv6';
  table: number;
  rule: number;
}

function refs(rs: RuleSetText): RuleRef[] {
  const out: RuleRef[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    (rs[family] ?? []).forEach((t, ti) => t.rules.forEach((_, ri) => out.push({ family, table: ti, rule: ri })));
  }
  return out;
}

function without(rs: RuleSetText, drop: RuleRef[]): RuleSetText {
  const copy = cloneRuleSet(rs);
  const key = (r: RuleRef) => `${r.family} ${r.table} ${r.rule}`;
  const gone = new Set(drop.map(key));
  for (const family of ['ipv4', 'ipv6'] as const) {
    (copy[family] ?? []).forEach((t, ti) => {
      t.rules = t.rules.filter((_, ri) => !gone.has(key({ family, table: ti, rule: ri })));
    });
  }
  return copy;
}

/** Split a rule spec into removable clauses; the target (`-j`/`-g` and after) is kept whole. */
export function clauses(spec: string): { clauses: string[]; target: string } {
  const words = spec.split(' ');
  const at = words.findIndex((w, i) => (w === '-j' || w === '-g') && words[i - 1] !== '!');
  const head = at < 0 ? words : words.slice(0, at);
  const target = at < 0 ? '' : words.slice(at).join(' ');
  const TOP = new Set(['-p', '-s', '-d', '-i', '-o']);
  const out: string[][] = [];
  let cur: string[] = [];
  let quoted = false;
  head.forEach((w, i) => {
    // A clause starts at a top-level option or `-m`, or at the `!` in front of a top-level
    // option; a `!` inside a module's options stays with that module.
    const starts = !quoted && ((w === '!' && TOP.has(head[i + 1] ?? '')) || ((TOP.has(w) || w === '-m') && head[i - 1] !== '!'));
    if (starts && cur.length) {
      out.push(cur);
      cur = [];
    }
    cur.push(w);
    if ((w.match(/"/g) ?? []).length % 2 === 1) quoted = !quoted;
  });
  if (cur.length) out.push(cur);
  return { clauses: out.map((c) => c.join(' ')), target };
}

export interface Minimised {
  rules: RuleSetText;
  outcome: Extract<FlowOutcome, { kind: 'disagree' }>;
  runs: number;
}

export async function minimise(rules: RuleSetText, flow: FlowInput, cls: string, options: ReplayOptions, log: (s: string) => void = () => undefined): Promise<Minimised | null> {
  let runs = 0;
  let best: Extract<FlowOutcome, { kind: 'disagree' }> | null = null;
  const check: Check = async (rs) => {
    const loaded = engineLoad(rs);
    if (!loaded.ok) return null;
    runs++;
    return replayFlow(rs, loaded.engine, flow, options);
  };
  const keeps = async (rs: RuleSetText): Promise<boolean> => {
    const o = await check(rs);
    if (o?.kind === 'disagree' && o.cls === cls) {
      best = o;
      return true;
    }
    return false;
  };
  if (!(await keeps(rules))) return null; // does not reproduce (flaky, or fixed)
  let cur = cloneRuleSet(rules);

  // 1. Rules, in halving chunks.
  for (let size = Math.max(1, Math.floor(ruleCount(cur) / 2)); size >= 1; size = Math.floor(size / 2)) {
    for (let start = 0; start < refs(cur).length; ) {
      const all = refs(cur);
      const cand = without(cur, all.slice(start, start + size));
      if (await keeps(cand)) cur = cand;
      else start += size;
    }
    log(`  minimise: chunk ${size}: ${ruleCount(cur)} rules left (${runs} runs)`);
  }
  // 2. The other family, empty tables, unused user chains, DROP policies.
  const tryEdit = async (edit: (rs: RuleSetText) => boolean): Promise<void> => {
    const cand = cloneRuleSet(cur);
    if (edit(cand) && (await keeps(cand))) cur = cand;
  };
  if (cur.ipv6) await tryEdit((rs) => ((rs.ipv6 = null), true));
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (let ti = (cur[family]?.length ?? 0) - 1; ti >= 0; ti--) {
      await tryEdit((rs) => {
        const ts = rs[family];
        const t = ts?.[ti];
        if (!ts || !t || t.rules.length || ts.length === 1) return false;
        ts.splice(ti, 1);
        return true;
      });
    }
    for (let ti = 0; ti < (cur[family]?.length ?? 0); ti++) {
      const t: TableText = cur[family]![ti]!;
      for (const c of t.chains) {
        if (c.policy === null && !t.rules.some((r) => r.chain === c.name || r.spec.split(' ').includes(c.name))) {
          await tryEdit((rs) => ((rs[family]![ti]!.chains = rs[family]![ti]!.chains.filter((x) => x.name !== c.name)), true));
        } else if (c.policy === 'DROP') {
          await tryEdit((rs) => ((rs[family]![ti]!.chains.find((x) => x.name === c.name)!.policy = 'ACCEPT'), true));
        }
      }
    }
  }
  // 3. Match clauses, rule by rule.
  for (const ref of refs(cur)) {
    for (;;) {
      const spec = cur[ref.family]![ref.table]!.rules[ref.rule]!.spec;
      const { clauses: parts, target } = clauses(spec);
      let shrunk = false;
      // Each clause left out, then each `!` inside one dropped.
      const simpler = parts.map((_, k) => [...parts.slice(0, k), ...parts.slice(k + 1), target].filter(Boolean).join(' '));
      for (const [k, part] of parts.entries()) {
        if (part.includes(' ! ')) simpler.push([...parts.slice(0, k), part.replace(' ! ', ' '), ...parts.slice(k + 1), target].filter(Boolean).join(' '));
      }
      for (const next of simpler) {
        const cand = cloneRuleSet(cur);
        cand[ref.family]![ref.table]!.rules[ref.rule]!.spec = next;
        if (await keeps(cand)) {
          cur = cand;
          shrunk = true;
          break;
        }
      }
      if (!shrunk) break;
    }
  }
  log(`  minimise: ${ruleCount(cur)} rules, ${runs} kernel runs`);
  return { rules: cur, outcome: best!, runs };
}
