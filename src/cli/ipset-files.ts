/** Read the --ipset files (`ipset save` or `ipset list` output) for `-m set` rules. */
import { InputError } from '../core/errors.js';
import { parseIpsets, type IpSet, type IpSets } from '../core/net/ipset.js';
import type { CliIo } from './io.js';
import { decodeInput } from './load-rules.js';

export function loadIpsetFiles(io: CliIo, files: readonly string[] | undefined): IpSets | undefined {
  if (!files?.length) return undefined;
  const all = new Map<string, IpSet & { file: string }>();
  for (const path of files) {
    const file = path === '-' ? '<stdin>' : path;
    let buf: Buffer;
    try {
      buf = path === '-' ? io.readStdin() : io.readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
      throw new InputError(`cannot read ipset file: ${why}`, file, null);
    }
    if (buf.length === 0) throw new InputError('empty ipset file: expected `ipset save` or `ipset list` output', file, null);
    for (const [name, set] of parseIpsets(decodeInput(buf, file), file)) {
      const before = all.get(name);
      if (before) throw new InputError(`ipset ${name} is also defined in ${before.file} (line ${before.line})`, file, set.line);
      all.set(name, { ...set, file });
    }
  }
  return all;
}
