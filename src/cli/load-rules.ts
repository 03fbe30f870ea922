/** Read a rule source (file, stdin or built-in profile) into a Ruleset. */
import { isUtf8 } from 'node:buffer';
import { join } from 'node:path';
import { InputError, UsageError } from '../core/errors.js';
import { checkNotBinary, extractRuleBlocks } from '../sources/extract.js';
import { loadPlainSave } from '../sources/iptables/fast/one-pass-load.js';
import { loadBlocks } from '../sources/iptables/load.js';
import type { Ruleset, SourceSetting } from '../core/ruleset/model.js';
import { refuseAmbient, refuseNftables } from '../sources/unmodelled.js';
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

/**
 * When rules are parsed: `all` at load, as iptables-restore checks them; `reached` when a
 * flow first reaches them (the load still checks every line's operation, chain and jump);
 * `auto` is `all` up to LAZY_MIN_LINES lines of rules, `reached` above (node dumps).
 */
export type ValidateMode = 'all' | 'reached' | 'auto';
export const VALIDATE_MODES: readonly ValidateMode[] = ['all', 'reached', 'auto'];

/** A pod's rules are tens to hundreds of lines; node dumps run to tens of thousands. */
export const LAZY_MIN_LINES = 2000;

/**
 * `builtin`: a profile of rules/, which the test suite loads with every rule checked; it is
 * loaded lazily whatever its size (a start-up of one trace reads only the rules it reaches).
 */
export function parseRulesText(text: string, file: string, sourceName: string, validate: ValidateMode = 'auto', builtin = false): Ruleset {
  const rs = readRulesText(text, file, sourceName, validate, builtin);
  // Ambient in-pod rules are refused before any trace (nftables input, before it is read as iptables).
  if (!builtin) refuseAmbient(rs, file);
  return rs;
}

function readRulesText(text: string, file: string, sourceName: string, validate: ValidateMode, builtin: boolean): Ruleset {
  const lazy = validate === 'reached' || (validate === 'auto' && (builtin || lineCountAbove(text, LAZY_MIN_LINES)));
  if (!lazy) {
    if (!builtin) refuseNftables(text, file);
    const extracted = extractRuleBlocks(text, file);
    return withSettings(loadBlocks(extracted.blocks, { name: sourceName, format: extracted.format }, file, extracted.notes), extracted.settings);
  }
  const notes = builtin
    ? []
    : ['a large rule set: each rule is parsed and checked when a flow first reaches it (--validate all checks every rule at load, as iptables-restore does)'];
  checkNotBinary(text, file);
  const plain = loadPlainSave(text, file, { name: sourceName, format: 'iptables-save' }, notes);
  if (plain !== null) return plain;
  // A plain save (above) cannot be nftables: only other text pays for the look.
  if (!builtin) refuseNftables(text, file);
  const extracted = extractRuleBlocks(text, file, { binaryChecked: true });
  return withSettings(loadBlocks(extracted.blocks, { name: sourceName, format: extracted.format }, file, [...extracted.notes, ...notes], { lazy }), extracted.settings);
}

/** A log's banner settings on the rule set, for the proxy identity inference above. */
function withSettings(rs: Ruleset, settings: readonly SourceSetting[]): Ruleset {
  if (settings.length > 0) rs.settings = settings;
  return rs;
}

function lineCountAbove(text: string, limit: number): boolean {
  let at = -1;
  for (let k = 0; k <= limit; k++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) return false;
  }
  return true;
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

export function loadRuleSource(
  io: CliIo,
  rules: string | undefined,
  profile: string | undefined,
  limits: InputLimits = DEFAULT_LIMITS,
  validate: ValidateMode = 'auto',
): Ruleset {
  if (rules !== undefined && profile !== undefined) throw new UsageError('--rules and --profile are alternatives: give one');
  if (rules !== undefined) {
    const file = rules === '-' ? '<stdin>' : rules;
    return parseRulesText(readInputText(io, rules, 'rules', limits), file, file, validate);
  }
  const name = resolveProfileName(profile ?? DEFAULT_PROFILE);
  const known = listProfiles(io).map((p) => p.name);
  if (!known.includes(name)) throw new UsageError(`unknown profile "${profile}": expected one of ${known.join(', ')} (see --list-profiles)`);
  const file = join(io.rulesDir, `${name}.rules`);
  return parseRulesText(io.readFile(file).toString('utf8'), `rules/${name}.rules`, `profile:${name}`, validate, true);
}
