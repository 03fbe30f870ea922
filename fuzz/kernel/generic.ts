/**
 * The "generic" shape: every table, built-in chain policies ACCEPT or DROP, user chains reached
 * by jump or goto, and every match and target module the engine models (src/core/matches,
 * src/core/targets), each with and without `!`. Each rule is written for the hook of the
 * built-in chain that reaches it, as the kernel demands; a small share on purpose is not
 * (TPROXY in OUTPUT, -o in PREROUTING, owner in INPUT …), so refusals get compared too.
 * Left out: `-m set` (it needs ipsets in the kernel namespace) and TRACE (the harness traces
 * every packet with nftrace itself, and a TRACE rule changes what the trace shows).
 */
import { MATCHES } from '../../src/core/matches/registry.js';
import { TARGETS } from '../../src/core/targets/registry.js';
import type { Family } from '../../src/core/types.js';
import { ADDRESSES, IDS, IFACES, MARKS, MASKS, PORT_RANGES, PORTS, RANGES } from './pool.js';
import type { Random } from './random.js';
import { BUILTIN_CHAINS, type RuleLine, type RuleSetText, type TableText } from './ruleset-text.js';
import { roundtripClauses, type ModuleClauses } from './roundtrip-clauses.js';

/** Modules the harness cannot replay (see above); everything else registered is generated. */
export const NOT_GENERATED = { matches: ['set'], targets: ['TRACE'] };

type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

interface Ctx {
  r: Random;
  family: Family;
  table: string;
  hook: Hook;
  /** Break a hook or table restriction on purpose (a refusal both sides must agree on). */
  wild: boolean;
}

const neg = (c: Ctx, p = 0.3): string => (c.r.chance(p) ? '! ' : '');
const addr = (c: Ctx): string => c.r.pick(ADDRESSES[c.family]);
const port = (c: Ctx): string => String(c.r.chance(0.15) ? c.r.pick(PORT_RANGES) : c.r.pick(PORTS));
const mark = (c: Ctx): string => c.r.pick(MARKS) + c.r.pick(MASKS);
const inHooks = (c: Ctx, hooks: Hook[]): boolean => c.wild || hooks.includes(c.hook);

/** An address of the other family in a table clause: the kernel would refuse it, so it is not drawn. */
function otherFamily(text: string, family: Family): boolean {
  return family === 'ipv6' ? /\b\d+\.\d+\.\d+\.\d+\b/.test(text) : /[0-9a-f]*:[0-9a-f]*:/i.test(text);
}

/** A clause of any registered module, from its round-trip table, where its facts allow it. */
function tableClause(c: Ctx, proto: string | null, modules: ModuleClauses[], skip: string[], families: (name: string) => readonly Family[] | undefined): string | null {
  const mod = c.r.pick(modules);
  if (skip.includes(mod.name)) return null;
  const fams = families(mod.name);
  if (fams && !fams.includes(c.family)) return null;
  if (!c.wild && mod.hooks && !mod.hooks.includes(c.hook)) return null;
  if (!c.wild && mod.tables && !mod.tables.includes(c.table as never)) return null;
  const clause = c.r.pick(mod.clauses);
  if (clause.proto !== null && clause.proto !== proto) return null;
  if (clause.table !== c.table && !c.wild) return null;
  return otherFamily(clause.text, c.family) ? null : clause.text;
}

/** One match clause; proto is the rule's `-p` (null: none), which port options need. */
function matchClause(c: Ctx, proto: string | null): string | null {
  const r = c.r;
  if (r.chance(0.12)) return tableClause(c, proto, roundtripClauses().match, NOT_GENERATED.matches, (n) => MATCHES[n as keyof typeof MATCHES]?.families);
  switch (r.int(0, 15)) {
    case 0:
      return `${neg(c)}-s ${addr(c)}`;
    case 1:
      return `${neg(c)}-d ${addr(c)}`;
    case 2:
      return inHooks(c, ['PREROUTING', 'INPUT', 'FORWARD']) ? `${neg(c)}-i ${r.pick(IFACES)}` : `${neg(c)}-o ${r.pick(IFACES)}`;
    case 3:
      if (proto === 'tcp') {
        const which = r.int(0, 3);
        if (which === 0) return `-m tcp ${neg(c)}--dport ${port(c)}`;
        if (which === 1) return `-m tcp ${neg(c)}--sport ${port(c)}`;
        if (which === 2) return `-m tcp ${neg(c)}--syn`;
        return `-m tcp ${neg(c)}--tcp-flags ${r.pick(['SYN,ACK SYN', 'SYN,RST,ACK,FIN SYN', 'ALL ACK', 'FIN,SYN FIN'])}`;
      }
      if (proto === 'udp') return `-m udp ${neg(c)}--${r.pick(['dport', 'sport'])} ${port(c)}`;
      return `${neg(c)}-d ${addr(c)}`;
    case 4:
      if (proto !== 'tcp' && proto !== 'udp') return null;
      return `-m multiport ${neg(c)}--${r.pick(['dports', 'sports', 'ports'])} ${r.shuffle(PORTS).slice(0, r.int(1, 4)).join(',')}`;
    case 5:
      if (!inHooks(c, ['OUTPUT', 'POSTROUTING'])) return null;
      return r.chance(0.15) ? `-m owner ${neg(c)}--socket-exists` : `-m owner ${neg(c)}--${r.pick(['uid-owner', 'gid-owner'])} ${r.pick(IDS)}`;
    case 6:
      return `-m mark ${neg(c)}--mark ${mark(c)}`;
    case 7:
      return `-m connmark ${neg(c)}--mark ${mark(c)}`;
    case 8: {
      const states = r.shuffle(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED']).slice(0, r.int(1, 2)).join(',');
      const which = r.int(0, 4);
      if (which === 0) return `-m conntrack ${neg(c)}--ctorigdst ${addr(c)}`;
      if (which === 1) return `-m conntrack ${neg(c)}--ctorigsrc ${addr(c)}`;
      if (which === 2 && proto) return `-m conntrack --ctproto ${proto} ${neg(c)}--ctorigdstport ${r.pick(PORTS)}`;
      if (which === 3) return `-m conntrack ${neg(c)}--ctdir ${r.pick(['ORIGINAL', 'REPLY'])}`.replace('! --ctdir', '--ctdir');
      return `-m conntrack ${neg(c)}--ctstate ${states}`;
    }
    case 9:
      return `-m state ${neg(c)}--state ${r.shuffle(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID']).slice(0, r.int(1, 2)).join(',')}`;
    case 10:
      // IPv6 has no BROADCAST (the kernel refuses it): only a wild rule asks for it there.
      return `-m addrtype ${neg(c)}--${r.pick(['src-type', 'dst-type'])} ${r.pick(c.family === 'ipv4' || c.wild ? ['LOCAL', 'UNICAST', 'BROADCAST', 'MULTICAST'] : ['LOCAL', 'UNICAST', 'MULTICAST'])}`;
    case 11:
      return `-m iprange ${neg(c)}--${r.pick(['src-range', 'dst-range'])} ${r.pick(RANGES[c.family])}`;
    case 12:
      return `-m comment --comment ${r.pick(['"fuzz rule"', 'random', '"a b"'])}`;
    case 13:
      return r.chance(0.5)
        ? `-m statistic --mode random ${neg(c)}--probability ${r.pick(['0.00000000000', '1.00000000000'])}`
        : `-m statistic --mode nth ${neg(c)}--every 1 --packet 0`;
    case 14:
      if (!inHooks(c, ['PREROUTING', 'INPUT'])) return null;
      return `-m socket${r.pick(['', ' --transparent', ' --nowildcard', ' --transparent --nowildcard'])}`;
    default:
      if (proto !== null) return null;
      return c.family === 'ipv4' ? `-p icmp -m icmp ${neg(c)}--icmp-type ${r.pick(['echo-request', 'destination-unreachable', '8'])}` : `-p ipv6-icmp -m icmp6 ${neg(c)}--icmpv6-type ${r.pick(['echo-request', '128'])}`;
  }
}

/** A target for this table and hook; `chains`: user chains this rule may jump or go to. */
function target(c: Ctx, proto: string | null, chains: string[]): string {
  const r = c.r;
  const t = c.table;
  const nat = t === 'nat' || c.wild;
  // ACCEPT, RETURN, jumps and marks weigh more than DROP: a rule set that drops everything
  // early has little left to compare.
  const options: Array<() => string | null> = [
    () => 'ACCEPT',
    () => 'ACCEPT',
    // iptables refuses DROP in nat ("not intended for filtering"): only a wild rule asks.
    () => (r.chance(0.6) && (t !== 'nat' || c.wild) ? 'DROP' : null),
    () => 'RETURN',
    () => 'RETURN',
    () => (chains.length ? `${r.chance(0.8) ? '-j' : '-g'} ${r.pick(chains)}` : null),
    () => (chains.length ? `-j ${r.pick(chains)}` : null),
    () => (t === 'filter' || c.wild) && inHooks(c, ['INPUT', 'FORWARD', 'OUTPUT'])
      ? `REJECT --reject-with ${proto === 'tcp' && r.chance(0.5) ? 'tcp-reset' : c.family === 'ipv4' ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}`
      : null,
    () => (nat && inHooks(c, ['PREROUTING', 'OUTPUT']) && proto ? `REDIRECT --to-ports ${r.pick(PORTS)}` : null),
    () => (nat && inHooks(c, ['PREROUTING', 'OUTPUT']) ? `DNAT --to-destination ${dnatTo(c, proto)}` : null),
    () => (nat && inHooks(c, ['POSTROUTING', 'INPUT']) ? `SNAT --to-source ${c.family === 'ipv4' ? r.pick(['10.244.1.5', '127.0.0.6']) : r.pick(['fd00:10:244:1::5', '::6'])}` : null),
    () => (nat && inHooks(c, ['POSTROUTING']) ? 'MASQUERADE' : null),
    () => `MARK --set-xmark ${r.pick(MARKS)}/${r.pick(['0xffffffff', '0xff'])}`,
    () => `MARK --set-mark ${r.pick(MARKS)}`,
    () => r.pick([`CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff`, 'CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff', `CONNMARK --set-xmark ${r.pick(MARKS)}/0xffffffff`]),
    () => (t === 'raw' || c.wild ? r.pick(['CT --notrack', `CT --zone ${r.int(1, 9)}`]) : null),
    () => `LOG --log-prefix "fuzz ${r.int(1, 99)}: "`,
    () => `NFLOG --nflog-group ${r.int(1, 9)}`,
    () =>
      (t === 'mangle' || c.wild) && inHooks(c, ['PREROUTING']) && proto
        ? `TPROXY --on-port ${r.pick([15001, 15006])} --on-ip ${c.family === 'ipv4' ? '0.0.0.0' : '::'} --tproxy-mark 0x539/0xffffffff`
        : null,
  ];
  options.push(() => tableClause(c, proto, roundtripClauses().target, NOT_GENERATED.targets, (n) => TARGETS[n as keyof typeof TARGETS]?.families));
  for (;;) {
    const made = r.pick(options)();
    if (made) return made.startsWith('-') ? made : `-j ${made}`;
  }
}

function dnatTo(c: Ctx, proto: string | null): string {
  const a = c.family === 'ipv4' ? c.r.pick(['10.244.2.7', '10.244.1.5', '127.0.0.1']) : c.r.pick(['fd00:10:244:2::7', 'fd00:10:244:1::5']);
  if (!proto || c.r.chance(0.4)) return a;
  return c.family === 'ipv4' ? `${a}:${c.r.pick(PORTS)}` : `[${a}]:${c.r.pick(PORTS)}`;
}

/** What a clause sets: "-s", "-m owner"… (iptables refuses most of them twice in one rule). */
function clauseKey(clause: string): string {
  const words = clause.replace(/^! /, '').split(' ');
  return words[0] === '-m' ? `-m ${words[1]}` : words[0]!;
}

function ruleSpec(c: Ctx, chains: string[]): string {
  const r = c.r;
  const proto = r.chance(0.6) ? r.pick(['tcp', 'tcp', 'udp']) : null;
  const parts: string[] = [];
  if (proto) parts.push(`${r.chance(0.1) ? '! ' : ''}-p ${proto}`);
  // A `! -p tcp` rule may not use tcp's options: the options see proto as given.
  const optProto = parts[0]?.startsWith('!') ? null : proto;
  const n = r.int(0, 3);
  for (let i = 0; i < n; i++) {
    const m = matchClause(c, optProto);
    if (m && !parts.some((p) => clauseKey(p) === clauseKey(m) || (m.startsWith('-p') && p.includes('-p ')))) parts.push(m);
  }
  parts.push(target(c, optProto, chains));
  return parts.join(' ');
}

function genericTables(r: Random, family: Family): TableText[] {
  const tables: TableText[] = [];
  const names = r.shuffle(Object.keys(BUILTIN_CHAINS)).slice(0, r.int(1, 4));
  for (const name of ['raw', 'mangle', 'nat', 'filter', 'security'].filter((t) => names.includes(t))) {
    const builtins = BUILTIN_CHAINS[name]!;
    // nat's policy must be ACCEPT for the kernel: a rare DROP stays, as a refusal to compare.
    const policy = (): string => (name === 'nat' ? (r.chance(0.03) ? 'DROP' : 'ACCEPT') : r.chance(0.12) ? 'DROP' : 'ACCEPT');
    const t: TableText = { name, chains: builtins.map((b) => ({ name: b, policy: policy() })), rules: [] };
    const users = Array.from({ length: r.int(0, 3) }, (_, i) => `FZ_${name.toUpperCase()}_${i}`);
    for (const u of users) t.chains.push({ name: u, policy: null });
    // Each user chain is reached from one built-in chain (its hook), and jumps only to later
    // user chains, so there are no loops; a rare wild jump back makes one, for a refusal.
    const homeOf = new Map<string, Hook>();
    for (const b of builtins) {
      // Nothing is forwarded in the pod: FORWARD rules only matter for refusals.
      const n = b === 'FORWARD' ? r.int(0, 1) : r.int(0, 4);
      for (let i = 0; i < n; i++) {
        const unhomed = users.filter((u) => !homeOf.has(u));
        const wild = r.chance(0.03);
        const spec = ruleSpec({ r, family, table: name, hook: b as Hook, wild }, unhomed);
        const jumped = /-[jg] (FZ_\S+)/.exec(spec)?.[1];
        if (jumped) homeOf.set(jumped, b as Hook);
        t.rules.push({ chain: b, spec });
      }
    }
    for (const [i, u] of users.entries()) {
      const hook = homeOf.get(u) ?? (r.pick(builtins) as Hook);
      const later = users.slice(i + 1).filter((v) => !homeOf.has(v) || homeOf.get(v) === hook);
      const n = r.int(1, 4);
      for (let k = 0; k < n; k++) {
        const wild = r.chance(0.02);
        const spec = ruleSpec({ r, family, table: name, hook, wild }, wild ? users : later);
        const jumped = /-[jg] (FZ_\S+)/.exec(spec)?.[1];
        if (jumped && !homeOf.has(jumped)) homeOf.set(jumped, hook);
        t.rules.push({ chain: u, spec });
      }
      // An unreached user chain still gets a jump from its hook, so its rules can matter.
      if (!t.rules.some((x) => x.spec.endsWith(` ${u}`))) {
        const from = builtins.includes(hook) ? hook : builtins[0]!;
        t.rules.push({ chain: from, spec: `-j ${u}` });
      }
    }
    tables.push(t);
  }
  return tables;
}

export function genericRuleSet(r: Random): RuleSetText {
  return { ipv4: genericTables(r, 'ipv4'), ipv6: r.chance(0.25) ? genericTables(r, 'ipv6') : null };
}
