/** Helpers shared by the batch commands (check, diff): located flow resolution. */
import { InputError, UsageError } from '../core/errors.js';
import type { PodConfig } from '../istio/config.js';
import { resolveFlow, type Flow, type FlowInput } from '../istio/flow.js';

const FLOW_FLAG = /--(src|dst|via|proto|uid|gid|groups|in-iface)\b/g;
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());

/** The flow key a resolveFlow message is about: "--dst: …" → "dst", "--in-iface: …" → "inIface". */
export function flagKey(message: string): string | null {
  const m = new RegExp(FLOW_FLAG.source).exec(message);
  return m ? camel(m[1]!) : null;
}

/** resolveFlow, with its usage errors turned into errors located in the flows file, spelled with the file's keys. */
export function resolveLocated(input: FlowInput, pod: PodConfig, locate: (key: string | null, message: string) => InputError): Flow {
  try {
    return resolveFlow(input, pod);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    throw locate(flagKey(e.message), e.message.replace(FLOW_FLAG, (_, flag: string) => camel(flag)));
  }
}
