/** Turn flags into what every command needs: the rule set, the pod model, and the flows. */
import { UsageError } from '../core/errors.js';
import { parseAddress, type Address } from '../core/net/address.js';
import { parseAccountFile, parseNameId } from '../istio/accounts.js';
import { DEFAULT_MAX_STEPS, DEFAULT_MAX_TRACE_BYTES } from '../core/netfilter/budget.js';
import type { UnknownPolicy } from '../core/netfilter/walk.js';
import { defaultPodConfig, type PodConfig } from '../istio/config.js';
import { inboundToLocalhost } from '../istio/envoy.js';
import type { FlowInput } from '../istio/flow.js';
import { podContext, type PodContext, type PodOverrides } from '../istio/pod-context.js';
import { loadRuleSource, type RuleSource } from '../istio/rule-source.js';
import { findScenario, SCENARIOS, type Scenario } from '../istio/scenarios.js';
import type { TraceOptions } from '../istio/trace-flow.js';
import type { ValidateMode } from '../sources/rule-text.js';
import { intFlag, wantsGenerator, type FlowFlags, type OutputFlags, type SourceFlags } from './flags.js';
import type { CliIo } from './io.js';
import { loadIpsetFiles } from './ipset-files.js';
import { DEFAULT_LIMITS, readInputText, ruleSourceOf, type InputLimits } from './load-rules.js';
import type * as IstioSource from './istio-source.js';
import type * as FlowsFile from './flows-file.js';

export type { PodContext, PodOverrides };

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

export function inputLimits(flags: SourceFlags): InputLimits {
  const mib = intFlag('--max-input-size', flags.maxInputSize);
  if (mib === undefined) return DEFAULT_LIMITS;
  if (mib < 1) throw new UsageError('--max-input-size must be at least 1 (MiB)');
  return { maxBytes: mib * 1024 * 1024 };
}

function portFlag(name: string, v: string | undefined): number | undefined {
  const n = intFlag(name, v);
  if (n !== undefined && (n < 1 || n > 65535)) throw new UsageError(`${name}: "${v}" is not a port (1-65535)`);
  return n;
}

/** --iface NAME=ADDR/PREFIX. */
export function parseIfaceFlag(text: string): { name: string; addr: Address; prefix: number } {
  const m = /^([A-Za-z0-9_.:@-]{1,15})=([^/]+)\/(\d{1,3})$/.exec(text);
  const addr = m ? parseAddress(m[2]!) : null;
  const prefix = m ? Number(m[3]) : -1;
  if (!m || !addr || prefix > (addr.family === 'ipv4' ? 32 : 128)) {
    throw new UsageError(`--iface: "${text}" is not NAME=ADDR/PREFIX (e.g. net1=10.0.2.1/24 or net1=fd10:0:2::1/120)`);
  }
  if (m[1] === 'lo' || m[1] === 'eth0') throw new UsageError(`--iface: ${m[1]} is modelled already (eth0's address is --pod-ip)`);
  return { name: m[1]!, addr, prefix };
}

/** --user/--group pairs and --passwd-file/--group-file copies; a pair given on the command line wins over a file. */
function ownerNames(io: CliIo, flags: FlowFlags): PodConfig['owners'] {
  const read = (file: string, kind: 'passwd' | 'group') => parseAccountFile(readInputText(io, file, `${kind} file`, inputLimits(flags as SourceFlags), `empty ${kind} file`), file, kind);
  const users = flags.passwdFile ? read(flags.passwdFile, 'passwd') : new Map<string, number>();
  const groups = flags.groupFile ? read(flags.groupFile, 'group') : new Map<string, number>();
  for (const u of flags.user ?? []) users.set(...parseNameId('--user', u));
  for (const g of flags.group ?? []) groups.set(...parseNameId('--group', g));
  return { users, groups };
}

/**
 * Heavy modules a rule source or flow list may need (the generator and YAML), passed in by
 * callers that have loaded them, so a plain trace never pays for them at start-up.
 */
export interface LazyModules {
  istio?: typeof IstioSource;
  flowsFile?: typeof FlowsFile;
}

/** Load the heavy modules these flags need. */
export async function lazyFor(flags: SourceFlags & Pick<FlowFlags, 'flows'>): Promise<LazyModules> {
  const lazy: LazyModules = {};
  if (wantsGenerator(flags)) lazy.istio = await import('./istio-source.js');
  if (flags.flows) lazy.flowsFile = await import('./flows-file.js');
  return lazy;
}

export function loadContext(io: CliIo, flags: SourceFlags & FlowFlags, lazy: LazyModules = {}): PodContext {
  const base = podFromFlags(flags);
  const overrides: PodOverrides = {};
  if (flags.interceptionMode) {
    const m = flags.interceptionMode.toUpperCase();
    if (m !== 'REDIRECT' && m !== 'TPROXY') throw new UsageError(`--interception-mode: "${flags.interceptionMode}" is not REDIRECT or TPROXY`);
    overrides.mode = m;
  }
  const puid = intFlag('--proxy-uid', flags.proxyUid);
  const pgid = intFlag('--proxy-gid', flags.proxyGid);
  if (puid !== undefined) overrides.proxyUid = puid;
  if (pgid !== undefined) overrides.proxyGid = pgid;
  const pport = portFlag('--proxy-port', flags.proxyPort);
  const iport = portFlag('--inbound-capture-port', flags.inboundCapturePort);
  if (pport !== undefined) overrides.outboundPort = pport;
  if (iport !== undefined) overrides.inboundPort = iport;
  if (flags.iface?.length) overrides.ifaces = flags.iface.map(parseIfaceFlag);
  base.owners = ownerNames(io, flags);
  let source: RuleSource;
  if (wantsGenerator(flags)) {
    if (flags.rules !== undefined || flags.profile !== undefined) {
      throw new UsageError('--rules/--profile and Istio options (--istio-version, --installer, --annotation, --pod, --mesh-config, --dns-server) are alternatives: give one kind');
    }
    if (!lazy.istio) throw new Error('internal: the Istio generator module was not loaded');
    source = lazy.istio.istioSourceOf(io, flags, base.ipv6 !== null);
  } else {
    source = ruleSourceOf(io, flags.rules, flags.profile, inputLimits(flags), (flags.validate ?? 'auto') as ValidateMode);
  }
  const { ruleset, generated, istioMinor } = loadRuleSource(source);
  const extra: string[] = [];
  if (generated) {
    if (generated.manifest) {
      if (!flags.podIp?.length) {
        for (const ip of generated.manifest.podIPs) {
          const a = parseAddress(ip);
          if (a?.family === 'ipv4') base.ipv4 = a;
          else if (a) base.ipv6 = a;
        }
      }
      if (generated.manifest.containerPorts.length) base.declaredPorts = generated.manifest.containerPorts;
    }
    for (const cmd of generated.ipCommands) extra.push(`istio-iptables also runs: ${cmd}`);
  }
  if (inboundToLocalhost(istioMinor)) base.inboundToLocalhost = true;
  const ctx = podContext(ruleset, base, overrides);
  const ipsets = loadIpsetFiles(io, flags.ipset, inputLimits(flags));
  if (ipsets) ctx.host.ipsets = ipsets;
  ctx.notes.push(...extra);
  return ctx;
}

export function traceOptions(flags: Pick<OutputFlags, 'unknown' | 'maxHops' | 'explain' | 'pick' | 'maxSteps' | 'maxTraceSize'>): TraceOptions {
  const maxHops = intFlag('--max-hops', flags.maxHops)!;
  if (maxHops < 1) throw new UsageError('--max-hops must be at least 1');
  const maxSteps = intFlag('--max-steps', flags.maxSteps) ?? DEFAULT_MAX_STEPS;
  if (maxSteps < 1) throw new UsageError('--max-steps must be at least 1');
  const traceMib = intFlag('--max-trace-size', flags.maxTraceSize);
  if (traceMib !== undefined && traceMib < 1) throw new UsageError('--max-trace-size must be at least 1 (MiB)');
  const maxTraceBytes = traceMib === undefined ? DEFAULT_MAX_TRACE_BYTES : traceMib * 1024 * 1024;
  const p = flags.pick ?? 'all';
  let pick: TraceOptions['pick'];
  if (p === 'all' || p === 'first') pick = p;
  else if (/^[1-9]\d*$/.test(p)) pick = Number(p);
  else throw new UsageError(`--pick: "${p}" is not all, first, or an alternative number (1, 2, …)`);
  return { unknown: flags.unknown as UnknownPolicy, explain: Boolean(flags.explain), maxHops, pick, maxSteps, maxTraceBytes };
}

export interface FlowRun {
  input: FlowInput;
  scenario: Scenario | null;
  /** A flow from a file: where its keys are, for errors found when it resolves. */
  locate?: { file: string; at: (key: string | null) => [number, number] };
}

/** --scenario, --flows and --src/--dst/--via are alternatives. */
export function checkFlowSources(flags: FlowFlags): void {
  const sources = [flags.scenario ? '--scenario' : null, flags.flows ? '--flows' : null, flags.src || flags.dst || flags.via ? '--src/--dst/--via' : null].filter(Boolean);
  if (sources.length > 1) throw new UsageError(`${sources.join(' and ')} are alternatives: give one`);
}

/** The flows a command runs: one from the flags, a scenario's, or a --flows file's. */
export function flowRuns(io: CliIo, flags: FlowFlags, lazy: LazyModules = {}): FlowRun[] {
  checkFlowSources(flags);
  if (flags.scenario) {
    const scenarios = findScenario(flags.scenario);
    if (!scenarios) throw new UsageError(`unknown scenario "${flags.scenario}": expected ${SCENARIOS.map((s) => s.name).join(', ')}, 1-6, or all`);
    return scenarios.flatMap((s) => s.flows.map((f) => ({ input: { ...f, proto: flags.proto === 'tcp' ? f.proto : flags.proto }, scenario: s })));
  }
  if (flags.flows) {
    const file = flags.flows === '-' ? '<stdin>' : flags.flows;
    const text = readInputText(io, flags.flows, 'flows', inputLimits(flags as SourceFlags));
    if (!lazy.flowsFile) throw new Error('internal: the flows-file module was not loaded');
    return lazy.flowsFile.parseFlowsFile(text, file).map((f) => ({
      input: { proto: 'tcp', ...f.input },
      scenario: null,
      locate: { file, at: (key) => [f.locate(key).line, f.locate(key).col] },
    }));
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
