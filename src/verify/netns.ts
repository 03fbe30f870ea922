/**
 * The two throwaway network namespaces of a run, and nothing else.
 *
 * Every command that changes state names one of our own namespaces: `ip netns add/del NAME`,
 * `ip -n NAME …` (ip enters the namespace itself before acting, like `ip netns exec`), or
 * `ip netns exec NAME prog …`. The veth pair is created from inside the pod namespace with its
 * peer end placed straight into the peer namespace, so no interface ever exists in the host's.
 *
 * Layout:
 *   pod:  lo up (127.0.0.0/8 is local, so 127.0.0.6 binds; ::6/128 added), eth0 with the pod
 *         addresses, default routes via the peer.
 *   peer: eth0 with the gateway addresses; "AnyIP": `local 0.0.0.0/0 dev lo` and
 *         `local ::/0 dev lo` make every address local to the peer, so it answers for any
 *         remote host and a peer-side client can bind any source (ip_nonlocal_bind for IPv6,
 *         whose bind() checks configured addresses, not routes). The pod's own addresses are
 *         carved back out of the local table (a more specific unicast route via eth0), or
 *         replies to the pod would be delivered to the peer itself. Remote addresses the plan
 *         uses inside the pod's subnets are also configured on the peer's eth0, so that the
 *         pod's ARP / neighbour solicitations for them are answered (onLinkRemotes).
 *   both: IPv6 DAD off (accept_dad=0 and `nodad`), so addresses work at once;
 *         ip_unprivileged_port_start=0, so a stand-in running as an ordinary uid can listen on
 *         a low port (e.g. 53) without binding it as root first.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Tools } from './capabilities.js';
import { minimalEnv, run } from './exec.js';
import { markedNamespaces, provenNamespaces, provenProcesses, removeMarkerFile, staleMarkers } from './ownership.js';
import ipaddr from 'ipaddr.js';
import { canonical, familyOf, type ResolvedPlan } from './plan.js';

/** Every namespace the harness creates starts with this. */
export const NS_PREFIX = 'sctrace-';

export interface NamespacePair {
  pod: string;
  peer: string;
}

export function newNamespaceNames(): NamespacePair {
  const base = `${NS_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
  return { pod: `${base}-pod`, peer: `${base}-peer` };
}

/** The stem both names share (`sctrace-PID-HEX`): the run's marker is named after it. */
export function namespaceBase(names: NamespacePair): string {
  return names.pod.replace(/-pod$/, '');
}

export function namespaceExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

/** Names of existing namespaces (from `ip netns list`). */
export async function listNamespaces(ip: string): Promise<string[]> {
  const { stdout } = await run(ip, ['netns', 'list']);
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

async function sysctl(tools: Tools, ns: string, key: string, value: string): Promise<void> {
  await run(tools.ip, ['netns', 'exec', ns, tools.tee, `/proc/sys/${key.replace(/\./g, '/')}`], { input: `${value}\n` });
}

/**
 * Create and wire both namespaces. Refuses if either name exists. Each name is pushed onto
 * `created` as soon as it exists, so the caller deletes exactly what was created, even when
 * this fails half way.
 */
export async function createNamespaces(
  tools: Tools,
  names: NamespacePair,
  plan: ResolvedPlan,
  created: string[],
  stopped: () => boolean = () => false,
  onCreated: (name: string) => void = () => undefined,
): Promise<void> {
  for (const name of [names.pod, names.peer]) {
    if (namespaceExists(name)) throw new Error(`network namespace ${name} already exists; refusing to touch it`);
  }
  const { ip } = tools;
  const pod = plan.pod;
  const v6 = pod.ipv6 !== null;
  const check = (): void => {
    if (stopped()) throw new Error('namespace setup stopped');
  };
  for (const name of [names.pod, names.peer]) {
    check();
    addNamespaceSync(ip, name);
    created.push(name);
    onCreated(name);
  }
  const inPod = (...args: string[]) => (check(), run(ip, ['-n', names.pod, ...args]));
  const inPeer = (...args: string[]) => (check(), run(ip, ['-n', names.peer, ...args]));
  const setSysctl = (ns: string, key: string, value: string) => (check(), sysctl(tools, ns, key, value));

  for (const ns of [names.pod, names.peer]) {
    await setSysctl(ns, 'net.ipv4.ip_unprivileged_port_start', '0');
    if (v6) {
      await setSysctl(ns, 'net.ipv6.conf.all.accept_dad', '0');
      await setSysctl(ns, 'net.ipv6.conf.default.accept_dad', '0');
    }
  }
  if (v6) await setSysctl(names.peer, 'net.ipv6.ip_nonlocal_bind', '1');
  await setSysctl(names.peer, 'net.ipv4.ip_nonlocal_bind', '1');

  await inPod('link', 'set', 'lo', 'up');
  await inPeer('link', 'set', 'lo', 'up');
  await inPod('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', names.peer);

  await inPod('addr', 'add', `${pod.ipv4}/${pod.prefix4}`, 'dev', 'eth0');
  await inPeer('addr', 'add', `${pod.gateway4}/${pod.prefix4}`, 'dev', 'eth0');
  if (v6) {
    await inPod('-6', 'addr', 'add', `${pod.ipv6}/${pod.prefix6}`, 'dev', 'eth0', 'nodad');
    await inPod('-6', 'addr', 'add', '::6/128', 'dev', 'lo', 'nodad');
    await inPeer('-6', 'addr', 'add', `${pod.gateway6}/${pod.prefix6}`, 'dev', 'eth0', 'nodad');
  }
  await inPod('link', 'set', 'eth0', 'up');
  await inPeer('link', 'set', 'eth0', 'up');

  await inPod('route', 'add', 'default', 'via', pod.gateway4, 'dev', 'eth0');
  await inPeer('route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo');
  await inPeer('route', 'add', `${pod.ipv4}/32`, 'dev', 'eth0', 'table', 'local');
  if (v6) {
    await inPod('-6', 'route', 'add', 'default', 'via', pod.gateway6!, 'dev', 'eth0');
    await inPeer('-6', 'route', 'add', 'local', '::/0', 'dev', 'lo');
    await inPeer('-6', 'route', 'add', `${pod.ipv6}/128`, 'dev', 'eth0', 'table', 'local');
  }
  // Remote hosts on the pod's own subnet: the pod reaches them directly on eth0 and asks for
  // their link-layer address, which the peer gives only for an address it has configured
  // (IPv6 neighbour discovery ignores AnyIP routes). So each one the plan names is put on eth0.
  for (const address of onLinkRemotes(plan)) {
    await inPeer('addr', 'add', `${address}/${familyOf(address) === 'ipv6' ? 128 : 32}`, 'dev', 'eth0', ...(familyOf(address) === 'ipv6' ? ['nodad'] : []));
  }

  for (const { fwmark, table } of plan.policyRouting ?? []) {
    const mark = `0x${fwmark.toString(16)}`;
    await inPod('rule', 'add', 'fwmark', mark, 'lookup', String(table));
    await inPod('route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', String(table));
    if (v6) {
      await inPod('-6', 'rule', 'add', 'fwmark', mark, 'lookup', String(table));
      await inPod('-6', 'route', 'add', 'local', '::/0', 'dev', 'lo', 'table', String(table));
    }
  }
}

/**
 * Addresses of remote hosts the plan talks to (what a pod-side connection dials, where a
 * peer-side connection comes from) that lie in the pod's own subnets, other than the pod's and
 * the gateway's own addresses.
 */
export function onLinkRemotes(plan: ResolvedPlan): string[] {
  const { pod } = plan;
  const candidates: string[] = [];
  for (const s of plan.start) candidates.push(s.ns === 'pod' ? s.dst : s.src ?? '');
  for (const l of plan.listeners) if (l.then) candidates.push(l.ns === 'pod' ? l.then.connect.dst : l.then.connect.src ?? '');
  const out = new Set<string>();
  for (const a of candidates) {
    const family = familyOf(a);
    if (!family) continue;
    const net = family === 'ipv4' ? pod.net4 : pod.net6;
    if (!net) continue;
    const text = canonical(a);
    if (text === pod.ipv4 || text === pod.ipv6 || text === pod.gateway4 || text === pod.gateway6) continue;
    if (ipaddr.parse(text).match(ipaddr.parseCIDR(net))) out.add(text);
  }
  return [...out];
}

/**
 * `ip netns add NAME`, synchronously. A signal handler (which deletes the names in `created`)
 * runs on the event loop, so it cannot run between the namespace coming into existence and the
 * caller recording its name. With an asynchronous `ip netns add`, a SIGTERM arriving while it
 * ran left that namespace behind: not yet recorded, and created by a child that outlived us.
 */
function addNamespaceSync(ip: string, name: string): void {
  try {
    execFileSync(ip, ['netns', 'add', name], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000, env: minimalEnv() });
  } catch (err) {
    const e = err as { stderr?: Buffer | string; message: string };
    const stderr = e.stderr ? e.stderr.toString().trim() : '';
    throw new Error(`${ip} netns add ${name}: ${stderr || e.message}`);
  }
}

/** Delete our namespaces (only names starting with NS_PREFIX). Ignores ones already gone. */
export async function deleteNamespaces(ip: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    if (!name.startsWith(NS_PREFIX) || !namespaceExists(name)) continue;
    await run(ip, ['netns', 'del', name], { allowFailure: true, timeoutMs: 5000 });
  }
}

/** The same, synchronously: for signal and exit handlers. */
export function deleteNamespacesSync(ip: string, names: readonly string[]): void {
  for (const name of names) {
    if (!name.startsWith(NS_PREFIX) || !namespaceExists(name)) continue;
    try {
      execFileSync(ip, ['netns', 'del', name], { stdio: 'ignore', timeout: 5000, env: minimalEnv() });
    } catch {
      // best effort: nothing else to do from a signal handler
    }
  }
}

export interface StaleCleanup {
  /** Namespaces of dead runs, deleted. */
  namespaces: string[];
  /** Processes of dead runs (e.g. an orphaned `nft monitor trace`), killed. */
  processes: Array<{ pid: number; label: string }>;
  /** Namespaces with our prefix that no marker accounts for: left alone (ownership unproven). */
  unmarked: string[];
}

/**
 * Remove what runs killed with SIGKILL (which no handler can catch) left behind: for each
 * marker whose owner process is gone, its processes and namespaces that are provably its own
 * (see ownership.ts). Never by name alone. Runs at the start of every kernel run.
 */
export async function removeStaleRuns(ip: string): Promise<StaleCleanup> {
  const result: StaleCleanup = { namespaces: [], processes: [], unmarked: [] };
  for (const stale of staleMarkers()) {
    const procs = provenProcesses(stale.marker);
    for (const p of procs) {
      try {
        process.kill(p.pid, 'SIGKILL');
        result.processes.push({ pid: p.pid, label: p.label });
      } catch {
        // gone meanwhile
      }
    }
    // A killed process is gone once its /proc entry is (or it is a zombie of init's: start time stays, netns goes).
    const until = Date.now() + 3000;
    while (Date.now() < until && provenProcesses(stale.marker).length > 0) await new Promise((r) => setTimeout(r, 20));
    const names = provenNamespaces(stale, NS_PREFIX);
    await deleteNamespaces(ip, names);
    result.namespaces.push(...names.filter((n) => !namespaceExists(n)));
    if (provenNamespaces(stale, NS_PREFIX).length === 0) removeMarkerFile(stale.file);
  }
  // Listed before the markers are read: a run writes its marker before it creates a namespace.
  const existing = await listNamespaces(ip);
  const marked = markedNamespaces();
  result.unmarked = existing.filter((n) => n.startsWith(NS_PREFIX) && !marked.has(n));
  return result;
}

/** removeStaleRuns, for callers that want the namespace names only. */
export async function removeStaleNamespaces(ip: string): Promise<string[]> {
  return (await removeStaleRuns(ip)).namespaces;
}
