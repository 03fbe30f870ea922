/**
 * `sidecar-trace verify`: replay flows in throwaway network namespaces on the
 * real kernel and compare its rule steps with the simulation, hop by hop.
 * Exit 0 when all agree, 1 when any differs, 2 when a capability is missing.
 */
import { UsageError } from '../../core/errors.js';
import { SCHEMA_VERSION } from '../../core/trace.js';
import { resolveFlow } from '../../istio/flow.js';
import { traceFlow } from '../../istio/trace-flow.js';
import { terminalSafeJson } from '../../render/safe-text.js';
import { renderVerifyTable } from '../../render/verify.js';
import { yamlDoc } from '../../render/yaml.js';
import type { Verification } from '../../verify/compare.js';
import { checkCapabilities } from '../../verify/index.js';
import { verifyTrace } from '../../verify/verify-trace.js';
import { EXIT_INTERNAL, EXIT_OK } from '../exit.js';
import type { TraceFlags } from '../flags.js';
import type { CliIo } from '../io.js';
import { flowRuns, lazyFor, loadContext, traceOptions } from '../setup.js';
import { colorsFor } from '../color-policy.js';

export { VERIFY_FORMATS } from '../formats.js';

export async function runVerify(io: CliIo, flags: TraceFlags): Promise<number> {
  const lazy = await lazyFor(flags);
  const runs = flowRuns(io, flags, lazy);
  const ctx = loadContext(io, flags, lazy);
  const opts = traceOptions({ ...flags, explain: false });
  const caps = checkCapabilities();
  if (!caps.ok) throw new UsageError(`verify cannot run here: ${caps.message}`);
  const results: Verification[] = [];
  for (const { input } of runs) {
    const trace = traceFlow(ctx.ruleset, ctx.pod, ctx.host, resolveFlow(input, ctx.pod), opts, ctx.notes);
    results.push(await verifyTrace(trace, ctx.ruleset, ctx.pod));
  }
  const doc = { schemaVersion: SCHEMA_VERSION, agree: results.every((r) => r.agree), results };
  switch (flags.format) {
    case 'json':
      io.stdout(`${terminalSafeJson(JSON.stringify(doc, null, 2))}\n`);
      break;
    case 'yaml':
      io.stdout(yamlDoc(JSON.parse(JSON.stringify(doc))));
      break;
    default:
      io.stdout(renderVerifyTable(results, colorsFor(io, flags), Boolean(flags.ascii)));
  }
  return doc.agree ? EXIT_OK : EXIT_INTERNAL;
}
