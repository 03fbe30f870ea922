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
import { jumpOf, lineOf, targetModuleName } from '../core/ruleset/rule-facts.js';
import type { Chain, FamilyRules, Rule, Ruleset, Table } from '../core/ruleset/model.js';
import { isUnknownMatch } from '../core/ruleset/model.js';
import type { ProxySource } from '../core/trace.js';
import type { Family, HookName } from '../core/types.js';
import { baseChainOf } from '../core/netfilter/hook-plan.js';

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

const CAPTURE_TARGETS = new Set(['REDIRECT', 'TPROXY']);

/**
 * Bounds of a walk. Istio's chains sit at most three jumps below a built-in chain and a pod
 * holds a few hundred rules; a node dump's KUBE-SERVICES is not read to its end for nothing.
 */
const MAX_CHAINS = 256;
const MAX_DEPTH = 4;
const MAX_RULES = 2048;
const MAX_CAPTURE_CHAIN = 64;

/**
 * Whether a chain holds a REDIRECT/TPROXY, asked only of chains a walk is about to enter and
 * read without parsing: the jumps into them are the ones whose header matters.
 */
function captureTest(table: Table): (name: string) => boolean {
  const known = new Map<string, boolean>();
  return (name) => {
    let v = known.get(name);
    if (v === undefined) {
      // Istio's capture chains hold a rule or two: a long chain (KUBE-SERVICES) is not one, and is not scanned.
      const rules = table.chains.get(name)?.rules;
      v = rules !== undefined && rules.length <= MAX_CAPTURE_CHAIN && rules.some((r) => CAPTURE_TARGETS.has(targetModuleName(r) ?? ''));
      known.set(name, v);
    }
    return v;
  };
}

/** How a rule was reached: through a built-in rule's positive `-i IFACE`, through a jump with `-o lo`. */
interface Via {
  iface: string | null;
  lo: boolean;
}

/**
 * Every rule reachable from a built-in chain, in the order a packet meets them (a jump's
 * chain before the rules after the jump), each chain once. A jump's header is read only in the
 * built-in chain or when it leads straight to a capture, so a node dump's long chains stay unparsed.
 */
function walk(fr: FamilyRules, table: Table, hook: HookName, visit: (r: RuleAt, via: Via) => void): void {
  const seen = new Set<string>();
  const capturing = captureTest(table);
  let budget = MAX_RULES;
  const go = (chain: Chain, via: Via, depth: number) => {
    if (seen.has(chain.name) || seen.size >= MAX_CHAINS) return;
    seen.add(chain.name);
    const rules = chain.rules;
    for (let i = 0; i < rules.length && budget > 0; i++, budget--) {
      const rule = rules[i]!;
      const at: RuleAt = { family: fr.family, table: table.name, chain: chain.name, index: i + 1, rule };
      visit(at, via);
      const j = jumpOf(rule);
      const next = j && depth < MAX_DEPTH && !seen.has(j.chain) ? table.chains.get(j.chain) : undefined;
      if (!next) continue;
      let nextVia = via;
      if (depth === 0 || capturing(next.name)) {
        const h = rule.header;
        const iface = chain.builtin && via.iface === null && h.inIface && !h.inIface.invert && !h.inIface.value.endsWith('+') ? h.inIface.value : via.iface;
        const lo = via.lo || (h.outIface?.value === 'lo' && !h.outIface.invert);
        nextVia = { iface, lo };
      }
      go(next, nextVia, depth + 1);
    }
  };
  // The hook's entry into this table, as the hook plan registers it.
  const first = baseChainOf(fr, hook, table.name)?.chainRef;
  if (first) go(first, { iface: null, lo: false }, 0);
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

function familyFacts(fr: FamilyRules, facts: RuleFacts): void {
  const nat = fr.tables.get('nat');
  const mangle = fr.tables.get('mangle');
  const inboundRedirects = new Set<Rule>();
  const dnsRedirects = new Set<Rule>();
  if (nat) {
    const natPrerouting = baseChainOf(fr, 'PREROUTING', 'nat')?.chain;
    walk(fr, nat, 'PREROUTING', (at, via) => {
      if (targetModuleName(at.rule) === 'REDIRECT') {
        if (DNS_DPORT.test(at.rule.text)) dnsRedirects.add(at.rule);
        else if (via.iface === null) {
          inboundRedirects.add(at.rule);
          const port = toPorts(at.rule, /--to-ports (\d+)/);
          if (port !== null && !facts.inbound) facts.inbound = { port, at };
        }
      }
      // A jump to the capture chain from one interface: its traffic is handled as outbound (kubevirt).
      const h = at.chain === natPrerouting ? at.rule.header.inIface : undefined;
      if (h && !h.invert && !h.value.endsWith('+') && h.value !== 'lo') {
        const list = jumpOf(at.rule) ? facts.virtualIfaces : facts.otherIfaces;
        if (![...facts.virtualIfaces, ...facts.otherIfaces].some((x) => x.name === h.value)) list.push({ name: h.value, at });
      }
    });
  }
  if (mangle) {
    walk(fr, mangle, 'PREROUTING', (at, via) => {
      if (via.iface === null && targetModuleName(at.rule) === 'TPROXY' && !facts.tproxy) {
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
  let selfCall: RuleFacts['inbound'] = null;
  const loopbackIds = new Set<string>();
  const capturing = captureTest(nat);
  walk(fr, nat, 'OUTPUT', (at, via) => {
    const target = targetModuleName(at.rule);
    if (target === 'REDIRECT') {
      const port = toPorts(at.rule, /--to-ports (\d+)/);
      if (port === null) return;
      if (DNS_DPORT.test(at.rule.text) || dnsRedirects.has(at.rule)) {
        if (!facts.dns) facts.dns = { port, at };
      } else if (via.lo || inboundRedirects.has(at.rule)) {
        // Reached through `-o lo` (the proxy calling its own pod): the inbound capture.
        selfCall ??= { port, at };
      } else if (!facts.outbound) facts.outbound = { port, at };
      return;
    }
    if (target !== 'RETURN' && target !== 'ACCEPT') {
      // A jump from the loopback owner rules into the inbound capture: read only when it leads to a capture chain.
      const j = jumpOf(at.rule);
      if (j && capturing(j.chain) && at.rule.header.outIface?.value === 'lo') {
        const owner = ownerOf(at.rule);
        if (owner?.uid) loopbackIds.add(refKey('uid', ownerRef(owner.uid.id)));
        if (owner?.gid) loopbackIds.add(refKey('gid', ownerRef(owner.gid.id)));
      }
      return;
    }
    const h = at.rule.header;
    if (h.src && !h.src.invert && h.outIface?.value === 'lo' && !h.outIface.invert && !h.dst && at.rule.matches.length === 0) {
      const full = h.src.value.family === 'ipv4' ? 32 : 128;
      if (h.src.value.prefix === full) {
        const key = h.src.value.family === 'ipv4' ? 'bind4' : 'bind6';
        facts[key] ??= { addr: h.src.value.base.text, at };
      }
      return;
    }
    const o = h.outIface;
    if (o && !o.invert && !o.value.endsWith('+') && o.value !== 'lo' && ![...facts.virtualIfaces, ...facts.otherIfaces].some((x) => x.name === o.value)) {
      facts.otherIfaces.push({ name: o.value, at });
    }
    const owner = ownerOf(at.rule);
    if (!owner || owner.socketExists) return;
    if (h.outIface?.value === 'lo' && !h.outIface.invert) {
      // Istio's loopback rules (`-o lo … --uid-owner N -j ISTIO_IN_REDIRECT`, `-o lo ! --uid-owner N -j RETURN`) name only the proxy.
      if (owner.uid) loopbackIds.add(refKey('uid', ownerRef(owner.uid.id)));
      if (owner.gid) loopbackIds.add(refKey('gid', ownerRef(owner.gid.id)));
    }
    const plain = plainOwnerRule(at.rule);
    if (owner.uid && !owner.uid.invert) (plain ? uids : narrowUids).push({ ref: ownerRef(owner.uid.id), at });
    if (owner.gid && !owner.gid.invert && !owner.supplGroups) (plain ? gids : narrowGids).push({ ref: ownerRef(owner.gid.id), at });
  });
  // Chains no jump reaches (a golden without the final jump) still name their ports in Istio's names.
  facts.outbound ??= namedRedirect(fr, nat, 'ISTIO_REDIRECT');
  facts.inbound ??= selfCall ?? namedRedirect(fr, nat, 'ISTIO_IN_REDIRECT');
  // Unrestricted owner RETURNs name the proxy; narrower ones (only DNS, only tcp) only when there are none.
  // Where the loopback rules name owners, only those are the proxy: other RETURNs exclude apps
  // (excludeOutboundOwnerGroups, `--gid-owner 888 -j RETURN`).
  const proxyOnly = (kind: 'uid' | 'gid', list: RuleFacts['uids']) => {
    if (![...loopbackIds].some((k) => k.startsWith(kind))) return list;
    return list.filter((x) => loopbackIds.has(refKey(kind, x.ref)));
  };
  if (!facts.uids.length) facts.uids = uniqueRefs(proxyOnly('uid', uids.length ? uids : narrowUids));
  if (!facts.gids.length) facts.gids = uniqueRefs(proxyOnly('gid', gids.length ? gids : narrowGids));
}

function namedRedirect(fr: FamilyRules, nat: Table, name: string): RuleFacts['outbound'] {
  const chain = nat.chains.get(name);
  const i = chain ? chain.rules.findIndex((r) => targetModuleName(r) === 'REDIRECT') : -1;
  if (!chain || i < 0) return null;
  const port = toPorts(chain.rules[i]!, /--to-ports (\d+)/);
  return port === null ? null : { port, at: { family: fr.family, table: 'nat', chain: name, index: i + 1, rule: chain.rules[i]! } };
}

function refKey(kind: 'uid' | 'gid', ref: OwnerRef): string {
  return 'id' in ref ? `${kind}#${ref.id}` : `${kind}:${ref.name}`;
}

function uniqueRefs(list: RuleFacts['uids']): RuleFacts['uids'] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const key = refKey('uid', x.ref);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The facts of the IPv4 rules, completed from the IPv6 rules where IPv4 says nothing. */
export function ruleFacts(ruleset: Ruleset): RuleFacts {
  const facts: RuleFacts = { uids: [], gids: [], outbound: null, inbound: null, tproxy: null, dns: null, bind4: null, bind6: null, virtualIfaces: [], otherIfaces: [] };
  for (const family of ['ipv4', 'ipv6'] as const) {
    const fr = ruleset.families[family];
    if (fr) familyFacts(fr, facts);
  }
  return facts;
}
