/**
 * The bytes of a rule source: a file or stdin through the bounded reader, checked and
 * decoded, or a built-in profile's file; istio/rule-source.ts loads the text.
 */
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import { InputError, UsageError } from '../core/errors.js';
import type { RuleSource } from '../istio/rule-source.js';
import type { ValidateMode } from '../sources/rule-text.js';
import { DEFAULT_PROFILE, readProfileHeader, resolveProfileName, type ProfileInfo } from '../istio/profiles.js';
import { concatChunks } from './input-reader.js';
import type { CliIo } from './io.js';

/** Default limits; --max-input-size raises the first. */
export const DEFAULT_MAX_INPUT_MIB = 256;
/** iptables-restore itself refuses longer lines; nothing legitimate comes close. */
export const MAX_LINE_LENGTH = 64 * 1024;

export interface InputLimits {
  maxBytes: number;
}

export const DEFAULT_LIMITS: InputLimits = { maxBytes: DEFAULT_MAX_INPUT_MIB * 1024 * 1024 };

export function decodeInput(buf: Buffer, file: string, limits: InputLimits = DEFAULT_LIMITS): string {
  if (buf.length === 0) throw new InputError('empty input: no iptables rules found', file, null);
  if (buf.length > limits.maxBytes) {
    throw new InputError(
      `input is ${(buf.length / 1024 / 1024).toFixed(1)} MiB, over the ${(limits.maxBytes / 1024 / 1024).toFixed(0)} MiB limit (raise it with --max-input-size MIB)`,
      file,
      null,
    );
  }
  // UTF-16 or binary data is not an iptables dump; say so instead of guessing.
  if (buf.includes(0)) throw new InputError('not an iptables dump (binary data)', file, null);
  // The line-length limit, before any parsing allocates per line: each search jumps to the
  // last newline within the limit, so a dump of short lines takes a few searches, not one a line.
  for (let start = 0; buf.length - start > MAX_LINE_LENGTH; ) {
    const nl = buf.lastIndexOf(10, start + MAX_LINE_LENGTH);
    if (nl < start) {
      const next = buf.indexOf(10, start);
      const end = next < 0 ? buf.length : next;
      let line = 1;
      for (let at = buf.indexOf(10); at >= 0 && at < start; at = buf.indexOf(10, at + 1)) line++;
      throw new InputError(`line is ${end - start} bytes long, over the ${MAX_LINE_LENGTH}-byte limit`, file, line);
    }
    start = nl + 1;
  }
  if (!isUtf8(buf)) throw invalidUtf8(buf, file);
  return buf.toString('utf8');
}

/**
 * Invalid UTF-8 is refused, not replaced: two names differing only in bad bytes would
 * both become U+FFFD and merge (a false "chain loop"). Located at the first bad byte.
 */
export function invalidUtf8(buf: Buffer, file: string): InputError {
  let lineStart = 0;
  let line = 1;
  for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, nl + 1)) {
    if (!isUtf8(buf.subarray(lineStart, nl))) break;
    lineStart = nl + 1;
    line++;
  }
  const rest = buf.subarray(lineStart, (buf.indexOf(10, lineStart) + 1 || buf.length + 1) - 1);
  const column = rest.subarray(0, firstBadByte(rest)).toString('utf8').length + 1;
  return new InputError('invalid UTF-8 (input must be UTF-8 text)', file, line, column);
}

/** Offset of the first byte that does not start or continue a UTF-8 character (lead and continuation bytes only). */
function firstBadByte(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let j = 1; j <= n; j++) if (i + j >= b.length || (b[i + j]! & 0xc0) !== 0x80) return i;
    if (n > 0 && !isUtf8(b.subarray(i, i + n + 1))) return i;
    i += n + 1;
  }
  return 0;
}

/**
 * A user-named input ("-": stdin) read through the one bounded reader, checked and decoded.
 * `empty`: what to say of an empty input that is not a rule file (the default speaks of rules).
 */
export function readInputText(io: CliIo, path: string, what: string, limits: InputLimits = DEFAULT_LIMITS, empty?: string): string {
  const file = path === '-' ? '<stdin>' : path;
  const buf = concatChunks(io.readInput(path, what, file, limits.maxBytes));
  if (buf.length === 0 && empty !== undefined) throw new InputError(empty, file, null);
  return decodeInput(buf, file, limits);
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

/** The rule source --rules FILE ("-": stdin) or --profile NAME names, read (bounded) for istio/rule-source.ts. */
export function ruleSourceOf(
  io: CliIo,
  rules: string | undefined,
  profile: string | undefined,
  limits: InputLimits = DEFAULT_LIMITS,
  validate: ValidateMode = 'auto',
): RuleSource {
  if (rules !== undefined && profile !== undefined) throw new UsageError('--rules and --profile are alternatives: give one');
  if (rules !== undefined) {
    const file = rules === '-' ? '<stdin>' : rules;
    return { kind: 'text', text: readInputText(io, rules, 'rules', limits), file, validate };
  }
  const name = resolveProfileName(profile ?? DEFAULT_PROFILE);
  const known = listProfiles(io).map((p) => p.name);
  if (!known.includes(name)) throw new UsageError(`unknown profile "${profile}": expected one of ${known.join(', ')} (see --list-profiles)`);
  return { kind: 'profile', name, text: io.readFile(join(io.rulesDir, `${name}.rules`)).toString('utf8'), validate };
}
