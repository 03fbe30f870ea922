/** Turn flags into what every command needs: the rule set, the pod model, and the flows. */
import { UsageError } from '../core/errors.js';
import { parseAddress } from '../core/net/address.js';
import type { Host } from '../core/netfilter/host.js';
import type { UnknownPolicy } from '../core/netfilter/walk.js';
import type { Ruleset } from '../core/ruleset/model.js';
import { defaultPodConfig, type PodConfig } from '../pod/config.js';
import type { FlowInput } from '../pod/flow.js';
import { buildPodHost } from '../pod/host.js';
import { inferPod } from '../pod/infer.js';
import { findScenario, SCENARIOS, type Scenario } from '../pod/scenarios.js';
import type { TraceOptions } from '../pod/trace-flow.js';
import { intFlag, type FlowFlags, type OutputFlags, type SourceFlags } from './flags.js';
import { parseFlowsFile } from './flows-file.js';
import type { CliIo } from './io.js';
import { decodeInput, loadRuleSource } from './load-rules.js';

export interface PodContext {
  ruleset: Ruleset;
  pod: PodConfig;
  host: Host;
  /** What the pod model inferred from the rules. */
  notes: string[];
}

export function podFromFlags(flags: FlowFlags): PodConfig {
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

export function podContext(ruleset: Ruleset, base: PodConfig): PodContext {
  const { pod, notes } = inferPod(ruleset, base, {});
  return { ruleset, pod, host: buildPodHost(pod), notes };
}

export function loadContext(io: CliIo, flags: SourceFlags & FlowFlags): PodContext {
  return podContext(loadRuleSource(io, flags.rules, flags.profile), podFromFlags(flags));
}

export function traceOptions(flags: Pick<OutputFlags, 'unknown' | 'maxHops' | 'explain'>): TraceOptions {
  const maxHops = intFlag('--max-hops', flags.maxHops)!;
  if (maxHops < 1) throw new UsageError('--max-hops must be at least 1');
  return { unknown: flags.unknown as UnknownPolicy, explain: Boolean(flags.explain), maxHops };
}

export interface FlowRun {
  input: FlowInput;
  scenario: Scenario | null;
}

/** The flows a command runs: one from the flags, a scenario's, or a --flows file's. */
export function flowRuns(io: CliIo, flags: FlowFlags): FlowRun[] {
  const sources = [flags.scenario ? '--scenario' : null, flags.flows ? '--flows' : null, flags.src || flags.dst || flags.via ? '--src/--dst/--via' : null].filter(Boolean);
  if (sources.length > 1) throw new UsageError(`${sources.join(' and ')} are alternatives: give one`);
  if (flags.scenario) {
    const scenarios = findScenario(flags.scenario);
    if (!scenarios) throw new UsageError(`unknown scenario "${flags.scenario}": expected ${SCENARIOS.map((s) => s.name).join(', ')}, 1-6, or all`);
    return scenarios.flatMap((s) => s.flows.map((f) => ({ input: { ...f, proto: flags.proto === 'tcp' ? f.proto : flags.proto }, scenario: s })));
  }
  if (flags.flows) {
    const file = flags.flows === '-' ? '<stdin>' : flags.flows;
    let buf: Buffer;
    try {
      buf = flags.flows === '-' ? io.readStdin() : io.readFile(flags.flows);
    } catch (e) {
      throw new UsageError(`--flows: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    return parseFlowsFile(decodeInput(buf, file), file).map((f) => ({ input: { proto: 'tcp', ...f.input }, scenario: null }));
  }
  const uid = intFlag('--uid', flags.uid);
  const gid = intFlag('--gid', flags.gid);
  const input: FlowInput = { proto: flags.proto };
  if (flags.src !== undefined) input.src = flags.src;
  if (flags.dst !== undefined) input.dst = flags.dst;
  if (uid !== undefined) input.uid = uid;
  if (gid !== undefined) input.gid = gid;
  if (flags.groups) input.groups = flags.groups.split(',').map((g) => intFlag('--groups', g.trim())!);
  if (flags.via !== undefined) input.via = flags.via;
  if (flags.inIface !== undefined) input.inIface = flags.inIface;
  return [{ input, scenario: null }];
}
