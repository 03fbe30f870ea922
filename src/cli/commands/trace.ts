/** The default command: trace flows and render them. */
import type { Trace } from '../../core/trace.js';
import { resolveFlow } from '../../pod/flow.js';
import { traceFlow } from '../../pod/trace-flow.js';
import { palette } from '../../render/colors.js';
import { renderDot } from '../../render/dot.js';
import { renderJson, renderJsonLines } from '../../render/json.js';
import { renderMermaid } from '../../render/mermaid.js';
import { renderPath } from '../../render/path.js';
import { renderTable } from '../../render/table.js';
import { renderYaml } from '../../render/yaml.js';
import type { TraceFlags } from '../flags.js';
import type { CliIo } from '../io.js';
import { flowRuns, loadContext, traceOptions } from '../setup.js';

export const TRACE_FORMATS = ['table', 'path', 'json', 'yaml', 'jsonl', 'mermaid', 'dot'];

export function runTrace(io: CliIo, flags: TraceFlags): Trace[] {
  const runs = flowRuns(io, flags);
  const ctx = loadContext(io, flags);
  const opts = traceOptions(flags);
  return runs.map(({ input, scenario }) => {
    const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow(input, ctx.pod), opts, ctx.notes);
    if (scenario) {
      trace.scenario = { name: scenario.name, type: scenario.type, blogPath: scenario.blogPath, blogAgrees: scenario.blogAgrees, verdict: scenario.verdict };
    }
    return trace;
  });
}

export function colorsFor(io: CliIo, flags: { color: boolean }) {
  return palette(flags.color && io.stdoutIsTTY && !io.env.NO_COLOR);
}

export function renderTraces(io: CliIo, flags: TraceFlags, traces: Trace[]): string {
  switch (flags.format) {
    case 'json':
      return renderJson(traces);
    case 'jsonl':
      return renderJsonLines(traces);
    case 'yaml':
      return renderYaml(traces);
    case 'path':
      return renderPath(traces, Boolean(flags.ascii));
    case 'mermaid':
      return renderMermaid(traces);
    case 'dot':
      return renderDot(traces);
    default:
      return renderTable(traces, { colors: colorsFor(io, flags), ascii: Boolean(flags.ascii), explain: Boolean(flags.explain) });
  }
}
