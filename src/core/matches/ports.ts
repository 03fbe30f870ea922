/** Port and port-range parsing shared by tcp, udp, multiport and friends. */
import { RuleSyntaxError } from '../errors.js';
import type { Tri } from '../types.js';
import type { ParsedOption } from './define.js';
import { neg, type Neg } from './util.js';

export interface PortRange {
  from: number;
  to: number;
}

/** Well-known service names iptables resolves through /etc/services. */
const SERVICES: Record<string, number> = {
  ssh: 22,
  domain: 53,
  http: 80,
  https: 443,
  mysql: 3306,
  postgresql: 5432,
  smtp: 25,
  ftp: 21,
  telnet: 23,
  ntp: 123,
};

export function parsePort(text: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n <= 65535) return n;
  } else if (SERVICES[text] !== undefined) {
    return SERVICES[text]!;
  }
  throw new RuleSyntaxError(`invalid port "${text}": expected a number 0-65535`);
}

/** `N`, `N:M`, `:M`, `N:` as iptables accepts them. */
export function parsePortRange(text: string): PortRange {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = parsePort(text);
    return { from: p, to: p };
  }
  const a = text.slice(0, colon);
  const b = text.slice(colon + 1);
  const from = a === '' ? 0 : parsePort(a);
  const to = b === '' ? 65535 : parsePort(b);
  if (from > to) throw new RuleSyntaxError(`invalid port range "${text}": start is above end`);
  return { from, to };
}

export function formatPortRange(r: PortRange): string {
  return r.from === r.to ? String(r.from) : `${r.from}:${r.to}`;
}

export function inRange(r: PortRange, port: number): boolean {
  return port >= r.from && port <= r.to;
}

/** The whole port space: iptables-save leaves such an option out (libxt_tcp.t, libxt_udp.t: `--sport :`). */
export function isFullRange(r: PortRange): boolean {
  return r.from === 0 && r.to === 65535;
}

/** A `[!] --sport/--dport` option of tcp/udp. */
export function portOption(o: ParsedOption): Neg<PortRange> {
  if (o.value === null) throw new RuleSyntaxError(`--${o.name} needs a port`);
  return { value: parsePortRange(o.value), invert: o.invert };
}

/** Save text for `[!] --NAME range`, or '' for the full range as tcp/udp save omit it. */
export function savePortOption(name: string, p: Neg<PortRange> | undefined): string {
  if (!p || isFullRange(p.value)) return '';
  return `${neg(p)}--${name} ${formatPortRange(p.value)}`;
}

/** One port test, `(lo <= port <= hi) ^ invert`; a packet without that port never matches. */
export function portTri(p: Neg<PortRange> | undefined, port: number | null): Tri {
  if (!p) return 'yes';
  if (port === null) return 'no';
  return (port >= p.value.from && port <= p.value.to) !== p.invert ? 'yes' : 'no';
}

/** "dport 9080 ∈ 1:1023" style reason for one port test. */
export function explainPort(name: string, p: Neg<PortRange> | undefined, port: number | null): string | null {
  if (!p) return null;
  const inside = port !== null && inRange(p.value, port);
  const range = formatPortRange(p.value);
  const rel = p.value.from === p.value.to ? (inside ? '=' : '≠') : inside ? '∈' : '∉';
  return `${name} ${port ?? 'none'} ${rel} ${range}${p.invert ? ' (negated)' : ''}`;
}
