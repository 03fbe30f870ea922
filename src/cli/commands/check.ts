/**
 * `sidecar-trace check FILE`: trace every flow of an expectations file (format:
 * src/cli/check-file.ts) against the file's rule source and report which
 * expectations hold. Exit 0 all pass, 1 any fails, 2 a bad file.
 * The work is in check-file.ts (parsing), expectations.ts (evaluation) and
 * render/check.ts, render/junit.ts (output); this command wires them.
 */
import { InputError, UsageError } from '../../core/errors.js';
import type { Node, YAMLMap } from 'yaml';
import { traceFlow } from '../../istio/trace-flow.js';
import { renderCheckJson, renderCheckTable, renderCheckYaml } from '../../render/check.js';
import { renderJunit } from '../../render/junit.js';
import { checkOutputPath, writeOutputFile, type OutputTarget } from '../atomic-write.js';
import { resolveLocated } from '../../analysis/batch.js';
import { rulesetView } from '../../core/trace.js';
import { parseCheckFile, type CheckFile } from '../../analysis/check-file.js';
import { EXIT_OK } from '../exit.js';
import { checkReport, flowCheck, type FlowCheck } from '../../analysis/expectations.js';
import type { OutputFlags } from '../flags.js';
import type { CliIo } from '../io.js';
import { DEFAULT_LIMITS, readInputText } from '../load-rules.js';
import { startProgress } from '../progress.js';
import { loadContext, traceOptions, type PodContext } from '../setup.js';
import * as istio from '../istio-source.js';
import { colorsFor } from '../color-policy.js';

export { CHECK_FORMATS } from '../formats.js';
/** Some expectation failed. */
export const EXIT_CHECK_FAILED = 1;

export interface CheckFlags extends OutputFlags {
  junit?: string;
  ipset?: string[];
}

/** Flag names in loadContext's messages, as the check file spells them. */
const FILE_KEYS: Array<[RegExp, string]> = [
  [/--pod-ip\b/g, 'pod.ips'],
  [/--istio-version\b/g, 'rules.istio.version'],
  [/--installer\b/g, 'rules.istio.installer'],
  [/--annotation\b/g, 'rules.istio.annotations'],
  [/--dns-server\b/g, 'rules.istio.dnsServers'],
  [/--mesh-config\b/g, 'rules.istio.meshConfig'],
  [/--pod\b(?!-)/g, 'rules.istio.manifest'],
  [/--interception-mode\b/g, 'rules.interceptionMode'],
  [/--proxy-uid\b/g, 'rules.proxyUid'],
  [/--proxy-gid\b/g, 'rules.proxyGid'],
  [/--proxy-port\b/g, 'rules.proxyPort'],
  [/--inbound-capture-port\b/g, 'rules.inboundCapturePort'],
  [/--profile\b/g, 'rules.profile'],
];

function loadFileContext(io: CliIo, check: CheckFile, ipset: string[] | undefined): PodContext {
  try {
    return loadContext(io, { ...check.source, podIp: check.podIps, ...(ipset ? { ipset } : {}), proto: 'tcp' }, { istio });
  } catch (e) {
    if (e instanceof UsageError) {
      const node = e.message.startsWith('--pod-ip')
        ? check.podNode
        : /^(--)?annotation/.test(e.message) && check.annotationsNode
          ? check.annotationsNode
          : check.sourceNode;
      throw check.at(node, FILE_KEYS.reduce((m, [re, key]) => m.replace(re, key), e.message));
    }
    // A rules file, mesh config or manifest that cannot be read is this file's fault: locate it here.
    if (e instanceof InputError && e.line === null && /^cannot read|^empty input/.test(e.message)) {
      throw check.at(check.sourceNode, `${e.file}: ${e.message}`);
    }
    throw e;
  }
}

function readCheckText(io: CliIo, file: string): string {
  return readInputText(io, file, 'check file', DEFAULT_LIMITS, 'empty check file: expected "flows:" with expectations');
}

/** Where --junit may write: not over the check file, a file it names, or an --ipset file. */
function junitTarget(io: CliIo, file: string, check: CheckFile, ipsets: readonly string[]): OutputTarget {
  const named = [check.source.rules, check.source.pod, check.source.meshConfig].filter((f): f is string => f !== undefined);
  return { flag: '--junit', inputs: [file, ...named, ...ipsets], stdout: io.stdout };
}

export function runCheck(io: CliIo, file: string, flags: CheckFlags): number {
  const name = file === '-' ? '<stdin>' : file;
  const check = parseCheckFile(readCheckText(io, file), name);
  const junit = flags.junit ? { path: flags.junit, target: junitTarget(io, file, check, flags.ipset ?? []) } : null;
  // Refused before any tracing: a bad output path is a usage error, found at once.
  if (junit) checkOutputPath(junit.path, junit.target);
  const opts = traceOptions(flags);
  const ctx = loadFileContext(io, check, flags.ipset);
  const flows: FlowCheck[] = [];
  const progress = startProgress(io, check.flows.length, 'check');
  try {
    check.flows.forEach((f, i) => {
      // Resolved without the name, so the title describes the flow (addresses, uid); the name goes back on for the trace.
      const flow = resolveLocated({ proto: 'tcp', ...f.flow.input, title: undefined }, ctx.pod, (key, message) => {
        const pair = key ? (f.node as YAMLMap).items.find((p) => String((p.key as { value?: unknown }).value) === key) : undefined;
        return check.at((pair?.value as Node | undefined) ?? f.node, message);
      });
      const described = flow.title;
      flow.title = f.flow.input.title ?? described;
      const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, flow, opts, ctx.notes);
      flows.push(flowCheck(f.flow.name, f.flow.line, trace, f.expect, described));
      progress.tick(i + 1);
    });
  } finally {
    progress.stop();
  }
  const report = checkReport(name, rulesetView(ctx.ruleset), flows);
  if (junit) writeOutputFile(junit.path, renderJunit(report, check.name), junit.target);
  // `--junit -` puts the XML on stdout; the report then goes to stderr.
  const out = flags.junit === '-' ? io.stderr : io.stdout;
  switch (flags.format) {
    case 'json':
      out(renderCheckJson(report));
      break;
    case 'yaml':
      out(renderCheckYaml(report));
      break;
    default:
      out(renderCheckTable(report, { colors: colorsFor(io, flags), ascii: Boolean(flags.ascii) }));
  }
  return report.summary.failed ? EXIT_CHECK_FAILED : EXIT_OK;
}
