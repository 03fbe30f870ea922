/**
 * The CLI shell: commander wiring and the exit-code policy. Commands live in
 * commands/; none of them evaluates rules itself.
 */
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_PROFILE } from '../istio/profiles.js';
import { renderTraces, runTrace, streamTraces } from './commands/trace.js';
import { STREAM_FORMATS } from './formats.js';
import type { CheckFlags } from './commands/check.js';
import type { DiffFlags } from './commands/diff.js';
import { CHECK_FORMATS, DIFF_FORMATS, RULES_FORMATS, TRACE_FORMATS, VERIFY_FORMATS } from './formats.js';
import { describeCommanderError, describeError, EXIT_OK, EXIT_USAGE } from './exit.js';
import { addBatchOptions, addEngineOptions, addFlowOptions, addOutputOptions, addSourceOptions, collect, type TraceFlags } from './flags.js';
import type { CliIo } from './io.js';
import { listProfiles } from './load-rules.js';

export const VERSION = '0.1.0';

export { runTrace };

const EXAMPLES = `
Examples:
  sidecar-trace --src 10.244.1.5 --dst 10.244.2.7:9080            app -> remote, through Envoy 15001
  sidecar-trace --src 10.244.2.7 --dst pod:9080                   remote -> app, through Envoy 15006
  sidecar-trace --dst 10.96.0.15:9080 --via pod:9080              app -> a Service whose endpoint is this pod
  sidecar-trace --src 127.0.0.1 --dst 127.0.0.1:15000 --uid 1337  Envoy -> its admin port
  sidecar-trace --scenario all                                    the blog's six traffic types
  iptables-save | sidecar-trace --rules - --dst 10.96.0.10:53 --proto udp
  sidecar-trace check examples/expectations.yaml --junit report.xml  do the promised paths hold? (CI)
  sidecar-trace diff profile:istio-1.13 profile:istio-1.25        which paths an upgrade changes

Exit codes: 0 trace printed, 2 bad input or usage (file:line: message), 1 internal error.`;

function renderProfiles(io: CliIo): string {
  const lines = listProfiles(io).map((p) => `${p.name}${p.name === DEFAULT_PROFILE ? ' (default)' : ''}\n  ${p.title}\n  versions: ${p.versions}\n  source: ${p.source}`);
  return `${lines.join('\n')}\n`;
}

function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name('sidecar-trace')
    .description("Explain how a connection moves through an Istio sidecar pod's iptables, hop by hop, as the Linux kernel does it.")
    .version(VERSION, '-V, --version')
    // Root flags stay before a subcommand, so `verify --dst …` reaches verify.
    .enablePositionalOptions()
    .exitOverride()
    // Commander's error text is printed by run() in the tool's own one-line form.
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} });
  addSourceOptions(program).option('--list-profiles', 'list the built-in rule sets and exit');
  addFlowOptions(program);
  addOutputOptions(program, TRACE_FORMATS).option('--explain', 'also list the rules that were evaluated and did not match, with the reason');
  addEngineOptions(program);
  addBatchOptions(program);
  program.addHelpText('after', EXAMPLES);
  program.action(async () => {
    const flags = program.opts() as TraceFlags;
    if (flags.listProfiles) {
      io.stdout(renderProfiles(io));
      return;
    }
    if (flags.flows && STREAM_FORMATS.includes(flags.format)) await streamTraces(io, flags);
    else io.stdout(await renderTraces(io, flags, await runTrace(io, flags)));
    setCode(EXIT_OK);
  });
  const verify = program
    .command('verify')
    .description(
      'replay the flow in throwaway network namespaces on this machine\'s kernel and compare its rule steps with the simulation (Linux, root, iproute2, iptables, nftables); exit 0 agree, 1 differ, 2 cannot run',
    );
  addSourceOptions(verify);
  addFlowOptions(verify);
  addOutputOptions(verify, VERIFY_FORMATS);
  addEngineOptions(verify);
  verify.action(async () => setCode(await (await import('./commands/verify.js')).runVerify(io, { ...(verify.opts() as TraceFlags) })));
  const rules = program
    .command('rules')
    .description('print the rules of a source as iptables-save text, or (--format restore) the iptables-restore input istio-iptables would use for the given Istio options');
  addSourceOptions(rules);
  rules.option('--pod-ip <ip>', 'the pod IP; an IPv6 address adds the ip6tables rules', collect);
  rules.addOption(new Option('--format <format>', 'output format').choices(RULES_FORMATS).default('save'));
  rules.action(async () => (await import('./commands/rules.js')).runRules(io, rules.opts() as never));
  const check = program
    .command('check')
    .argument('<file>', 'expectations file (YAML; "-" for stdin): rule source, flows, and what must hold for each')
    .description('check the expected paths of an expectations file (see examples/expectations.yaml); exit 0 all pass, 1 any fails, 2 bad file');
  addOutputOptions(check, CHECK_FORMATS)
    .option('--junit <file>', 'also write the results as JUnit XML to FILE, a regular file, replaced atomically with its owner and mode kept ("-" for stdout; then the report goes to stderr)')
    .option('--ipset <file>', 'the sets of -m set rules: `ipset save` or `ipset list` output (repeatable)', collect);
  addEngineOptions(check);
  check.addHelpText(
    'after',
    `
File format:
  rules:   { profile: NAME } | { file: DUMP } | { istio: { version, installer, annotations, dnsServers, meshConfig, manifest } }
  pod:     { ips: [IP, …] }
  flows:   - name, src, dst, proto, uid, gid, groups, via, inIface (the flow flags), and
             expect: { via, decidedBy, outcome, path, hops }

Exit codes: 0 every expectation holds, 1 some expectation fails, 2 bad file or usage (file:line:column: message).`,
  );
  check.action(async (file: string) => setCode((await import('./commands/check.js')).runCheck(io, file, check.opts() as CheckFlags)));
  const diff = program
    .command('diff')
    .argument('<before>', 'rule source: a dump file, profile:NAME, or istio:VERSION[+KEY=VALUE…] ("-" for stdin)')
    .argument('<after>', 'rule source, as BEFORE')
    .description('trace a matrix of flows through two rule sources and print the flows whose path changed; exit 0 none changed, 1 some changed, 2 bad input');
  diff
    .option('--flows <file>', 'the flows to compare (YAML list or JSON Lines, as for tracing; a check file works too), instead of the built-in matrix')
    .option('--pod-ip <ip>', 'the pod IP (as for tracing; repeatable for IPv4 and IPv6)', collect)
    .option('--annotation <key=value>', 'a pod annotation for both sides (istio:VERSION sources; repeatable)', collect)
    .option('--before-annotation <key=value>', 'a pod annotation for BEFORE only (repeatable)', collect)
    .option('--after-annotation <key=value>', 'a pod annotation for AFTER only (repeatable)', collect)
    .option('--ipset <file>', 'the sets of -m set rules, for both sides: `ipset save` or `ipset list` output (repeatable)', collect);
  addOutputOptions(diff, DIFF_FORMATS);
  addEngineOptions(diff);
  diff.addHelpText(
    'after',
    `
Examples:
  sidecar-trace diff profile:istio-1.13 profile:istio-1.25
  sidecar-trace diff istio:1.25 istio:1.25+traffic.sidecar.istio.io/excludeOutboundPorts=3306
  sidecar-trace diff before.rules after.rules --flows flows.yaml --format json

Built-in matrix: the six blog traffic types; every Istio port inbound and from the pod;
ports 80, 443, 3306, 5432, 6379, 8080, 9080 outbound (tcp, udp), inbound, to localhost,
to the own pod IP and Service-to-self; DNS; IPv4 and IPv6; uid 1000 and 1337.
A flow has changed when its route differs (chains, hooks, listeners, the kind of deciding
rule, the outcome), not merely its rule numbers.

Exit codes: 0 no path changed, 1 some path changed, 2 bad input or usage.`,
  );
  diff.action(async (before: string, after: string) => setCode((await import('./commands/diff.js')).runDiff(io, before, after, diff.opts() as DiffFlags)));
  return program;
}

/** Run the CLI; resolves to the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  if (argv.length === 0) {
    // No arguments: the help, as git prints it, and the usage exit code (1 means an internal error here).
    program.outputHelp();
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; every other commander complaint is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      io.stderr(`${describeCommanderError(e.message)}\n`);
      return EXIT_USAGE;
    }
    const d = describeError(e);
    io.stderr(`${d.message}\n`);
    code = d.code;
  }
  return code;
}
