/**
 * What a dump implies about the pod. Istio's TPROXY rules mean the proxy runs
 * as uid 0 / gid 1337, 15006 is a transparent listener and fwmark 1337 is
 * policy-routed to a local table; the capture ports come from the REDIRECTs.
 * Every inference is reported, never silent.
 */
import { targetModuleName } from '../core/ruleset/lazy-rule.js';
import type { Ruleset, Rule } from '../core/ruleset/model.js';
import type { PodConfig } from './config.js';

interface Found {
  table: string;
  chain: string;
  rule: Rule;
}

/**
 * The rules (families, tables, chains and rules in order) whose target is one the inference
 * reads: one pass over the tables those targets are valid in (REDIRECT: nat; TPROXY: mangle).
 */
function telling(ruleset: Ruleset): Found[] {
  const out: Found[] = [];
  for (const fr of Object.values(ruleset.families)) {
    for (const table of fr!.tables.values()) {
      if (table.name !== 'nat' && table.name !== 'mangle') continue;
      for (const chain of table.chains.values()) {
        for (const rule of chain.rules) {
          const name = targetModuleName(rule);
          if (name === 'REDIRECT' || name === 'TPROXY') out.push({ table: table.name, chain: chain.name, rule });
        }
      }
    }
  }
  return out;
}

function targetOption(rule: Rule, re: RegExp): number | null {
  const m = re.exec(rule.text);
  return m ? Number.parseInt(m[1]!, m[1]!.startsWith('0x') ? 16 : 10) : null;
}

export function inferPod(ruleset: Ruleset, base: PodConfig, explicit: { proxyUid?: boolean; proxyGid?: boolean } = {}): { pod: PodConfig; notes: string[] } {
  const pod: PodConfig = { ...base, ports: { ...base.ports } };
  const notes: string[] = [];
  const found = telling(ruleset);
  const findRule = (target: string, test: (f: Found) => boolean = () => true) => found.find((f) => targetModuleName(f.rule) === target && test(f));
  const redirectPort = (chain: string) => {
    const r = findRule('REDIRECT', (x) => x.table === 'nat' && x.chain === chain);
    return r ? targetOption(r.rule, /--to-ports (\d+)/) : null;
  };
  const out = redirectPort('ISTIO_REDIRECT');
  if (out !== null && out !== pod.ports.outbound) {
    notes.push(`ISTIO_REDIRECT redirects to ${out}: Envoy's outbound listener is taken to be ${out}`);
    pod.ports.outbound = out;
  }
  const inbound = redirectPort('ISTIO_IN_REDIRECT');
  if (inbound !== null && inbound !== pod.ports.inbound) {
    notes.push(`ISTIO_IN_REDIRECT redirects to ${inbound}: Envoy's inbound listener is taken to be ${inbound}`);
    pod.ports.inbound = inbound;
  }
  const tproxy = findRule('TPROXY');
  if (tproxy) {
    pod.mode = 'TPROXY';
    const port = targetOption(tproxy.rule, /--on-port (\d+)/);
    if (port) pod.ports.inbound = port;
    const mark = targetOption(tproxy.rule, /--tproxy-mark (0x[0-9a-f]+|\d+)/i);
    if (mark !== null) pod.tproxyMark = mark;
    if (!explicit.proxyUid) pod.proxyUid = 0;
    notes.push(
      `the dump has Istio's TPROXY rule (${tproxy.table} ${tproxy.chain}), so the pod is taken to run in TPROXY mode: the proxy runs as uid ${pod.proxyUid} / gid ${pod.proxyGid}, ${pod.ports.inbound} is a transparent listener, and policy routing sends fwmark ${pod.tproxyMark} to table ${pod.tproxyTable} (local default dev lo)`,
    );
  }
  const dns = findRule('REDIRECT', (x) => /--to-ports 15053\b/.test(x.rule.text));
  if (dns) {
    notes.push(`the dump redirects DNS to ${pod.ports.dns} (${dns.table} ${dns.chain}): pilot-agent's DNS proxy listens on 127.0.0.1:${pod.ports.dns} (udp and tcp) as uid ${pod.proxyUid}`);
  }
  return { pod, notes };
}
