/** The pod network namespace as a Host: eth0 + lo (+ the interfaces the rules name), default routes, TPROXY policy routing. */
import { parseCidr } from '../core/net/address.js';
import type { Host } from '../core/netfilter/host-model.js';
import type { Interface, PolicyRule, Route } from '../core/netfilter/routing.js';
import type { PodConfig } from './config.js';
import { appListener, podListeners } from './listeners.js';

export function buildPodHost(pod: PodConfig): Host {
  const eth0: Interface = { name: 'eth0', addrs: [{ addr: pod.ipv4, prefix: pod.prefix4 }] };
  if (pod.ipv6) eth0.addrs.push({ addr: pod.ipv6, prefix: pod.prefix6 });
  const lo: Interface = { name: 'lo', addrs: [{ addr: parseCidr('127.0.0.1')!.base, prefix: 8 }, { addr: parseCidr('::1')!.base, prefix: 128 }] };
  // istio-iptables adds ::6/128 to lo for the IPv6 inbound passthrough bind.
  if (pod.ipv6) lo.addrs.push({ addr: pod.inboundBind6, prefix: 128 });

  const main: Route[] = [
    { dst: parseCidr(`${pod.ipv4.text}/${pod.prefix4}`)!, type: 'unicast', dev: 'eth0', via: null },
    { dst: parseCidr('0.0.0.0/0')!, type: 'unicast', dev: 'eth0', via: pod.gateway4 },
  ];
  if (pod.ipv6) {
    main.push({ dst: parseCidr(`${pod.ipv6.text}/${pod.prefix6}`)!, type: 'unicast', dev: 'eth0', via: null });
    main.push({ dst: parseCidr('::/0')!, type: 'unicast', dev: 'eth0', via: pod.gateway6 });
  }
  // Interfaces the rules name (virtual interfaces, excluded NICs): each address brings its connected route.
  const extra: Interface[] = pod.extraInterfaces.map((i) => ({ name: i.name, addrs: i.addrs.map((a) => ({ ...a })) }));
  for (const i of pod.extraInterfaces) {
    for (const a of i.addrs) main.push({ dst: parseCidr(`${a.addr.text}/${a.prefix}`)!, type: 'unicast', dev: i.name, via: null });
  }
  const tables: Record<string, Route[]> = { main };
  const rules: PolicyRule[] = [];
  if (pod.mode === 'TPROXY') {
    // ip rule add fwmark 1337 lookup 133; ip route add local default dev lo table 133 (both families)
    const t = String(pod.tproxyTable);
    tables[t] = [
      { dst: parseCidr('0.0.0.0/0')!, type: 'local', dev: 'lo', via: null },
      { dst: parseCidr('::/0')!, type: 'local', dev: 'lo', via: null },
    ];
    rules.push({ priority: 32765, fwmark: { value: pod.tproxyMark, mask: 0xffffffff }, table: t });
  }
  const p = pod.ports;
  return {
    routing: { interfaces: [lo, eth0, ...extra], rules, tables },
    listeners: podListeners(pod),
    otherPorts: appListener(),
    // Envoy admin and the DNS proxy listen on localhost only: elsewhere nobody answers on those ports.
    reservedPorts: [p.admin, p.dns, p.outbound, p.inbound, p.health, p.prometheus, p.agentStatus, p.tunnel],
    owners: pod.owners,
  };
}
