/**
 * Parse the argument list of one rule (everything after `-A CHAIN`) into the
 * model, resolving options to match and target modules the way iptables does,
 * and render the canonical iptables-save text.
 */
import { RuleSyntaxError } from '../errors.js';
import { formatCidr, parseCidr, type Cidr } from '../net/address.js';
import type { BuildCtx, MatchModule, OptionSpec, ParsedOption } from '../matches/define.js';
import { findMatch } from '../matches/registry.js';
import { findTarget } from '../targets/registry.js';
import type { TargetModule } from '../targets/define.js';
import type { Family, TableName } from '../types.js';
import type { HeaderMatch, MatchInstance, Negatable, Rule, RuleTarget, UnknownMatch } from './model.js';
import { canonicalProtocol } from './protocols.js';
import { saveString } from './tokenize.js';

const verbatim = (tokens: string[]) => tokens.map((t) => (/[\s"'\\]/.test(t) || t === '' ? saveString(t) : t));

export interface RuleSpecCtx {
  family: Family;
  table: TableName;
}

export type ParsedRuleSpec = Omit<Rule, 'provenance'>;

const GENERIC = new Map<string, string>([
  ['-s', 'src'], ['--source', 'src'], ['--src', 'src'],
  ['-d', 'dst'], ['--destination', 'dst'], ['--dst', 'dst'],
  ['-i', 'in'], ['--in-interface', 'in'],
  ['-o', 'out'], ['--out-interface', 'out'],
  ['-p', 'proto'], ['--protocol', 'proto'],
  ['-f', 'frag'], ['--fragment', 'frag'],
  ['-m', 'match'], ['--match', 'match'],
  ['-j', 'jump'], ['--jump', 'jump'],
  ['-g', 'goto'], ['--goto', 'goto'],
  ['-c', 'counters'], ['--set-counters', 'counters'],
  ['-4', 'ipv4'], ['--ipv4', 'ipv4'],
  ['-6', 'ipv6'], ['--ipv6', 'ipv6'],
]);

/** Kernel limit: IFNAMSIZ is 16 including the terminating NUL. */
const MAX_IFACE = 15;

interface PendingModule {
  module: MatchModule<any>;
  options: ParsedOption[];
  implicit: boolean;
}

type Slot = PendingModule | { unknown: UnknownMatch };

function findSpec(specs: OptionSpec[], name: string): OptionSpec | undefined {
  return specs.find((s) => s.name === name || (s.aliases ?? []).includes(name));
}

function isGeneric(tok: string | undefined): boolean {
  return tok !== undefined && GENERIC.has(tok);
}

/** Result: one or more rules (iptables expands `-s a,b` into one rule per address). */
export function parseRuleSpec(tokens: string[], ctx: RuleSpecCtx): ParsedRuleSpec[] {
  const header: { src?: Negatable<Cidr[]>; dst?: Negatable<Cidr[]> } & Omit<HeaderMatch, 'src' | 'dst'> = {};
  const slots: Slot[] = [];
  let target: { name: string; module?: TargetModule<any>; options: ParsedOption[]; tokens: string[]; goto: boolean } | null = null;
  let invert = false;
  let skipFamily = false;

  const takeValue = (i: number, opt: string): string => {
    const v = tokens[i];
    if (v === undefined) throw new RuleSyntaxError(`option "${opt}" requires a value`);
    return v;
  };
  const noInvert = (opt: string) => {
    if (invert) throw new RuleSyntaxError(`"!" is not allowed before "${opt}"`);
  };

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === '!') {
      if (invert) throw new RuleSyntaxError('double "!" in a row');
      invert = true;
      continue;
    }
    const generic = GENERIC.get(tok);
    if (generic) {
      switch (generic) {
        case 'src':
        case 'dst': {
          let value = takeValue(++i, tok);
          let inv = invert;
          if (value === '!') {
            inv = true;
            value = takeValue(++i, tok);
          }
          const cidrs = value.split(',').map((part) => {
            const c = parseCidr(part);
            if (!c) throw new RuleSyntaxError(`invalid address "${part}" for ${tok}: expected an IP address or CIDR (host names are not resolved)`);
            if (c.family !== ctx.family) {
              throw new RuleSyntaxError(`${c.family === 'ipv6' ? 'IPv6' : 'IPv4'} address "${part}" in an ${ctx.family === 'ipv4' ? 'iptables (IPv4)' : 'ip6tables (IPv6)'} rule`);
            }
            return c;
          });
          if (inv && cidrs.length > 1) throw new RuleSyntaxError(`"!" is not allowed with multiple addresses in ${tok}`);
          header[generic] = { value: cidrs, invert: inv };
          break;
        }
        case 'in':
        case 'out': {
          let value = takeValue(++i, tok);
          let inv = invert;
          if (value === '!') {
            inv = true;
            value = takeValue(++i, tok);
          }
          if (value.length > MAX_IFACE) throw new RuleSyntaxError(`interface name "${value}" is longer than ${MAX_IFACE} characters`);
          if (generic === 'in') header.inIface = { value, invert: inv };
          else header.outIface = { value, invert: inv };
          break;
        }
        case 'proto': {
          let value = takeValue(++i, tok);
          let inv = invert;
          if (value === '!') {
            inv = true;
            value = takeValue(++i, tok);
          }
          const name = canonicalProtocol(value, ctx.family);
          if (!name) throw new RuleSyntaxError(`unknown protocol "${value}"`);
          header.proto = { value: name, invert: inv };
          break;
        }
        case 'frag':
          if (ctx.family === 'ipv6') throw new RuleSyntaxError('-f is not available in ip6tables; use -m frag');
          header.fragment = { value: true, invert };
          break;
        case 'match': {
          noInvert(tok);
          const name = takeValue(++i, tok);
          const module = findMatch(name);
          if (module && (!module.families || module.families.includes(ctx.family))) {
            slots.push({ module, options: [], implicit: false });
          } else {
            // Not modelled: keep every token up to the next generic option verbatim.
            const kept: string[] = [];
            while (i + 1 < tokens.length && !isGeneric(tokens[i + 1]) && !(tokens[i + 1] === '!' && isGeneric(tokens[i + 2]))) {
              kept.push(tokens[++i]!);
            }
            slots.push({ unknown: { name, tokens: kept } });
          }
          break;
        }
        case 'jump':
        case 'goto': {
          noInvert(tok);
          if (target) throw new RuleSyntaxError('a rule can have only one -j or -g');
          const name = takeValue(++i, tok);
          const module = generic === 'jump' ? findTarget(name) : undefined;
          target = { name, options: [], tokens: [], goto: generic === 'goto', ...(module ? { module } : {}) };
          break;
        }
        case 'counters':
          noInvert(tok);
          // `-c PKTS BYTES` (or `[p:b]` handled by the line parser): counters never change a verdict.
          i += tokens[i + 1]?.startsWith('[') ? 1 : 2;
          break;
        case 'ipv4':
        case 'ipv6':
          // iptables-restore skips rules that name the other family.
          if (generic !== ctx.family) skipFamily = true;
          break;
      }
      invert = false;
      continue;
    }

    if (!tok.startsWith('-')) throw new RuleSyntaxError(`unexpected "${tok}": expected an option`);
    const optName = tok.replace(/^--?/, '');

    // Owner of the option: the target after -j, else the most recent module that knows it,
    // else the protocol's own module loaded implicitly (`-p tcp --dport 22`).
    let owner: { specs: OptionSpec[]; sink: ParsedOption[] } | null = null;
    if (target?.module && findSpec(target.module.options, optName)) {
      owner = { specs: target.module.options, sink: target.options };
    }
    for (let s = slots.length - 1; !owner && s >= 0; s--) {
      const slot = slots[s]!;
      if ('module' in slot && findSpec(slot.module.options, optName)) owner = { specs: slot.module.options, sink: slot.options };
    }
    if (!owner && header.proto && !header.proto.invert) {
      const implicitModule = findMatch(header.proto.value === 'ipv6-icmp' ? 'icmp6' : header.proto.value);
      if (implicitModule && findSpec(implicitModule.options, optName) && !slots.some((s) => 'module' in s && s.module === implicitModule)) {
        const pending: PendingModule = { module: implicitModule, options: [], implicit: true };
        slots.push(pending);
        owner = { specs: implicitModule.options, sink: pending.options };
      }
    }
    if (!owner) {
      if (target && !target.module) {
        // Options of a target we do not model stay verbatim.
        target.tokens.push(...(invert ? ['!', tok] : [tok]));
        invert = false;
        while (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('-') && tokens[i + 1] !== '!') target.tokens.push(tokens[++i]!);
        continue;
      }
      const last = slots[slots.length - 1];
      if (last && 'unknown' in last) {
        last.unknown.tokens.push(tok);
        continue;
      }
      throw new RuleSyntaxError(`unknown option "${tok}"${target ? ` for target ${target.name}` : ''}`);
    }
    const spec = findSpec(owner.specs, optName)!;
    let inv = invert;
    invert = false;
    let value: string | null = null;
    if (spec.arg) {
      const count = spec.argCount ?? 1;
      const parts: string[] = [];
      for (let k = 0; k < count; k++) {
        let v = takeValue(++i, tok);
        if (k === 0 && v === '!') {
          // Deprecated `--opt ! value` spelling.
          inv = true;
          v = takeValue(++i, tok);
        }
        parts.push(v);
      }
      value = parts.join(' ');
    }
    if (inv && !spec.invertible) throw new RuleSyntaxError(`"!" is not allowed before --${spec.name}`);
    owner.sink.push({ name: spec.name, value, invert: inv });
  }
  if (invert) throw new RuleSyntaxError('"!" at the end of the rule negates nothing');
  if (skipFamily) return [];

  const buildCtx: BuildCtx = { family: ctx.family, table: ctx.table, proto: header.proto };
  const matches: Rule['matches'] = slots.map((slot) => {
    if ('unknown' in slot) return slot;
    const options = slot.module.build(slot.options, buildCtx);
    const inst: MatchInstance = { module: slot.module, options, implicit: slot.implicit };
    return inst;
  });

  let ruleTarget: RuleTarget = { kind: 'none' };
  const t = target as typeof target;
  if (t) {
    if (t.module) {
      if (t.module.tables && !t.module.tables.includes(ctx.table)) {
        throw new RuleSyntaxError(`target ${t.name} is only valid in the ${t.module.tables.join('/')} table, not ${ctx.table}`);
      }
      ruleTarget = { kind: 'module', module: t.module, options: t.module.build(t.options, buildCtx) };
    } else if (t.goto) {
      ruleTarget = { kind: 'goto', chain: t.name };
    } else if (t.tokens.length > 0) {
      ruleTarget = { kind: 'unknown', name: t.name, tokens: t.tokens };
    } else {
      // Resolved after the table is complete: a user chain, or an unmodelled extension.
      ruleTarget = { kind: 'jump', chain: t.name };
    }
  }

  // `-s a,b -d c,d` becomes the cross product, in iptables' order (sources outer).
  const srcs: Array<Negatable<Cidr> | undefined> = header.src ? header.src.value.map((c) => ({ value: c, invert: header.src!.invert })) : [undefined];
  const dsts: Array<Negatable<Cidr> | undefined> = header.dst ? header.dst.value.map((c) => ({ value: c, invert: header.dst!.invert })) : [undefined];
  const out: ParsedRuleSpec[] = [];
  for (const s of srcs) {
    for (const d of dsts) {
      const h: HeaderMatch = {};
      if (s) h.src = s;
      if (d) h.dst = d;
      if (header.inIface) h.inIface = header.inIface;
      if (header.outIface) h.outIface = header.outIface;
      if (header.proto) h.proto = header.proto;
      if (header.fragment) h.fragment = header.fragment;
      const spec: ParsedRuleSpec = { header: h, matches, target: ruleTarget, text: '' };
      spec.text = saveRuleSpec(spec);
      out.push(spec);
    }
  }
  return out;
}

/** Canonical text in iptables-save order: header, matches in order, target. */
export function saveRuleSpec(r: Pick<Rule, 'header' | 'matches' | 'target'>): string {
  const parts: string[] = [];
  const neg = (n: { invert: boolean }) => (n.invert ? '! ' : '');
  const h = r.header;
  if (h.src) parts.push(`${neg(h.src)}-s ${formatCidr(h.src.value)}`);
  if (h.dst) parts.push(`${neg(h.dst)}-d ${formatCidr(h.dst.value)}`);
  if (h.inIface) parts.push(`${neg(h.inIface)}-i ${h.inIface.value}`);
  if (h.outIface) parts.push(`${neg(h.outIface)}-o ${h.outIface.value}`);
  if (h.proto && !(h.proto.value === 'all' && !h.proto.invert)) parts.push(`${neg(h.proto)}-p ${h.proto.value}`);
  if (h.fragment) parts.push(`${neg(h.fragment)}-f`);
  for (const m of r.matches) {
    if ('unknown' in m) {
      parts.push(['-m', m.unknown.name, ...verbatim(m.unknown.tokens)].join(' '));
    } else {
      const text = m.module.save(m.options);
      parts.push(text ? `-m ${m.module.name} ${text}` : `-m ${m.module.name}`);
    }
  }
  const t = r.target;
  switch (t.kind) {
    case 'jump':
      parts.push(`-j ${t.chain}`);
      break;
    case 'goto':
      parts.push(`-g ${t.chain}`);
      break;
    case 'module': {
      const text = t.module.save(t.options);
      parts.push(text ? `-j ${t.module.name} ${text}` : `-j ${t.module.name}`);
      break;
    }
    case 'unknown':
      parts.push(['-j', t.name, ...verbatim(t.tokens)].join(' '));
      break;
    case 'none':
      break;
  }
  return parts.join(' ');
}
