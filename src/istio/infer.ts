/**
 * Who the proxy is in this pod, from the input rather than from constants: the
 * rules (what the kernel holds) first, then a log's banner, then Istio's defaults;
 * a flag overrides all three. Every value keeps its source for the trace header,
 * and every disagreement or assumption becomes a note, never silent.
 */
import { parseAddress, type Address } from '../core/net/address.js';
import type { Ruleset, SourceSetting } from '../core/ruleset/model.js';
import type { ProxySetting, ProxySource } from '../core/trace.js';
import type { PodConfig, PodInterface } from './config.js';
import { bannerFacts, idList, markOf, nameList, portOf, type BannerFacts } from './infer-banner.js';
import { ruleFacts, ruleSource, type RuleAt, type RuleFacts } from './infer-rules.js';

/** What the user fixed with flags; these win over every inference. */
export interface IdentityOverrides {
  mode?: 'REDIRECT' | 'TPROXY';
  proxyUid?: number;
  proxyGid?: number;
  outboundPort?: number;
  inboundPort?: number;
  /** --iface NAME=ADDR/PREFIX, in the order given. */
  ifaces?: Array<{ name: string; addr: Address; prefix: number }>;
}

/**
 * Addresses assumed for a virtual interface the rules name when no --iface gives one: KubeVirt's
 * masquerade binding gives its bridge 10.0.2.1/24 and fd10:0:2::1/120; further interfaces get the next /24.
 */
export function assumedVirtualAddress(index: number): Array<{ addr: Address; prefix: number }> {
  return [
    { addr: parseAddress(`10.0.${2 + index}.1`)!, prefix: 24 },
    { addr: parseAddress(`fd10:0:${(2 + index).toString(16)}::1`)!, prefix: 120 },
  ];
}

export function sourceText(s: ProxySource): string {
  switch (s.kind) {
    case 'rule':
      return `${s.table} ${s.chain} rule ${s.rule}, line ${s.line}`;
    case 'banner':
      return `log line ${s.line}: ${s.key}`;
    case 'flag':
      return s.flag;
    case 'assumed':
      return `assumed: ${s.why}`;
    case 'default':
      return "Istio's default";
  }
}

const banner = (s: SourceSetting): ProxySource => ({ kind: 'banner', key: s.key, line: s.line });

interface Pick<T> {
  value: T;
  from: ProxySource;
}

/**
 * One setting: flag, else rules, else banner, else the default. When the rules and the
 * banner disagree the rules win (they are what the kernel holds) and a note says so.
 */
function choose<T>(
  what: string,
  flag: { value: T; flag: string } | undefined,
  rule: { value: T; at: RuleAt } | null,
  fromBanner: { value: T; setting: SourceSetting } | null,
  fallback: T,
  notes: string[],
  same: (a: T, b: T) => boolean = (a, b) => a === b,
  show: (v: T) => string = String,
): Pick<T> {
  if (rule && fromBanner && !same(rule.value, fromBanner.value)) {
    const at = ruleSource(rule.at);
    notes.push(
      `the log's banner says ${fromBanner.setting.key}=${fromBanner.setting.value} (line ${fromBanner.setting.line}), but the rules give ${what} ${show(rule.value)} (${sourceText(at)}); the rules are what the kernel holds, so ${show(rule.value)} is used`,
    );
  }
  if (flag) return { value: flag.value, from: { kind: 'flag', flag: flag.flag } };
  if (rule) return { value: rule.value, from: ruleSource(rule.at) };
  if (fromBanner) return { value: fromBanner.value, from: banner(fromBanner.setting) };
  return { value: fallback, from: { kind: 'default' } };
}

function fromBannerWith<T>(s: SourceSetting | undefined, parse: (text: string) => T | null): { value: T; setting: SourceSetting } | null {
  if (!s) return null;
  const v = parse(s.value);
  return v === null ? null : { value: v, setting: s };
}

const sameList = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const listText = (l: number[]) => l.join(',');

/** The owner ids of the RETURN rules, names resolved with the pod's account names; unresolved names are noted. */
function ownerIds(kind: 'uid' | 'gid', list: RuleFacts['uids'], pod: PodConfig, notes: string[]): { value: number[]; at: RuleAt } | null {
  const ids: number[] = [];
  for (const x of list) {
    if ('id' in x.ref) ids.push(x.ref.id);
    else {
      const n = (kind === 'uid' ? pod.owners.users : pod.owners.groups).get(x.ref.name);
      if (n !== undefined) ids.push(n);
      else {
        notes.push(
          `${sourceText(ruleSource(x.at))} exempts the ${kind === 'uid' ? 'user' : 'group'} "${x.ref.name}" by name: give its id with ${kind === 'uid' ? `--user ${x.ref.name}=UID` : `--group ${x.ref.name}=GID`} to count it as the proxy`,
        );
      }
    }
  }
  const unique = [...new Set(ids)];
  return unique.length ? { value: unique, at: list[0]!.at } : null;
}

export function inferPod(ruleset: Ruleset, base: PodConfig, overrides: IdentityOverrides = {}): { pod: PodConfig; notes: string[] } {
  const pod: PodConfig = { ...base, ports: { ...base.ports }, extraInterfaces: [...base.extraInterfaces] };
  const notes: string[] = [];
  const facts = ruleFacts(ruleset);
  const b = bannerFacts(ruleset);
  const settings: ProxySetting[] = [];
  const record = (setting: string, value: string, from: ProxySource) => settings.push({ setting, value, from });

  const uids = choose('uid', undefined, ownerIds('uid', facts.uids, pod, notes), fromBannerWith(b.uid, idList), [base.proxyUid], notes, sameList, listText);
  const gids = choose('gid', undefined, ownerIds('gid', facts.gids, pod, notes), fromBannerWith(b.gid, idList), [base.proxyGid], notes, sameList, listText);
  pod.proxyUids = uids.value;
  pod.proxyGids = gids.value;
  const uidFlag = overrides.proxyUid !== undefined ? { value: overrides.proxyUid, flag: '--proxy-uid' } : undefined;
  const gidFlag = overrides.proxyGid !== undefined ? { value: overrides.proxyGid, flag: '--proxy-gid' } : undefined;

  const ruleMode = facts.tproxy ? { value: 'TPROXY' as const, at: facts.tproxy.at } : facts.inbound ? { value: 'REDIRECT' as const, at: facts.inbound.at } : null;
  const bannerMode = fromBannerWith(b.mode, (t) => (t.trim().toUpperCase() === 'TPROXY' ? 'TPROXY' : t.trim().toUpperCase() === 'REDIRECT' ? 'REDIRECT' : null));
  const mode = choose<'REDIRECT' | 'TPROXY'>(
    'interception mode',
    overrides.mode ? { value: overrides.mode, flag: '--interception-mode' } : undefined,
    ruleMode,
    bannerMode,
    base.mode,
    notes,
  );
  pod.mode = mode.value;

  const outbound = choose(
    'outbound capture port',
    overrides.outboundPort !== undefined ? { value: overrides.outboundPort, flag: '--proxy-port' } : undefined,
    facts.outbound ? { value: facts.outbound.port, at: facts.outbound.at } : null,
    fromBannerWith(b.outbound, portOf),
    base.ports.outbound,
    notes,
  );
  const inboundRule =
    pod.mode === 'TPROXY' && facts.tproxy?.port != null ? { value: facts.tproxy.port, at: facts.tproxy.at } : facts.inbound ? { value: facts.inbound.port, at: facts.inbound.at } : null;
  const inbound = choose(
    'inbound capture port',
    overrides.inboundPort !== undefined ? { value: overrides.inboundPort, flag: '--inbound-capture-port' } : undefined,
    inboundRule,
    fromBannerWith(b.inbound, portOf),
    base.ports.inbound,
    notes,
  );
  pod.ports.outbound = outbound.value;
  pod.ports.inbound = inbound.value;
  const tunnel = fromBannerWith(b.tunnel, portOf);
  if (tunnel) pod.ports.tunnel = tunnel.value;
  const dns = facts.dns ? { value: facts.dns.port, from: ruleSource(facts.dns.at) } : { value: base.ports.dns, from: { kind: 'default' } as ProxySource };
  pod.ports.dns = dns.value;

  // Envoy's own connections: the first uid/gid listed (Istio's ProxyUID "1,2": Envoy runs as 1).
  let envoyUid: Pick<number> = uidFlag ? { value: uidFlag.value, from: { kind: 'flag', flag: uidFlag.flag } } : { value: uids.value[0]!, from: uids.from };
  const envoyGid: Pick<number> = gidFlag ? { value: gidFlag.value, from: { kind: 'flag', flag: gidFlag.flag } } : { value: gids.value[0]!, from: gids.from };
  if (pod.mode === 'TPROXY' && !uidFlag && !b.since127) {
    // Before 1.27 istio-proxy runs as root in TPROXY mode (injection template); the gid RETURN still
    // exempts it. From 1.27 the template forces uid 1337, so a 1.27+ banner keeps the listed uid.
    envoyUid = { value: 0, from: { kind: 'assumed', why: 'TPROXY mode: istio-proxy runs as uid 0 (injection template before 1.27)' } };
  }
  if (overrides.mode && ruleMode && ruleMode.value !== overrides.mode) {
    notes.push(`--interception-mode ${overrides.mode}: the rules are those of ${ruleMode.value} mode (${sourceText(ruleSource(ruleMode.at))}); the pod is taken to run in ${overrides.mode} mode (proxy uid ${envoyUid.value})`);
  }
  pod.proxyUid = envoyUid.value;
  pod.proxyGid = envoyGid.value;
  if (uidFlag && !pod.proxyUids.includes(uidFlag.value)) pod.proxyUids = [uidFlag.value, ...pod.proxyUids];
  if (gidFlag && !pod.proxyGids.includes(gidFlag.value)) pod.proxyGids = [gidFlag.value, ...pod.proxyGids];

  record('uid', listText(pod.proxyUids), uidFlag ? envoyUid.from : uids.from);
  record('gid', listText(pod.proxyGids), gidFlag ? envoyGid.from : gids.from);
  if (envoyUid.value !== pod.proxyUids[0] || envoyGid.value !== pod.proxyGids[0]) record('envoy', `uid ${envoyUid.value} gid ${envoyGid.value}`, envoyUid.from.kind === 'assumed' ? envoyUid.from : envoyGid.from);
  record('mode', pod.mode, mode.from);
  record('outbound', String(pod.ports.outbound), outbound.from);
  record('inbound', String(pod.ports.inbound), inbound.from);
  record('dns', String(pod.ports.dns), dns.from);
  if (tunnel) record('tunnel', String(tunnel.value), banner(tunnel.setting));

  for (const [key, fact] of [['bind4', facts.bind4], ['bind6', facts.bind6]] as const) {
    const a = fact ? parseAddress(fact.addr) : null;
    if (fact && a) {
      if (key === 'bind4') pod.inboundBind4 = a;
      else pod.inboundBind6 = a;
      record(key === 'bind4' ? 'inbound bind' : 'inbound bind6', a.text, ruleSource(fact.at));
    }
  }

  if (pod.mode === 'TPROXY') {
    const mark = choose(
      'TPROXY mark',
      undefined,
      facts.tproxy?.mark != null ? { value: facts.tproxy.mark, at: facts.tproxy.at } : null,
      fromBannerWith(b.tproxyMark, markOf),
      base.tproxyMark,
      notes,
    );
    const table = fromBannerWith(b.tproxyTable, (t) => (/^\d{1,10}$/.test(t.trim()) ? Number(t.trim()) : null));
    pod.tproxyMark = mark.value;
    if (table) pod.tproxyTable = table.value;
    record('tproxy mark', String(pod.tproxyMark), mark.from);
    record('tproxy table', String(pod.tproxyTable), table ? banner(table.setting) : { kind: 'default' });
    if (!overrides.mode) {
      notes.push(
        `the pod runs in TPROXY mode (${sourceText(mode.from)}): the proxy runs as uid ${pod.proxyUid} / gid ${pod.proxyGid}, ${pod.ports.inbound} is a transparent listener, and policy routing sends fwmark ${pod.tproxyMark} to table ${pod.tproxyTable} (local default dev lo)`,
      );
    }
  }
  if (facts.dns) {
    notes.push(`the rules redirect DNS to ${pod.ports.dns} (${sourceText(dns.from)}): pilot-agent's DNS proxy listens on 127.0.0.1:${pod.ports.dns} (udp and tcp) as uid ${pod.proxyUid}`);
  }
  interfaces(pod, facts, b, overrides, notes, record);
  pod.provenance = settings;
  return { pod, notes };
}

/** The interfaces the rules (or the banner) name, with --iface addresses or an assumed one for virtual interfaces. */
function interfaces(
  pod: PodConfig,
  facts: RuleFacts,
  b: BannerFacts,
  overrides: IdentityOverrides,
  notes: string[],
  record: (setting: string, value: string, from: ProxySource) => void,
): void {
  const named: Array<{ name: string; virtual: boolean; from: ProxySource }> = [];
  const add = (name: string, virtual: boolean, from: ProxySource) => {
    if (name === 'lo' || name === 'eth0' || named.some((n) => n.name === name)) return;
    named.push({ name, virtual, from });
  };
  for (const v of facts.virtualIfaces) add(v.name, true, ruleSource(v.at));
  if (b.virtualIfaces) for (const n of nameList(b.virtualIfaces.value)) add(n, true, banner(b.virtualIfaces));
  for (const v of facts.otherIfaces) add(v.name, false, ruleSource(v.at));
  if (b.excludeIfaces) for (const n of nameList(b.excludeIfaces.value)) add(n, false, banner(b.excludeIfaces));
  for (const f of overrides.ifaces ?? []) add(f.name, false, { kind: 'flag', flag: '--iface' });
  let virtualIndex = 0;
  for (const n of named) {
    const given = (overrides.ifaces ?? []).filter((f) => f.name === n.name).map((f) => ({ addr: f.addr, prefix: f.prefix }));
    const iface: PodInterface = { name: n.name, addrs: given, why: n.virtual ? 'virtual interface' : 'named by the rules' };
    if (given.length) {
      record(`iface ${n.name}`, given.map((a) => `${a.addr.text}/${a.prefix}`).join(' '), { kind: 'flag', flag: '--iface' });
    } else if (n.virtual) {
      iface.addrs = assumedVirtualAddress(virtualIndex);
      const text = iface.addrs.map((a) => `${a.addr.text}/${a.prefix}`).join(' and ');
      record(`iface ${n.name}`, text.replace(' and ', ' '), { kind: 'assumed', why: 'virtual interface without an address in the input' });
      notes.push(
        `${n.name} is a virtual interface (${sourceText(n.from)}) whose address the input does not give: assumed ${text} (KubeVirt's masquerade bridge); give the real one with --iface ${n.name}=ADDR/PREFIX`,
      );
    } else {
      notes.push(`${n.name} is named by the rules (${sourceText(n.from)}) and modelled without an address; give one with --iface ${n.name}=ADDR/PREFIX if a flow needs it`);
    }
    if (n.virtual) virtualIndex++;
    pod.extraInterfaces.push(iface);
  }
}
