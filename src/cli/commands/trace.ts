/** The default command: trace flows and render them. Renderers load only for the format asked for. */
import type { Trace } from '../../core/trace.js';
import { resolveFlow } from '../../istio/flow.js';
import { traceFlow } from '../../istio/trace-flow.js';
import type { TraceFlags } from '../flags.js';
import type { CliIo } from '../io.js';
import { InputError, UsageError } from '../../core/errors.js';
import { boundedChunks, concatChunks } from '../input-reader.js';
import { resolveLocated } from '../../analysis/batch.js';
import { intFlag } from '../flags.js';
import { checkFlowSources, flowRuns, inputLimits, lazyFor, loadContext, traceOptions } from '../setup.js';
import { startProgress } from '../progress.js';
import { TraceCache } from '../../analysis/trace-cache.js';
import { formatStats, runStream, streamRenderer } from '../trace-stream.js';

export { TRACE_FORMATS } from '../formats.js';

export async function runTrace(io: CliIo, flags: TraceFlags): Promise<Trace[]> {
  const lazy = await lazyFor(flags);
  const runs = flowRuns(io, flags, lazy);
  const ctx = loadContext(io, flags, lazy);
  const opts = traceOptions(flags);
  return runs.map(({ input, scenario, locate }) => {
    // A flow from a file: a bad address is that file's line and column, not a flag's.
    const flow = locate ? resolveLocated(input, ctx.pod, (key, message) => new InputError(message, locate.file, ...locate.at(key))) : resolveFlow(input, ctx.pod);
    const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, flow, opts, ctx.notes);
    if (scenario) {
      trace.scenario = { name: scenario.name, type: scenario.type, blogPath: scenario.blogPath, blogAgrees: scenario.blogAgrees, verdict: scenario.verdict };
    }
    return trace;
  });
}

async function lazyColors(io: CliIo, flags: { color: boolean }) {
  return (await import('../color-policy.js')).colorsFor(io, flags);
}

export async function renderTraces(io: CliIo, flags: TraceFlags, traces: Trace[]): Promise<string> {
  switch (flags.format) {
    case 'json':
      return (await import('../../render/json.js')).renderJson(traces);
    case 'jsonl':
      return (await import('../../render/json.js')).renderJsonLines(traces);
    case 'yaml':
      return (await import('../../render/yaml.js')).renderYaml(traces);
    case 'path':
      return (await import('../../render/path.js')).renderPath(traces, Boolean(flags.ascii));
    case 'mermaid':
      return (await import('../../render/mermaid.js')).renderMermaid(traces);
    case 'dot':
      return (await import('../../render/dot.js')).renderDot(traces);
    default: {
      const { renderTable } = await import('../../render/table.js');
      return renderTable(traces, { colors: await lazyColors(io, flags), ascii: Boolean(flags.ascii), explain: Boolean(flags.explain) });
    }
  }
}

/** `--flows FILE` in a format that streams: flow by flow, in constant memory (cli/trace-stream.ts). */
export async function streamTraces(io: CliIo, flags: TraceFlags): Promise<void> {
  checkFlowSources(flags);
  const limits = inputLimits(flags);
  const jobs = intFlag('--jobs', flags.jobs ?? '1')!;
  if (jobs < 1) throw new UsageError('--jobs must be at least 1');
  const parallel = jobs > 1 && io.workerScript !== undefined;
  // Rules on stdin are read once, here, for the workers too (they have no stdin).
  let stdin: Buffer | null = null;
  if (parallel && flags.rules === '-') {
    const bytes = concatChunks(io.readInput('-', 'rules', '<stdin>', limits.maxBytes));
    stdin = bytes;
    const real = io.readInput;
    io = { ...io, readInput: (p, what, label, max) => (p === '-' ? boundedChunks([bytes], label, max) : real(p, what, label, max)) };
  }
  const lazy = await lazyFor(flags);
  const ctx = loadContext(io, flags, lazy);
  const opts = traceOptions(flags);
  const file = flags.flows === '-' ? '<stdin>' : flags.flows!;
  const flows = lazy.flowsFile!.streamFlows(io.readInput(flags.flows!, 'flows', file, limits.maxBytes), file, [], limits);
  const cache = new TraceCache(intFlag('--cache-size', flags.cacheSize ?? '4096'));
  const progress = startProgress(io, null, 'trace');
  const input = { flows, file, ctx, opts, renderer: await streamRenderer(flags.format, Boolean(flags.ascii)), cache, tick: (n: number) => progress.tick(n) };
  try {
    const stats = parallel
      ? await (await import('../trace-pool.js')).runStreamParallel(io, input, jobs, io.workerScript!, { sidecarTraceWorker: true, flags: { ...flags }, stdin, rulesDir: io.rulesDir })
      : runStream(io, input);
    progress.stop();
    if (flags.stats) io.stderr(formatStats(stats));
  } finally {
    progress.stop();
  }
}
