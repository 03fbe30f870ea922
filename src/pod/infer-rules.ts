/**
 * What the rules say about the proxy, found by following the jumps the kernel follows
 * (nat OUTPUT, nat PREROUTING, mangle PREROUTING) rather than by chain names, so every
 * Istio era and hand-made variants read alike:
 * - owner RETURN rules on the OUTPUT side: the proxy's uids and gids (several are legal);
 * - a REDIRECT reached from PREROUTING for every interface: the inbound capture port;
 *   a TPROXY there: TPROXY mode, its port and mark;
 * - a REDIRECT reached only from OUTPUT: the outbound capture port;
 * - a REDIRECT of --dport 53: the DNS proxy port;
 * - `-s ADDR -o lo -j RETURN` on the OUTPUT side: the inbound passthrough bind address;
 * - interfaces named by `-i`/`-o` (kubevirt / reroute-virtual-interfaces, excluded NICs).
 * Only the rules on those paths are parsed, so a large node dump stays cheap.
 */
import type { OwnerOptions } from '../core/matches/owner.js';
import { jumpOf, lineOf, targetModuleName } from '../core/ruleset/lazy-rule.js';
import type { Chain, FamilyRules, Rule, Ruleset, Table } from '../core/ruleset/model.js';
import { isUnknownMatch } from '../core/ruleset/model.js';
import type { ProxySource } from '../core/trace.js';
import type { Family } from '../core/types.js';

/** A rule found on a path, with where it is. */
export interface RuleAt {
  family: Family;
  table: string;
  chain: string;
  /** 1-based position in its chain. */
  index: number;
  rule: Rule;
}

export function ruleSource(r: RuleAt): ProxySource {
  return { kind: 'rule', table: r.table, chain: r.chain, rule: r.index, line: lineOf(r.rule) };
}

/** An owner id as a RETURN rule names it: a number (a range gives its first), or a name to resolve. */
export type OwnerRef = { id: number } | { name: string };

export interface RuleFacts {
  uids: Array<{ ref: OwnerRef; at: RuleAt }>;
  gids: Array<{ ref: OwnerRef; at: RuleAt }>;
  outbound: { port: number; at: RuleAt } | null;
  inbound: { port: number; at: RuleAt } | null;
  tproxy: { port: number | null; mark: number | null; at: RuleAt } | null;
  dns: { port: number; at: RuleAt } | null;
  bind4: { addr: string; at: RuleAt } | null;
  bind6: { addr: string; at: RuleAt } | null;
  /** Interfaces the PREROUTING side sends to the outbound capture (kubevirt / reroute-virtual-interfaces). */
  virtualIfaces: Array<{ name: string; at: RuleAt }>;
  /** Other interfaces the rules name (excluded NICs and the like), lo and wildcards left out. */
  otherIfaces: Array<{ name: string; at: RuleAt }>;
}

/** Chains visited per walk: a walk never parses more than this many chains' rules. */
const MAX_CHAINS = 256;

/**
 * Every rule reachable from a built-in chain, in the order a packet meets them (a jump's
 * chain before the rules after the jump), each chain once. `ifaceOnly` marks the rules
 * reached only through a built-in rule with a positive `-i`: traffic of one interface.
 */
function walk(fr: FamilyRules, table: Table, start: string, visit: (r: RuleAt, ifaceOnly: string | null) => void): void {
  const seen = new Set<string>();
  const go = (chain: Chain, iface: string | null) => {
    if (seen.has(chain.name) || seen.size >= MAX_CHAINS) return;
    seen.add(chain.name);
    chain.rules.forEach((rule, i) => {
      let via = iface;
      // Only the built-in chain's rules are read for -i: deeper chains are reached as a whole.
      if (chain.builtin && via === null) {
        const h = rule.header.inIface;
        if (h && !h.invert && !h.value.endsWith('+')) via = h.value;
      }
      visit({ family: fr.family, table: table.name, chain: chain.name, index: i + 1, rule }, via);
      const j = jumpOf(rule);
      const next = j ? table.chains.get(j.chain) : undefined;
      if (next) go(next, via);
    });
  };
  const first = table.chains.get(start);
  if (first) go(first, null);
}

function toPorts(rule: Rule, re: RegExp): number | null {
  const m = re.exec(rule.text);
  return m ? Number(m[1]) : null;
}

function num(text: string): number {
  return text.startsWith('0x') ? Number.parseInt(text.slice(2), 16) : Number(text);
}

const DNS_DPORT = /(?:^| )(?<!! )--dport 53(?: |$)/;

function ownerOf(rule: Rule): OwnerOptions | null {
  for (const m of rule.matches) {
    if (!isUnknownMatch(m) && m.module.name === 'owner') return m.options as OwnerOptions;
  }
  return null;
}

/** Only the owner test: no address, interface, protocol or other match narrows the RETURN. */
function plainOwnerRule(rule: Rule): boolean {
  const h = rule.header;
  return !h.src && !h.dst && !h.inIface && !h.outIface && !h.proto && rule.matches.length === 1;
}

function ownerRef(id: NonNullable<OwnerOptions['uid']>['id']): OwnerRef {
  return id.kind === 'name' ? { name: id.name } : { id: id.min };
}

function familyFacts(fr: FamilyRules, facts: RuleFacts, loOutbound: Array<{ port: number; at: RuleAt }>): void {
  const nat = fr.tables.get('nat');
  const mangle = fr.tables.get('mangle');
  const inboundRedirects = new Set<Rule>();
  const dnsRedirects = new Set<Rule>();
  if (nat) {
    walk(fr, nat, 'PREROUTING', (at, iface) => {
      if (targetModuleName(at.rule) === 'REDIRECT') {
        if (DNS_DPORT.test(at.rule.text)) dnsRedirects.add(at.rule);
        else if (iface === null) {
          inboundRedirects.add(at.rule);
          const port = toPorts(at.rule, /--to-ports (\d+)/);
          if (port !== null && !facts.inbound) facts.inbound = { port, at };
        }
      }
      // A jump to the capture chain from one interface: its traffic is handled as outbound (kubevirt).
      const h = at.chain === 'PREROUTING' ? at.rule.header.inIface : undefined;
      if (h && !h.invert && !h.value.endsWith('+') && h.value !== 'lo') {
        const list = jumpOf(at.rule) ? facts.virtualIfaces : facts.otherIfaces;
        if (![...facts.virtualIfaces, ...facts.otherIfaces].some((x) => x.name === h.value)) list.push({ name: h.value, at });
      }
    });
  }
  if (mangle) {
    walk(fr, mangle, 'PREROUTING', (at, iface) => {
      if (iface === null && targetModuleName(at.rule) === 'TPROXY' && !facts.tproxy) {
        const mark = /--tproxy-mark (0x[0-9a-f]+|\d+)/i.exec(at.rule.text);
        facts.tproxy = { port: toPorts(at.rule, /--on-port (\d+)/), mark: mark ? num(mark[1]!) : null, at };
      }
    });
  }
  if (!nat) return;
  const uids: RuleFacts['uids'] = [];
  const gids: RuleFacts['gids'] = [];
  const narrowUids: RuleFacts['uids'] = [];
  const narrowGids: RuleFacts['gids'] = [];
  // Chain -> every jump to it on the OUTPUT side has a positive `-o lo`. A REDIRECT reached only
  // that way sends the proxy's own loopback traffic to the inbound port (ISTIO_IN_REDIRECT); it is
  // not the outbound capture. In TPROXY mode no nat PREROUTING redirect tells the two apart.
  // Only the jumps to a redirect's chain are parsed (a node dump's KUBE-* jumps stay lazy).
  const jumpsTo = new Map<string, Rule[]>();
  const outbound: Array<{ port: number; at: RuleAt }> = [];
  walk(fr, nat, 'OUTPUT', (at) => {
    const target = targetModuleName(at.rule);
    const j = jumpOf(at.rule);
    if (j) {
      const list = jumpsTo.get(j.chain);
      if (list) list.push(at.rule);
      else jumpsTo.set(j.chain, [at.rule]);
    }
    if (target === 'REDIRECT') {
      const port = toPorts(at.rule, /--to-ports (\d+)/);
      if (port === null) return;
      if (DNS_DPORT.test(at.rule.text) || dnsRedirects.has(at.rule)) {
        if (!facts.dns) facts.dns = { port, at };
      } else if (!inboundRedirects.has(at.rule)) outbound.push({ port, at });
      return;
    }
    if (target !== 'RETURN' && target !== 'ACCEPT') return;
    const h = at.rule.header;
    if (h.src && !h.src.invert && h.outIface?.value === 'lo' && !h.outIface.invert && !h.dst && at.rule.matches.length === 0) {
      const full = h.src.value.family === 'ipv4' ? 32 : 128;
      if (h.src.value.prefix === full) {
        const key = h.src.value.family === 'ipv4' ? 'bind4' : 'bind6';
        facts[key] ??= { addr: h.src.value.base.text, at };
      }
      return;
    }
    const owner = ownerOf(at.rule);
    if (!owner || owner.socketExists) return;
    const plain = plainOwnerRule(at.rule);
    if (owner.uid && !owner.uid.invert) (plain ? uids : narrowUids).push({ ref: ownerRef(owner.uid.id), at });
    if (owner.gid && !owner.gid.invert && !owner.supplGroups) (plain ? gids : narrowGids).push({ ref: ownerRef(owner.gid.id), at });
    const o = h.outIface;
    if (o && !o.value.endsWith('+') && o.value !== 'lo' && ![...facts.virtualIfaces, ...facts.otherIfaces].some((x) => x.name === o.value)) {
      facts.otherIfaces.push({ name: o.value, at });
    }
  });
  const loOnly = (chain: string): boolean => {
    const jumps = jumpsTo.get(chain);
    return jumps !== undefined && jumps.every((r) => r.header.outIface?.value === 'lo' && !r.header.outIface.invert);
  };
  facts.outbound ??= outbound.find((c) => !loOnly(c.at.chain)) ?? null;
  loOutbound.push(...outbound);
  // Unrestricted owner RETURNs name the proxy; narrower ones (only DNS, only tcp) only when there are none.
  if (!facts.uids.length) facts.uids = uniqueRefs(uids.length ? uids : narrowUids);
  if (!facts.gids.length) facts.gids = uniqueRefs(gids.length ? gids : narrowGids);
}

function uniqueRefs(list: RuleFacts['uids']): RuleFacts['uids'] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const key = 'id' in x.ref ? `#${x.ref.id}` : x.ref.name;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The facts of the IPv4 rules, completed from the IPv6 rules where IPv4 says nothing. */
export function ruleFacts(ruleset: Ruleset): RuleFacts {
  const facts: RuleFacts = { uids: [], gids: [], outbound: null, inbound: null, tproxy: null, dns: null, bind4: null, bind6: null, virtualIfaces: [], otherIfaces: [] };
  // Redirects reached only through `-o lo`: the outbound port only when no family has another.
  const loOutbound: Array<{ port: number; at: RuleAt }> = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const fr = ruleset.families[family];
    if (fr) familyFacts(fr, facts, loOutbound);
  }
  facts.outbound ??= loOutbound[0] ?? null;
  return facts;
}
