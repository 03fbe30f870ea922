/** Builders for packets, evaluation contexts and rules used across module tests. */
import { parseAddress, type Address } from '../../src/core/net/address.js';
import type { HostView, LocalSocket, Packet, AddrType } from '../../src/core/netfilter/packet.js';
import type { IpSets } from '../../src/core/net/ipset.js';
import type { EvalCtx } from '../../src/core/matches/define.js';
import { parseRuleSpec } from '../../src/sources/iptables/rule-spec.js';
import { tokenize } from '../../src/sources/iptables/tokenize.js';
import type { Family, HookName, TableName } from '../../src/core/types.js';

export function addr(text: string): Address {
  const a = parseAddress(text);
  if (!a) throw new Error(`bad test address ${text}`);
  return a;
}

export interface PacketInit {
  proto?: string;
  src?: string;
  dst?: string;
  sport?: number | null;
  dport?: number | null;
  in?: string | null;
  out?: string | null;
  uid?: number;
  gid?: number;
  groups?: number[];
  /** true: the packet has no local socket. */
  noSocket?: boolean;
  mark?: number;
  ctmark?: number;
  ctstate?: Packet['conn']['state'];
  /** Has conntrack attached its entry? Default false, as in raw; the match tables default it by table. */
  attached?: boolean;
  icmpType?: number | null;
  icmpCode?: number | null;
  tcpFlags?: string[];
}

export function makePacket(init: PacketInit = {}): Packet {
  const src = addr(init.src ?? '10.244.1.5');
  const dst = addr(init.dst ?? '10.244.2.7');
  const proto = init.proto ?? 'tcp';
  const hasPorts = proto === 'tcp' || proto === 'udp' || proto === 'sctp' || proto === 'udplite' || proto === 'dccp';
  const sport = init.sport !== undefined ? init.sport : hasPorts ? 40000 : null;
  const dport = init.dport !== undefined ? init.dport : hasPorts ? 9080 : null;
  return {
    family: src.family,
    proto,
    src,
    dst,
    sport,
    dport,
    icmpType: init.icmpType ?? null,
    icmpCode: init.icmpCode ?? null,
    inIface: init.in ?? null,
    outIface: init.out ?? null,
    owner: init.noSocket ? null : { uid: init.uid ?? 1000, gid: init.gid ?? init.uid ?? 1000, groups: init.groups ?? [] },
    mark: init.mark ?? 0,
    tcpFlags: init.tcpFlags ?? (proto === 'tcp' ? ['SYN'] : []),
    fragment: false,
    conn: {
      original: { src, dst, sport, dport },
      attached: init.attached ?? false,
      dnatDone: false,
      snatDone: false,
      dnatApplied: false,
      snatApplied: false,
      mark: init.ctmark ?? 0,
      zone: 0,
      zoneSet: false,
      untracked: false,
      direction: 'ORIGINAL',
      state: init.ctstate ?? 'NEW',
    },
  };
}

/** A pod-like host: eth0 10.244.1.5/24 + fd00:10:244:1::5, lo 127.0.0.1/8 + ::1 + ::6. */
export function fakeHost(listeners: LocalSocket[] = [], ipsets: IpSets | null = null): HostView {
  const local = ['10.244.1.5', 'fd00:10:244:1::5', '::1', '::6'];
  return {
    addressType(a: Address): AddrType {
      if (a.family === 'ipv4' && (a.value as number) >>> 24 === 127) return 'LOCAL';
      if (local.includes(a.text)) return 'LOCAL';
      if (a.family === 'ipv4' && (a.value as number) >>> 28 === 14) return 'MULTICAST';
      if (a.text === '255.255.255.255' || a.text === '10.244.1.255') return 'BROADCAST';
      return 'UNICAST';
    },
    primaryAddress(iface: string, family: Family): Address | null {
      if (iface === 'eth0') return addr(family === 'ipv4' ? '10.244.1.5' : 'fd00:10:244:1::5');
      if (iface === 'lo') return addr(family === 'ipv4' ? '127.0.0.1' : '::1');
      return null;
    },
    findListener(family, proto, a, port) {
      return (
        listeners.find(
          (l) => (l.family === 'any' || l.family === family) && l.proto === proto && l.port === port && (l.address === null || l.address.text === a.text),
        ) ?? null
      );
    },
    ipsets: () => ipsets,
  };
}

export function ctx(hook: HookName = 'OUTPUT', table: TableName = 'filter', family: Family = 'ipv4', host: HostView = fakeHost()): EvalCtx {
  return { hook, table, family, host };
}

/** Parse one rule spec (no `-A CHAIN`) for the given table/family; returns the single rule. */
export function ruleOf(spec: string, table: TableName = 'filter', family: Family = 'ipv4') {
  const rules = parseRuleSpec(tokenize(spec), { family, table });
  if (rules.length !== 1) throw new Error(`expected one rule from "${spec}", got ${rules.length}`);
  return rules[0]!;
}
