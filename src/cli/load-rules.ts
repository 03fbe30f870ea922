/** Read a rule source (file, stdin or built-in profile) into a Ruleset. */
import { join } from 'node:path';
import { InputError, UsageError } from '../core/errors.js';
import { extractRuleBlocks } from '../core/ruleset/extract.js';
import { loadBlocks } from '../core/ruleset/load.js';
import type { Ruleset } from '../core/ruleset/model.js';
import { DEFAULT_PROFILE, readProfileHeader, resolveProfileName, type ProfileInfo } from '../pod/profiles.js';
import type { CliIo } from './io.js';

export function decodeInput(buf: Buffer, file: string): string {
  if (buf.length === 0) throw new InputError('empty input: no iptables rules found', file, null);
  // UTF-16 or binary data is not an iptables dump; say so instead of guessing.
  if (buf.includes(0)) throw new InputError('not an iptables dump (binary data)', file, null);
  return buf.toString('utf8');
}

export function parseRulesText(text: string, file: string, sourceName: string): Ruleset {
  const extracted = extractRuleBlocks(text, file);
  return loadBlocks(extracted.blocks, { name: sourceName, format: extracted.format }, file, extracted.notes);
}

export function listProfiles(io: CliIo): ProfileInfo[] {
  return io
    .listDir(io.rulesDir)
    .filter((f) => f.endsWith('.rules'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.rules'.length);
      return readProfileHeader(name, io.readFile(join(io.rulesDir, f)).toString('utf8'));
    });
}

export function loadRuleSource(io: CliIo, rules: string | undefined, profile: string | undefined): Ruleset {
  if (rules !== undefined && profile !== undefined) throw new UsageError('--rules and --profile are alternatives: give one');
  if (rules !== undefined) {
    const file = rules === '-' ? '<stdin>' : rules;
    let buf: Buffer;
    try {
      buf = rules === '-' ? io.readStdin() : io.readFile(rules);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
      throw new InputError(`cannot read rules: ${why}`, file, null);
    }
    return parseRulesText(decodeInput(buf, file), file, file);
  }
  const name = resolveProfileName(profile ?? DEFAULT_PROFILE);
  const known = listProfiles(io).map((p) => p.name);
  if (!known.includes(name)) throw new UsageError(`unknown profile "${profile}": expected one of ${known.join(', ')} (see --list-profiles)`);
  const file = join(io.rulesDir, `${name}.rules`);
  return parseRulesText(io.readFile(file).toString('utf8'), `rules/${name}.rules`, `profile:${name}`);
}
