/**
 * Parsing of annotation values (comma lists of ports, CIDRs, interfaces,
 * booleans as Go's strconv.ParseBool reads them). Every error names the
 * annotation and what was expected.
 */
import { UsageError } from '../../core/errors.js';
import { isValidIstioCidr } from './cidr.js';

function items(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function bad(name: string, value: string, expected: string): never {
  throw new UsageError(`annotation ${name}: ${JSON.stringify(value)} is not valid: expected ${expected}`);
}

export function parsePortList(name: string, value: string): number[] {
  return items(value).map((p) => {
    if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) bad(name, value, 'a comma-separated list of ports 1-65535');
    return Number(p);
  });
}

export function parsePortsOrWildcard(name: string, value: string): number[] | '*' {
  return value.trim() === '*' ? '*' : parsePortList(name, value);
}

export function parseCidrList(name: string, value: string): string[] {
  const list = items(value);
  for (const c of list) if (!isValidIstioCidr(c)) bad(name, value, 'a comma-separated list of CIDRs such as 10.0.0.0/8,2001:db8::/32');
  return list;
}

export function parseCidrsOrWildcard(name: string, value: string): string[] | '*' {
  return value.trim() === '*' ? '*' : parseCidrList(name, value);
}

export function parseInterfaces(name: string, value: string): string[] {
  const list = items(value);
  for (const i of list) if (!/^[A-Za-z0-9_.:@+-]{1,15}$/.test(i)) bad(name, value, 'a comma-separated list of interface names (1-15 characters each)');
  return list;
}

export function parseGroups(name: string, value: string): string[] | '*' {
  if (value.trim() === '*') return '*';
  const list = items(value);
  for (const g of list) if (!/^[A-Za-z0-9_.-]+$/.test(g)) bad(name, value, 'a comma-separated list of group names or ids, or "*"');
  return list;
}

export function parsePort0(name: string, value: string): number {
  const t = value.trim();
  if (!/^\d{1,5}$/.test(t) || Number(t) > 65535) bad(name, value, 'a port number 0-65535 (0 disables the status port)');
  return Number(t);
}

/** Go's strconv.ParseBool. */
export function parseGoBool(name: string, value: string): boolean {
  const t = value.trim();
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(t)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(t)) return false;
  return bad(name, value, '"true" or "false"');
}

export function parseMode(name: string, value: string): 'REDIRECT' | 'TPROXY' {
  const t = value.trim();
  if (t === 'REDIRECT' || t === 'TPROXY') return t;
  if (t === 'NONE') {
    throw new UsageError(`annotation ${name}: NONE means no istio-init and no iptables rules at all, so there is nothing to generate; expected REDIRECT or TPROXY`);
  }
  return bad(name, value, 'REDIRECT or TPROXY');
}

/** Levenshtein distance, for "did you mean" hints. */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}
