/**
 * The CLI shell: parse flags, load the rule source, build flows, trace them,
 * pick a renderer. It never evaluates rules itself.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../core/errors.js';
import { parseAddress } from '../core/net/address.js';
import type { UnknownPolicy } from '../core/netfilter/walk.js';
import type { Trace } from '../core/trace.js';
import { defaultPodConfig, type PodConfig } from '../pod/config.js';
import { resolveFlow, type FlowInput } from '../pod/flow.js';
import { buildPodHost } from '../pod/host.js';
import { inferPod } from '../pod/infer.js';
import { DEFAULT_PROFILE } from '../pod/profiles.js';
import { findScenario, SCENARIOS, type Scenario } from '../pod/scenarios.js';
import { DEFAULT_MAX_HOPS, traceFlow } from '../pod/trace-flow.js';
import { palette } from '../render/colors.js';
import { renderJson } from '../render/json.js';
import { renderPath } from '../render/path.js';
import { renderTable } from '../render/table.js';
import { renderYaml } from '../render/yaml.js';
import { describeError, EXIT_OK, EXIT_USAGE } from './exit.js';
import type { CliIo } from './io.js';
import { listProfiles, loadRuleSource } from './load-rules.js';

export const VERSION = '0.1.0';

interface TraceFlags {
  rules?: string;
  profile?: string;
  listProfiles?: boolean;
  src?: string;
  dst?: string;
  proto: string;
  uid?: string;
  gid?: string;
  groups?: string;
  podIp?: string[];
  via?: string;
  inIface?: string;
  scenario?: string;
  format: string;
  ascii?: boolean;
  color: boolean;
  explain?: boolean;
  unknown: string;
  maxHops: string;
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name}: "${v}" is not a non-negative integer`);
  return Number(v);
}

function podFromFlags(flags: TraceFlags): PodConfig {
  const pod = defaultPodConfig();
  const podIps = flags.podIp ?? [];
  if (podIps.length > 2) throw new UsageError('--pod-ip may be given at most twice (one IPv4, one IPv6)');
  const seen = new Set<string>();
  for (const text of podIps) {
    const a = parseAddress(text);
    if (!a) throw new UsageError(`--pod-ip: "${text}" is not an IP address`);
    if (seen.has(a.family)) throw new UsageError(`--pod-ip: two ${a.family === 'ipv4' ? 'IPv4' : 'IPv6'} addresses given; give one of each family`);
    seen.add(a.family);
    if (a.family === 'ipv4') pod.ipv4 = a;
    else pod.ipv6 = a;
  }
  return pod;
}

function buildProgram(io: CliIo, action: (flags: TraceFlags) => void): Command {
  const program = new Command();
  program
    .name('sidecar-trace')
    .description("Explain how a connection moves through an Istio sidecar pod's iptables, hop by hop, as the Linux kernel does it.")
    .version(VERSION, '-V, --version')
    .option('--rules <file>', 'iptables-save / ip6tables-save output, iptables-restore input, or an istio-init log ("-" for stdin)')
    .option('--profile <name>', `a built-in rule set (default ${DEFAULT_PROFILE}; see --list-profiles)`)
    .option('--list-profiles', 'list the built-in rule sets and exit')
    .option('--src <addr>', 'source IP[:PORT], [IPv6]:PORT, or "pod"; default: the pod, address chosen by routing')
    .option('--dst <addr>', 'destination IP:PORT, [IPv6]:PORT, or pod:PORT')
    .addOption(new Option('--proto <proto>', 'protocol').choices(['tcp', 'udp']).default('tcp'))
    .option('--uid <n>', 'owner uid of the sending socket (default 1000, an application)')
    .option('--gid <n>', 'owner gid of the sending socket (default: the uid)')
    .option('--groups <list>', 'supplementary groups of the sender, comma-separated (for --suppl-groups)')
    .option('--pod-ip <ip>', 'the pod IP (default 10.244.1.5 and fd00:10:244:1::5); give twice for IPv4 and IPv6', collect)
    .option('--via <addr>', 'the endpoint Envoy picks for an outbound connection (default: the original destination)')
    .option('--in-iface <name>', 'interface a remote flow arrives on (default eth0)')
    .option('--scenario <name>', `a built-in blog traffic type: ${SCENARIOS.map((s) => s.name).join(', ')}, 1-6, or all`)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'path', 'json', 'yaml']).default('table'))
    .option('--ascii', 'ASCII arrows and borders only')
    .option('--no-color', 'no colours (also NO_COLOR, or when output is not a terminal)')
    .option('--explain', 'also list the rules that were evaluated and did not match, with the reason')
    .addOption(
      new Option('--unknown <policy>', 'what to do at a rule the engine cannot evaluate: stop the trace, or assume match / no-match (always reported)')
        .choices(['stop', 'match', 'no-match'])
        .default('stop'),
    )
    .option('--max-hops <n>', 'stop after this many connections (loop guard)', String(DEFAULT_MAX_HOPS))
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(() => action(program.opts() as TraceFlags));
  program.addHelpText(
    'after',
    `
Examples:
  sidecar-trace --src 10.244.1.5 --dst 10.244.2.7:9080            app -> remote, through Envoy 15001
  sidecar-trace --src 10.244.2.7 --dst pod:9080                   remote -> app, through Envoy 15006
  sidecar-trace --dst 10.96.0.15:9080 --via pod:9080              app -> a Service whose endpoint is this pod
  sidecar-trace --src 127.0.0.1 --dst 127.0.0.1:15000 --uid 1337  Envoy -> its admin port
  sidecar-trace --scenario all                                    the blog's six traffic types
  iptables-save | sidecar-trace --rules - --dst 10.96.0.10:53 --proto udp

Exit codes: 0 trace printed, 2 bad input or usage (file:line: message), 1 internal error.`,
  );
  return program;
}

export function runTrace(io: CliIo, flags: TraceFlags): Trace[] {
  if (flags.scenario && (flags.src || flags.dst || flags.via)) throw new UsageError('--scenario sets its own addresses: drop --src/--dst/--via, or drop --scenario');
  const ruleset = loadRuleSource(io, flags.rules, flags.profile);
  const base = podFromFlags(flags);
  const uid = intFlag('--uid', flags.uid);
  const gid = intFlag('--gid', flags.gid);
  const { pod, notes } = inferPod(ruleset, base, {});
  const host = buildPodHost(pod);
  const maxHops = intFlag('--max-hops', flags.maxHops)!;
  if (maxHops < 1) throw new UsageError('--max-hops must be at least 1');
  const opts = { unknown: flags.unknown as UnknownPolicy, explain: Boolean(flags.explain), maxHops };
  const groups = flags.groups ? flags.groups.split(',').map((g) => intFlag('--groups', g.trim())!) : undefined;

  let runs: Array<{ input: FlowInput; scenario: Scenario | null }>;
  if (flags.scenario) {
    const scenarios = findScenario(flags.scenario);
    if (!scenarios) throw new UsageError(`unknown scenario "${flags.scenario}": expected ${SCENARIOS.map((s) => s.name).join(', ')}, 1-6, or all`);
    runs = scenarios.flatMap((s) => s.flows.map((f) => ({ input: { ...f, proto: flags.proto === 'tcp' ? f.proto : flags.proto }, scenario: s })));
  } else {
    const input: FlowInput = { proto: flags.proto };
    if (flags.src !== undefined) input.src = flags.src;
    if (flags.dst !== undefined) input.dst = flags.dst;
    if (uid !== undefined) input.uid = uid;
    if (gid !== undefined) input.gid = gid;
    if (groups) input.groups = groups;
    if (flags.via !== undefined) input.via = flags.via;
    if (flags.inIface !== undefined) input.inIface = flags.inIface;
    runs = [{ input, scenario: null }];
  }
  return runs.map(({ input, scenario }) => {
    const trace = traceFlow(ruleset, pod, host, resolveFlow(input, pod), opts, notes);
    if (scenario) {
      trace.scenario = { name: scenario.name, type: scenario.type, blogPath: scenario.blogPath, blogAgrees: scenario.blogAgrees, verdict: scenario.verdict };
    }
    return trace;
  });
}

function render(io: CliIo, flags: TraceFlags, traces: Trace[]): string {
  const colors = palette(flags.color && io.stdoutIsTTY && !io.env.NO_COLOR);
  switch (flags.format) {
    case 'json':
      return renderJson(traces);
    case 'yaml':
      return renderYaml(traces);
    case 'path':
      return renderPath(traces, Boolean(flags.ascii));
    default:
      return renderTable(traces, { colors, ascii: Boolean(flags.ascii), explain: Boolean(flags.explain) });
  }
}

function renderProfiles(io: CliIo): string {
  const lines = listProfiles(io).map((p) => `${p.name}${p.name === DEFAULT_PROFILE ? ' (default)' : ''}\n  ${p.title}\n  versions: ${p.versions}\n  source: ${p.source}`);
  return `${lines.join('\n')}\n`;
}

/** Run the CLI; returns the exit code. */
export function run(argv: string[], io: CliIo): number {
  let code = EXIT_OK;
  const program = buildProgram(io, (flags) => {
    if (flags.listProfiles) {
      io.stdout(renderProfiles(io));
      return;
    }
    io.stdout(render(io, flags, runTrace(io, flags)));
  });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; every other commander complaint is a usage error.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT_OK : EXIT_USAGE;
    }
    const d = describeError(e);
    io.stderr(`${d.message}\n`);
    code = d.code;
  }
  return code;
}
