/**
 * ICMP and ICMPv6 type names (the table iptables' libxt_icmp.h carries) and the
 * `--icmp-type`/`--icmpv6-type` parser shared by -m icmp and -m icmp6.
 */
import { RuleSyntaxError } from '../errors.js';
import { parseUInt } from './util.js';

export interface IcmpTypeSpec {
  type: number;
  codeMin: number;
  codeMax: number;
}

type Entry = [name: string, type: number, codeMin: number, codeMax: number];

export const ICMP_NAMES: Entry[] = [
  ['any', 0xff, 0, 0xff],
  ['echo-reply', 0, 0, 0xff],
  ['pong', 0, 0, 0xff],
  ['destination-unreachable', 3, 0, 0xff],
  ['network-unreachable', 3, 0, 0],
  ['host-unreachable', 3, 1, 1],
  ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3],
  ['fragmentation-needed', 3, 4, 4],
  ['source-route-failed', 3, 5, 5],
  ['network-unknown', 3, 6, 6],
  ['host-unknown', 3, 7, 7],
  ['network-prohibited', 3, 9, 9],
  ['host-prohibited', 3, 10, 10],
  ['TOS-network-unreachable', 3, 11, 11],
  ['TOS-host-unreachable', 3, 12, 12],
  ['communication-prohibited', 3, 13, 13],
  ['host-precedence-violation', 3, 14, 14],
  ['precedence-cutoff', 3, 15, 15],
  ['source-quench', 4, 0, 0xff],
  ['redirect', 5, 0, 0xff],
  ['network-redirect', 5, 0, 0],
  ['host-redirect', 5, 1, 1],
  ['TOS-network-redirect', 5, 2, 2],
  ['TOS-host-redirect', 5, 3, 3],
  ['echo-request', 8, 0, 0xff],
  ['ping', 8, 0, 0xff],
  ['router-advertisement', 9, 0, 0xff],
  ['router-solicitation', 10, 0, 0xff],
  ['time-exceeded', 11, 0, 0xff],
  ['ttl-exceeded', 11, 0, 0xff],
  ['ttl-zero-during-transit', 11, 0, 0],
  ['ttl-zero-during-reassembly', 11, 1, 1],
  ['parameter-problem', 12, 0, 0xff],
  ['ip-header-bad', 12, 0, 0],
  ['required-option-missing', 12, 1, 1],
  ['timestamp-request', 13, 0, 0xff],
  ['timestamp-reply', 14, 0, 0xff],
  ['address-mask-request', 17, 0, 0xff],
  ['address-mask-reply', 18, 0, 0xff],
];

export const ICMPV6_NAMES: Entry[] = [
  ['destination-unreachable', 1, 0, 0xff],
  ['no-route', 1, 0, 0],
  ['communication-prohibited', 1, 1, 1],
  ['beyond-scope', 1, 2, 2],
  ['address-unreachable', 1, 3, 3],
  ['port-unreachable', 1, 4, 4],
  ['failed-policy', 1, 5, 5],
  ['reject-route', 1, 6, 6],
  ['packet-too-big', 2, 0, 0xff],
  ['time-exceeded', 3, 0, 0xff],
  ['ttl-exceeded', 3, 0, 0xff],
  ['ttl-zero-during-transit', 3, 0, 0],
  ['ttl-zero-during-reassembly', 3, 1, 1],
  ['parameter-problem', 4, 0, 0xff],
  ['bad-header', 4, 0, 0],
  ['unknown-header-type', 4, 1, 1],
  ['unknown-option', 4, 2, 2],
  ['echo-request', 128, 0, 0xff],
  ['ping', 128, 0, 0xff],
  ['echo-reply', 129, 0, 0xff],
  ['pong', 129, 0, 0xff],
  ['router-solicitation', 133, 0, 0xff],
  ['router-advertisement', 134, 0, 0xff],
  ['neighbour-solicitation', 135, 0, 0xff],
  ['neighbor-solicitation', 135, 0, 0xff],
  ['neighbour-advertisement', 136, 0, 0xff],
  ['neighbor-advertisement', 136, 0, 0xff],
  ['redirect', 137, 0, 0xff],
];

/**
 * Parse a type argument as iptables does: first a case-insensitive name or unique
 * name prefix (two candidates = "ambiguous"), else `type[/code]` numbers (code may be
 * a range `min:max`), each 0-255.
 */
export function parseIcmpType(module: string, option: string, text: string, names: Entry[]): IcmpTypeSpec {
  const lower = text.toLowerCase();
  let hit: Entry | undefined;
  if (lower !== '') {
    for (const e of names) {
      if (!e[0].toLowerCase().startsWith(lower)) continue;
      if (hit) throw new RuleSyntaxError(`${module}: ambiguous --${option} "${text}": "${hit[0]}" or "${e[0]}"?`);
      hit = e;
    }
  }
  if (hit) return { type: hit[1], codeMin: hit[2], codeMax: hit[3] };
  const slash = text.indexOf('/');
  const type = parseUInt(slash < 0 ? text : text.slice(0, slash), 255);
  if (type === null) throw new RuleSyntaxError(`${module}: invalid --${option} "${text}" (a type name, or type[/code] as numbers 0-255)`);
  if (slash < 0) return { type, codeMin: 0, codeMax: 0xff };
  const codeText = text.slice(slash + 1);
  const colon = codeText.indexOf(':');
  const codeMin = parseUInt(colon < 0 ? codeText : codeText.slice(0, colon), 255);
  const codeMax = colon < 0 ? codeMin : parseUInt(codeText.slice(colon + 1), 255);
  if (codeMin === null || codeMax === null || codeMin > codeMax) {
    throw new RuleSyntaxError(`${module}: invalid code in --${option} "${text}" (0-255, or min:max)`);
  }
  return { type, codeMin, codeMax };
}

/** Name of an exact table entry, for explanations. */
export function icmpTypeName(spec: IcmpTypeSpec, names: Entry[]): string | null {
  const e = names.find((n) => n[1] === spec.type && n[2] === spec.codeMin && n[3] === spec.codeMax);
  return e ? e[0] : null;
}

/** Save text after the option: the type number, plus `/codeMin` unless the code range is 0-255 (icmp_save). */
export function formatIcmpType(spec: IcmpTypeSpec): string {
  return spec.codeMin !== 0 || spec.codeMax !== 0xff ? `${spec.type}/${spec.codeMin}` : String(spec.type);
}
