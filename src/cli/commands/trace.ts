/** The default command: trace flows and render them. Renderers load only for the format asked for. */
import type { Trace } from '../../core/trace.js';
import { resolveFlow } from '../../pod/flow.js';
import { traceFlow } from '../../pod/trace-flow.js';
import type { TraceFlags } from '../flags.js';
import type { CliIo } from '../io.js';
import { flowRuns, lazyFor, loadContext, traceOptions } from '../setup.js';

export { TRACE_FORMATS } from '../formats.js';

export async function runTrace(io: CliIo, flags: TraceFlags): Promise<Trace[]> {
  const lazy = await lazyFor(flags);
  const runs = flowRuns(io, flags, lazy);
  const ctx = loadContext(io, flags, lazy);
  const opts = traceOptions(flags);
  return runs.map(({ input, scenario }) => {
    const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow(input, ctx.pod), opts, ctx.notes);
    if (scenario) {
      trace.scenario = { name: scenario.name, type: scenario.type, blogPath: scenario.blogPath, blogAgrees: scenario.blogAgrees, verdict: scenario.verdict };
    }
    return trace;
  });
}

async function lazyColors(io: CliIo, flags: { color: boolean }) {
  return (await import('../colors.js')).colorsFor(io, flags);
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
