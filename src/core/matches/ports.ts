/** Port and port-range parsing shared by tcp, udp, multiport and friends. */
import { RuleSyntaxError } from '../errors.js';

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
