/** Read the --ipset files (`ipset save` or `ipset list` output) for `-m set` rules. */
import { InputError } from '../core/errors.js';
import { parseIpsets, type IpSet, type IpSets } from '../core/net/ipset.js';
import type { CliIo } from './io.js';
import { DEFAULT_LIMITS, readInputText, type InputLimits } from './load-rules.js';

export function loadIpsetFiles(io: CliIo, files: readonly string[] | undefined, limits: InputLimits = DEFAULT_LIMITS): IpSets | undefined {
  if (!files?.length) return undefined;
  const all = new Map<string, IpSet & { file: string }>();
  for (const path of files) {
    const file = path === '-' ? '<stdin>' : path;
    const text = readInputText(io, path, 'ipset file', limits, 'empty ipset file: expected `ipset save` or `ipset list` output');
    for (const [name, set] of parseIpsets(text, file)) {
      const before = all.get(name);
      if (before) throw new InputError(`ipset ${name} is also defined in ${before.file} (line ${before.line})`, file, set.line);
      all.set(name, { ...set, file });
    }
  }
  return all;
}
