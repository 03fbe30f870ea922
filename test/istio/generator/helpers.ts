/** Test helpers: restore text as line lists, and the final rule list of a chain after -A/-I. */
import { defaultIstioOptions, generateRules, type IstioOptions, type IstioVersion } from '../../../src/istio/generator/index.js';

/** Lines joined as restore input (trailing newline, as istio-iptables writes it). */
export function lines(...ls: string[]): string {
  return `${ls.join('\n')}\n`;
}

export function opts(version: IstioVersion, patch: Partial<IstioOptions> = {}, installer: 'init' | 'cni' = 'init'): IstioOptions {
  return { ...defaultIstioOptions(version, installer), ...patch };
}

/**
 * The base configuration of Istio's golden tests (capture/run_test.go
 * constructTestConfig, reference §2.1): no inbound ports, no outbound ranges,
 * no exclusions; DNS servers 127.0.0.53 / ::127.0.0.53 when DNS is on.
 */
export function goldenBase(version: IstioVersion, patch: Partial<IstioOptions> = {}): IstioOptions {
  return opts(version, { includeInboundPorts: [], includeOutboundIPRanges: [], excludeInboundPorts: [], dnsServers: ['127.0.0.53'], ...patch });
}

/** Rules of `chain` in `table` after applying the restore input's -A and -I in order (args only, no -A CHAIN). */
export function chainRules(restore: string, table: string, chain: string): string[] {
  let current = '';
  const rules: string[] = [];
  for (const line of restore.split('\n')) {
    const t = /^\* (\S+)$/.exec(line);
    if (t) {
      current = t[1]!;
      continue;
    }
    if (current !== table) continue;
    const a = new RegExp(`^-A ${chain} (.*)$`).exec(line);
    if (a) rules.push(a[1]!);
    const i = new RegExp(`^-I ${chain} (\\d+) (.*)$`).exec(line);
    if (i) rules.splice(Number(i[1]) - 1, 0, i[2]!);
  }
  return rules;
}

export function gen(o: IstioOptions): { v4: string; v6: string | null; ip: string[]; notes: string[] } {
  const r = generateRules(o);
  return { v4: r.restore.ipv4, v6: r.restore.ipv6, ip: r.ipCommands, notes: r.notes };
}
