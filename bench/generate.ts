/**
 * Synthetic node dumps of realistic shape, as `iptables-save` prints them on a
 * Kubernetes node: kube-proxy (iptables mode) for most of the rules, plus
 * Calico-like per-pod filter chains and Docker's bridge rules.
 *
 * kube-proxy, per Service port:
 * - nat KUBE-SERVICES: one `-d VIP/32 -p tcp -m comment --comment "ns/svc:port cluster IP" -m tcp --dport P -j KUBE-SVC-…` rule;
 * - nat KUBE-SVC-…: the `! -s PODCIDR … -j KUBE-MARK-MASQ` rule, then one rule per endpoint, all but the last with
 *   `-m statistic --mode random --probability 1/(n-i)`;
 * - nat KUBE-SEP-…: `-s EP/32 -j KUBE-MARK-MASQ` and `-p tcp -m tcp -j DNAT --to-destination EP:PORT`;
 * - NodePort Services: KUBE-NODEPORTS and KUBE-EXT-… chains; Services without endpoints: a filter REJECT;
 * - the fixed part: KUBE-MARK-MASQ (`MARK --set-xmark 0x4000/0x4000`), KUBE-POSTROUTING (mark test, MASQUERADE
 *   --random-fully), `-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`, KUBE-FORWARD with `-m conntrack --ctstate`.
 *
 * Deterministic: the same options give the same text, byte for byte.
 */
import { createHash } from 'node:crypto';

export interface GenerateOptions {
  /** Approximate number of rules (`-A` lines); the result is within a few rules of it. */
  rules: number;
  /** Seed of the pseudo-random shape (endpoint counts, ports, NodePorts). */
  seed?: number;
}

export interface ServicePort {
  namespace: string;
  name: string;
  portName: string;
  proto: 'tcp' | 'udp';
  vip: string;
  port: number;
  endpoints: string[];
  nodePort: number | null;
}

export interface GeneratedDump {
  text: string;
  /** Number of `-A` lines. */
  ruleCount: number;
  services: ServicePort[];
}

/** mulberry32: small, fast, good enough for shapes (the tests' mutations use it too). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** kube-proxy's chain suffix: the first 16 base32 characters of a SHA-256 of the name. */
function chainHash(name: string): string {
  const h = createHash('sha256').update(name).digest();
  let out = '';
  let bits = 0;
  let value = 0;
  for (let i = 0; out.length < 16; i++) {
    value = (value << 8) | h[i]!;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** iptables-save's text of a probability: kernel stores round(p * 2^31), printed with 11 decimals. */
function probabilityText(p: number): string {
  const scaled = Math.round(p * 0x80000000);
  return (scaled / 0x80000000).toFixed(11);
}

function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const SERVICE_CIDR = (10 << 24) | (96 << 16); // 10.96.0.0/12
const POD_CIDR = (10 << 24) | (244 << 16); // 10.244.0.0/16
const PORTS: Array<[string, 'tcp' | 'udp', number, number]> = [
  ['http', 'tcp', 80, 8080],
  ['https', 'tcp', 443, 8443],
  ['grpc', 'tcp', 9090, 9090],
  ['metrics', 'tcp', 9100, 9100],
  ['dns', 'udp', 53, 53],
  ['dns-tcp', 'tcp', 53, 53],
  ['redis', 'tcp', 6379, 6379],
  ['pg', 'tcp', 5432, 5432],
];

function endpointCount(r: () => number): number {
  const x = r();
  if (x < 0.08) return 0;
  if (x < 0.4) return 1;
  if (x < 0.62) return 2;
  if (x < 0.8) return 3;
  if (x < 0.93) return 2 + Math.floor(r() * 6);
  return 8 + Math.floor(r() * 12);
}

/** Rules one Service port adds (kube-proxy part only). */
function rulesFor(s: ServicePort): number {
  const e = s.endpoints.length;
  if (e === 0) return 1 + (s.nodePort !== null ? 1 : 0); // filter REJECTs
  return 1 + 1 + e + 2 * e + (s.nodePort !== null ? 3 : 0);
}

/**
 * A table's lines as iptables-save prints them: the chain declarations, then each chain's
 * rules together, chains in the order they were declared (rules keep their order).
 */
function inSaveOrder(lines: string[]): string[] {
  const decls = lines.filter((l) => l.startsWith(':'));
  const byChain = new Map<string, string[]>(decls.map((d) => [d.slice(1, d.indexOf(' ')), []]));
  for (const l of lines) if (l.startsWith('-A ')) byChain.get(l.slice(3, l.indexOf(' ', 3)))!.push(l);
  return [...decls, ...[...byChain.values()].flat()];
}

export function generateKubeProxyDump(opts: GenerateOptions): GeneratedDump {
  const r = rng(opts.seed ?? 1);
  const target = Math.max(opts.rules, 60);

  // Fixed parts: kube-proxy's skeleton, Docker's bridge, a few host rules (counted below).
  const FIXED = 40;
  // Calico-like per-pod chains take about 10 % of the rules, 7 rules per pod (2 chains).
  const calicoPods = Math.floor((target * 0.1) / 7);
  let budget = target - FIXED - calicoPods * 7;

  const services: ServicePort[] = [];
  let vip = SERVICE_CIDR + 1;
  let podIp = POD_CIDR + 2;
  let nodePort = 30000;
  for (let svc = 0; budget > 0; svc++) {
    const ns = `ns${svc % 97}`;
    const name = `svc${svc}`;
    const nPorts = r() < 0.75 ? 1 : 2 + Math.floor(r() * 2);
    const e = endpointCount(r);
    const eps: number[] = [];
    for (let k = 0; k < e; k++) {
      // Skip .0 and .255 so every endpoint is a plausible pod address.
      while ((podIp & 255) === 0 || (podIp & 255) === 255) podIp++;
      eps.push(podIp++);
    }
    const hasNodePort = r() < 0.15;
    const first = Math.floor(r() * PORTS.length);
    const address = ipv4(vip++);
    for (let p = 0; p < nPorts && budget > 0; p++) {
      const [portName, proto, port, targetPort] = PORTS[(first + p) % PORTS.length]!;
      const s: ServicePort = {
        namespace: ns,
        name,
        portName,
        proto,
        vip: address,
        port,
        endpoints: eps.map((ip) => `${ipv4(ip)}:${targetPort}`),
        nodePort: hasNodePort ? nodePort++ : null,
      };
      services.push(s);
      budget -= rulesFor(s);
    }
  }

  const nat: string[] = [];
  const natChains: string[] = [];
  const filter: string[] = [];
  const filterSvc: string[] = [];
  const filterExt: string[] = [];
  const filterChains: string[] = [];
  const svcRules: string[] = [];
  const nodePortRules: string[] = [];

  for (const s of services) {
    const id = `${s.namespace}/${s.name}:${s.portName}`;
    const svcChain = `KUBE-SVC-${chainHash(`${id}${s.proto}`)}`;
    const extChain = `KUBE-EXT-${chainHash(`${id}${s.proto}`)}`;
    const portMatch = `-p ${s.proto} -m comment --comment "${id} cluster IP" -m ${s.proto} --dport ${s.port}`;
    if (s.endpoints.length === 0) {
      filterSvc.push(`-A KUBE-SERVICES -d ${s.vip}/32 -p ${s.proto} -m comment --comment "${id} has no endpoints" -m ${s.proto} --dport ${s.port} -j REJECT --reject-with icmp-port-unreachable`);
      if (s.nodePort !== null) {
        filterExt.push(`-A KUBE-EXTERNAL-SERVICES -p ${s.proto} -m comment --comment "${id} has no endpoints" -m addrtype --dst-type LOCAL -m ${s.proto} --dport ${s.nodePort} -j REJECT --reject-with icmp-port-unreachable`);
      }
      continue;
    }
    natChains.push(svcChain);
    svcRules.push(`-A KUBE-SERVICES -d ${s.vip}/32 ${portMatch} -j ${svcChain}`);
    nat.push(`-A ${svcChain} ! -s 10.244.0.0/16 -d ${s.vip}/32 ${portMatch} -j KUBE-MARK-MASQ`);
    const n = s.endpoints.length;
    const seps: string[] = [];
    s.endpoints.forEach((ep, i) => {
      const sep = `KUBE-SEP-${chainHash(`${id}${s.proto}${ep}`)}`;
      seps.push(sep);
      natChains.push(sep);
      const pick = i < n - 1 ? ` -m statistic --mode random --probability ${probabilityText(1 / (n - i))}` : '';
      nat.push(`-A ${svcChain} -m comment --comment "${id} -> ${ep}"${pick} -j ${sep}`);
    });
    s.endpoints.forEach((ep, i) => {
      const sep = seps[i]!;
      const ip = ep.slice(0, ep.indexOf(':'));
      nat.push(`-A ${sep} -s ${ip}/32 -m comment --comment "${id}" -j KUBE-MARK-MASQ`);
      nat.push(`-A ${sep} -p ${s.proto} -m comment --comment "${id}" -m ${s.proto} -j DNAT --to-destination ${ep}`);
    });
    if (s.nodePort !== null) {
      natChains.push(extChain);
      nodePortRules.push(`-A KUBE-NODEPORTS -p ${s.proto} -m comment --comment "${id}" -m ${s.proto} --dport ${s.nodePort} -j ${extChain}`);
      nat.push(`-A ${extChain} -m comment --comment "masquerade traffic for ${id} external destinations" -j KUBE-MARK-MASQ`);
      nat.push(`-A ${extChain} -j ${svcChain}`);
    }
  }

  // Calico-like workload chains: from-workload / to-workload per pod.
  const caliFwd: string[] = [];
  for (let p = 0; p < calicoPods; p++) {
    const iface = `cali${chainHash(`pod${p}`).toLowerCase().slice(0, 11)}`;
    const fw = `cali-fw-${iface}`;
    const tw = `cali-tw-${iface}`;
    filterChains.push(fw, tw);
    caliFwd.push(`-A cali-FORWARD -i ${iface} -m comment --comment "cali:${chainHash(`fw${p}`).slice(0, 16)}" -g ${fw}`);
    filter.push(`-A ${fw} -m comment --comment "cali:${chainHash(`a${p}`).slice(0, 16)}" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
    filter.push(`-A ${fw} -m comment --comment "cali:${chainHash(`b${p}`).slice(0, 16)}" -m conntrack --ctstate INVALID -j DROP`);
    filter.push(`-A ${fw} -m comment --comment "cali:${chainHash(`c${p}`).slice(0, 16)}" -j MARK --set-xmark 0x0/0x10000`);
    filter.push(`-A ${tw} -m comment --comment "cali:${chainHash(`d${p}`).slice(0, 16)}" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
    filter.push(`-A ${tw} -p tcp -m comment --comment "cali:${chainHash(`e${p}`).slice(0, 16)}" -m multiport --dports 8080,8443,9090 -j ACCEPT`);
    filter.push(`-A ${tw} -m comment --comment "cali:${chainHash(`f${p}`).slice(0, 16)}" -m mark --mark 0x10000/0x10000 -j RETURN`);
  }

  const out: string[] = [];
  let tableStart = 0;
  const head = (t: string) => {
    out.push('# Generated by iptables-save v1.8.9 (nf_tables) on Thu Nov 26 14:38:00 2026', `*${t}`);
    tableStart = out.length;
  };
  const tail = () => {
    const ordered = inSaveOrder(out.slice(tableStart));
    out.length = tableStart;
    for (const l of ordered) out.push(l);
    out.push('COMMIT', '# Completed on Thu Nov 26 14:38:00 2026');
  };

  head('filter');
  out.push(':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]');
  const filterUser = ['DOCKER', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-USER', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FIREWALL', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-SERVICES', 'cali-FORWARD', ...filterChains];
  for (const c of [...filterUser].sort()) out.push(`:${c} - [0:0]`);
  out.push(
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A INPUT -j KUBE-FIREWALL',
    '-A FORWARD -m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
    '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A FORWARD -o docker0 -j DOCKER',
    '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT',
    '-A FORWARD -i docker0 -o docker0 -j ACCEPT',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -j KUBE-FIREWALL',
    '-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT',
    '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    '-A DOCKER-USER -j RETURN',
    '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  out.push(...caliFwd);
  out.push('-A cali-FORWARD -m comment --comment "cali:S93hcgKJrXEqnTfs" -m mark --mark 0x10000/0x10000 -j ACCEPT');
  out.push(...filterExt, ...filterSvc, ...filter);
  tail();

  head('nat');
  out.push(':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]');
  const natUser = ['DOCKER', 'KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-SERVICES', ...natChains];
  for (const c of [...natUser].sort()) out.push(`:${c} - [0:0]`);
  out.push(
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
    '-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE',
    '-A DOCKER -i docker0 -j RETURN',
    '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80',
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  );
  out.push(...nodePortRules);
  out.push(...nat);
  out.push(...svcRules);
  out.push('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
  tail();

  const text = `${out.join('\n')}\n`;
  let ruleCount = 0;
  for (const l of out) if (l.startsWith('-A ')) ruleCount++;
  return { text, ruleCount, services };
}
