/**
 * Table runner for match-module tests: each case parses a rule with ruleOf(),
 * picks the instance of the module under test, evaluates it on a packet and
 * checks the three-valued result and the explanation.
 */
import { describe, expect, it } from 'vitest';
import type { EvalCtx, MatchModule } from '../../../src/core/matches/define.js';
import type { MatchInstance } from '../../../src/core/ruleset/model.js';
import type { HostView, Packet } from '../../../src/core/netfilter/packet.js';
import type { Family, HookName, TableName, Tri } from '../../../src/core/types.js';
import { ctx, makePacket, ruleOf, type PacketInit } from '../../helpers/packet.js';

export interface MatchCase {
  /** What the case shows. */
  name: string;
  /** Rule spec without `-A CHAIN`. */
  rule: string;
  /** Packet fields, or a function returning a fully built packet. */
  pkt?: PacketInit | (() => Packet);
  want: Tri;
  /** Substring or pattern the explanation must contain. */
  why?: string | RegExp;
  hook?: HookName;
  table?: TableName;
  family?: Family;
  host?: HostView;
}

function instanceOf(module: MatchModule<any>, spec: string, table: TableName, family: Family): MatchInstance {
  const rule = ruleOf(spec, table, family);
  const inst = rule.matches.find((m): m is MatchInstance => 'module' in m && m.module === module);
  if (!inst) throw new Error(`rule "${spec}" has no -m ${module.name}`);
  return inst;
}

/** Is the module's own test negated in this rule? Read from its canonical save text. */
export function negated(module: MatchModule<any>, inst: MatchInstance): boolean {
  return module.save(inst.options).includes('! ');
}

function evalCtx(c: MatchCase): EvalCtx {
  return ctx(c.hook ?? 'OUTPUT', c.table ?? 'filter', c.family ?? 'ipv4', c.host);
}

function packetOf(c: MatchCase): Packet {
  // Every table after raw runs after conntrack has attached the packet's entry.
  const attached = (c.table ?? 'filter') !== 'raw';
  return typeof c.pkt === 'function' ? c.pkt() : makePacket({ attached, ...(c.family === 'ipv6' ? { src: 'fd00:10:244:1::5', dst: 'fd00:10:244:2::7' } : {}), ...c.pkt });
}

export interface TableOptions {
  /** The results the module can produce (default all three). */
  kinds?: Tri[];
  /** False for modules whose options take no `!` (comment, socket). */
  negatable?: boolean;
}

/**
 * Run a table. The table must hold a case for each result in `kinds`, both with and
 * without `!` (unless the module cannot be negated).
 */
export function matchTable(module: MatchModule<any>, cases: MatchCase[], opts: TableOptions = {}): void {
  const kinds = opts.kinds ?? ['yes', 'no', 'unknown'];
  const negatable = opts.negatable ?? true;
  describe(`${module.name} evaluation table`, () => {
    for (const c of cases) {
      it(`${c.name}: ${c.rule} -> ${c.want}`, () => {
        const inst = instanceOf(module, c.rule, c.table ?? 'filter', c.family ?? 'ipv4');
        const pkt = packetOf(c);
        const e = evalCtx(c);
        expect(module.evaluate(inst.options, pkt, e)).toBe(c.want);
        const why = module.explain(inst.options, pkt, e);
        expect(why.length).toBeGreaterThan(0);
        if (c.why !== undefined) {
          if (typeof c.why === 'string') expect(why).toContain(c.why);
          else expect(why).toMatch(c.why);
        }
      });
    }
    it(`covers ${kinds.join('/')}${negatable ? ' with and without "!"' : ''}`, () => {
      const seen = new Set(cases.map((c) => `${c.want}:${negated(module, instanceOf(module, c.rule, c.table ?? 'filter', c.family ?? 'ipv4'))}`));
      for (const k of kinds) {
        expect(seen, `a case with result ${k} and no "!"`).toContain(`${k}:false`);
        if (negatable) expect(seen, `a case with result ${k} and "!"`).toContain(`${k}:true`);
      }
    });
  });
}

/** The parsed options of the module's instance in a rule, for direct assertions. */
export function optionsOf<O>(module: MatchModule<O>, spec: string, table: TableName = 'filter', family: Family = 'ipv4'): O {
  return instanceOf(module, spec, table, family).options as O;
}
