/** Flag groups shared by the commands (trace, verify, check, diff), so every command spells them alike. */
import { Command, Option } from 'commander';
import { UsageError } from '../core/errors.js';
import { DEFAULT_PROFILE } from '../istio/profiles.js';
import { KNOWN_RANGE } from '../istio/generator/index.js';
import { SCENARIOS } from '../istio/scenarios.js';
import { DEFAULT_MAX_HOPS } from '../istio/trace-flow.js';
import { DEFAULT_MAX_STEPS, DEFAULT_MAX_TRACE_BYTES } from '../core/netfilter/budget.js';
import type { RuleSourceNames } from '../istio/source-names.js';
import { VALIDATE_MODES } from '../sources/rule-text.js';

export interface SourceFlags extends RuleSourceNames {
  maxInputSize?: string;
  validate?: string;
  /** `ipset save` / `ipset list` files for `-m set` rules. */
  ipset?: string[];
}

export interface FlowFlags {
  src?: string;
  dst?: string;
  proto: string;
  uid?: string;
  gid?: string;
  groups?: string;
  podIp?: string[];
  via?: string;
  inIface?: string;
  iface?: string[];
  user?: string[];
  group?: string[];
  passwdFile?: string;
  groupFile?: string;
  scenario?: string;
  flows?: string;
}

/** Options of runs over many flows (--flows, check, diff). */
export interface BatchFlags {
  stats?: boolean;
  cacheSize?: string;
  jobs?: string;
}

export interface OutputFlags {
  format: string;
  ascii?: boolean;
  color: boolean;
  explain?: boolean;
  unknown: string;
  maxHops: string;
  pick?: string;
  maxSteps?: string;
  maxTraceSize?: string;
}

export type TraceFlags = SourceFlags & FlowFlags & OutputFlags & BatchFlags & { listProfiles?: boolean };

export { wantsGenerator } from '../istio/source-names.js';

export const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name}: "${v}" is not a non-negative integer`);
  return Number(v);
}

export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--rules <file>', 'iptables-save / ip6tables-save output, iptables -S output, iptables-restore input, or an istio-init log ("-" for stdin)')
    .option('--profile <name>', `a built-in rule set (default ${DEFAULT_PROFILE}; see --list-profiles)`)
    .option('--max-input-size <mib>', 'refuse rule input larger than this many MiB (default 256)')
    .option('--ipset <file>', 'the sets of -m set rules: `ipset save` or `ipset list` output (repeatable)', collect)
    .addOption(
      new Option('--validate <when>', 'parse and check every rule at load (all), or each rule when a flow first reaches it (reached); auto: all up to 2,000 lines of rules')
        .choices(VALIDATE_MODES)
        .default('auto'),
    )
    .option('--istio-version <version>', `generate the rules Istio VERSION would install (known: ${KNOWN_RANGE}; "current" is the newest), instead of a dump or profile`)
    .option('--installer <installer>', 'who installs the rules: init (istio-init, default) or cni (istio-cni plugin)')
    .option('--annotation <key=value>', 'a pod annotation, e.g. traffic.sidecar.istio.io/excludeOutboundPorts=3306 (repeatable)', collect)
    .option('--pod <file>', 'a Pod or Deployment manifest: its annotations, pod IPs (status) and container ports')
    .option('--mesh-config <file>', 'mesh-wide defaults (MeshConfig, the istio ConfigMap, or Helm values)')
    .option('--dns-server <ip>', 'a nameserver from the pod\'s resolv.conf, for DNS capture (repeatable; default 10.96.0.10)', collect)
    .option('--interception-mode <mode>', 'REDIRECT or TPROXY; overrides the annotation or what a dump implies')
    .option('--proxy-uid <n>', 'uid the sidecar runs as; overrides what the rules imply (default 1337, 0 in TPROXY mode)')
    .option('--proxy-gid <n>', 'gid the sidecar runs as; overrides what the rules imply (default 1337)')
    .option('--proxy-port <port>', "Envoy's outbound capture port; overrides what the rules imply (default 15001)")
    .option('--inbound-capture-port <port>', "Envoy's inbound capture port; overrides what the rules imply (default 15006)");
}

export function addFlowOptions(cmd: Command): Command {
  return cmd
    .option('--src <addr>', 'source IP[:PORT], [IPv6]:PORT, or "pod"; default: the pod, address chosen by routing')
    .option('--dst <addr>', 'destination IP:PORT, [IPv6]:PORT, or pod:PORT')
    .addOption(new Option('--proto <proto>', 'protocol').choices(['tcp', 'udp']).default('tcp'))
    .option('--uid <n>', 'owner uid of the sending socket (default 1000, an application)')
    .option('--gid <n>', 'owner gid of the sending socket (default: the uid)')
    .option('--groups <list>', 'supplementary groups of the sender, comma-separated (for --suppl-groups)')
    .option('--pod-ip <ip>', 'the pod IP (default 10.244.1.5 and fd00:10:244:1::5); give twice for IPv4 and IPv6', collect)
    .option('--via <addr>', 'the endpoint Envoy picks for an outbound connection (default: the original destination)')
    .option('--in-iface <name>', 'interface a remote flow arrives on (default eth0)')
    .option('--iface <name=addr/prefix>', "give a pod interface an address, e.g. net1=10.0.2.1/24 (repeatable; IPv4 or IPv6)", collect)
    .option('--user <name=uid>', 'resolve -m owner --uid-owner NAME (repeatable)', collect)
    .option('--group <name=gid>', 'resolve -m owner --gid-owner NAME (repeatable)', collect)
    .option('--passwd-file <file>', "resolve --uid-owner names with a copy of the pod's /etc/passwd")
    .option('--group-file <file>', "resolve --gid-owner names with a copy of the pod's /etc/group")
    .option('--scenario <name>', `a built-in blog traffic type: ${SCENARIOS.map((s) => s.name).join(', ')}, 1-6, or all`)
    .option('--flows <file>', 'trace many flows: a YAML list of flows, or JSON Lines ("-" for stdin)');
}

export function addEngineOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--unknown <policy>', 'what to do at a rule the engine cannot evaluate: stop the trace, or assume match / no-match (always reported)')
        .choices(['stop', 'match', 'no-match'])
        .default('stop'),
    )
    .option('--max-hops <n>', 'stop after this many connections (loop guard)', String(DEFAULT_MAX_HOPS))
    .option('--pick <branch>', 'at -m statistic rules (random endpoint picks): list every alternative (all, default), follow the first, or follow alternative N', 'all')
    .option('--max-steps <n>', `stop a trace after this many rule evaluations, all hops and alternatives together (default ${DEFAULT_MAX_STEPS})`)
    .option('--max-trace-size <mib>', `stop a trace that grows past this many MiB (default ${DEFAULT_MAX_TRACE_BYTES / 1024 / 1024})`);
}

export function addOutputOptions(cmd: Command, formats: string[]): Command {
  return cmd
    .addOption(new Option('--format <format>', 'output format').choices(formats).default(formats[0]))
    .option('--ascii', 'ASCII only: arrows, borders and symbols')
    .option('--no-color', 'no colours (also NO_COLOR, or when output is not a terminal)');
}

export function addBatchOptions(cmd: Command): Command {
  return cmd
    .option('--stats', 'after a run over many flows, print flows/s and how often the trace cache helped (stderr)')
    .option('--cache-size <n>', 'identical flows are traced once: remember this many (0: no cache)', '4096')
    .option('--jobs <n>', 'trace a --flows JSON Lines batch in N worker threads (output order and bytes as with 1)', '1');
}
