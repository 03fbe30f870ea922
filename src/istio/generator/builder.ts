/**
 * The rule builder: records append/insert operations per family in the order
 * the generator emits them, and renders them as iptables-restore input the way
 * istio-iptables' builder does (`buildRestore`): one `* table` section per
 * table, `-N` for every non-built-in chain that gets rules (first appearance
 * order), then the operations in order, then COMMIT.
 */
import type { Family } from '../../core/types.js';

export type GenTable = 'filter' | 'mangle' | 'nat' | 'raw';
/** Which families an operation is for; 'both' means IPv6 only when IPv6 is enabled. */
export type Fams = 'both' | 'v4' | 'v6';

export interface Op {
  table: GenTable;
  chain: string;
  /** null = -A; a number = -I CHAIN n. */
  insertAt: number | null;
  args: string[];
}

/** Placeholder in versioned rules, replaced by the family's value (AppendVersionedRule). */
export const FAMILY_VALUE = '\u0000family\u0000';

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);
const TABLE_ORDER: GenTable[] = ['filter', 'mangle', 'nat', 'raw'];

export class RuleBuilder {
  readonly ops: Record<Family, Op[]> = { ipv4: [], ipv6: [] };

  constructor(readonly ipv6: boolean) {}

  private families(f: Fams): Family[] {
    if (f === 'v4') return ['ipv4'];
    if (f === 'v6') return this.ipv6 ? ['ipv6'] : [];
    return this.ipv6 ? ['ipv4', 'ipv6'] : ['ipv4'];
  }

  append(f: Fams, table: GenTable, chain: string, ...args: string[]): void {
    for (const fam of this.families(f)) this.ops[fam].push({ table, chain, insertAt: null, args });
  }

  insert(f: Fams, table: GenTable, chain: string, position: number, ...args: string[]): void {
    for (const fam of this.families(f)) this.ops[fam].push({ table, chain, insertAt: position, args });
  }

  /** One rule per family with a family-specific value (loopback CIDR, ::6 …) in place of FAMILY_VALUE. */
  appendVersioned(v4: string, v6: string, table: GenTable, chain: string, ...args: string[]): void {
    this.append('v4', table, chain, ...args.map((a) => (a === FAMILY_VALUE ? v4 : a)));
    this.append('v6', table, chain, ...args.map((a) => (a === FAMILY_VALUE ? v6 : a)));
  }

  /** appendVersioned restricted to `f`: the v4 value for IPv4, the v6 value for IPv6. */
  appendFor(f: Fams, v4: string, v6: string, table: GenTable, chain: string, ...args: string[]): void {
    if (f !== 'v6') this.append('v4', table, chain, ...args.map((a) => (a === FAMILY_VALUE ? v4 : a)));
    if (f !== 'v4') this.append('v6', table, chain, ...args.map((a) => (a === FAMILY_VALUE ? v6 : a)));
  }

  hasOps(family: Family): boolean {
    return this.ops[family].length > 0;
  }

  /** Tables used by a family, in the order the restore input lists them. */
  tables(family: Family): GenTable[] {
    const used = new Set(this.ops[family].map((o) => o.table));
    return TABLE_ORDER.filter((t) => used.has(t));
  }

  /**
   * iptables-restore input for one family. `declareJumpTargets` adds `-N` for
   * chains that are only jumped to (1.24+ builder).
   */
  render(family: Family, opts: { declareJumpTargets: boolean }): string {
    const ops = this.ops[family];
    const out: string[] = [];
    for (const table of this.tables(family)) {
      const mine = ops.filter((o) => o.table === table);
      out.push(`* ${table}`);
      const declared = new Set<string>();
      for (const o of mine) {
        if (!BUILTIN.has(o.chain) && !declared.has(o.chain)) {
          declared.add(o.chain);
          out.push(`-N ${o.chain}`);
        }
      }
      if (opts.declareJumpTargets) {
        for (const o of mine) {
          const j = o.args.length >= 2 && o.args[o.args.length - 2] === '-j' ? o.args[o.args.length - 1]! : null;
          if (j && /^ISTIO_/.test(j) && !declared.has(j)) {
            declared.add(j);
            out.push(`-N ${j}`);
          }
        }
      }
      for (const o of mine) {
        const head = o.insertAt === null ? `-A ${o.chain}` : `-I ${o.chain} ${o.insertAt}`;
        out.push([head, ...o.args].join(' '));
      }
      out.push('COMMIT');
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }
}
