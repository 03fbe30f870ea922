/**
 * Extensions iptables knows but the engine does not model, with the facts the load still
 * needs of them: a `-j` to one of these targets is kept verbatim and evaluates to unknown
 * (any other unresolved name is a jump to a missing chain, which iptables-restore rejects),
 * and some make the kernel track connections or are refused outside their tables and hooks.
 *
 * Facts measured with iptables-restore (nf_tables backend) on Linux 6.18; the tables and
 * hooks are checked again by test/kernel/module-hooks.test.ts. An entry without a fact
 * means "not measured": nothing is enforced for it.
 */
import type { HookName, TableName } from './types.js';

export interface ExtensionFacts {
  /** Its checkentry calls nf_ct_netns_get: conntrack runs in the namespace. */
  tracksConnections?: boolean;
  /** Tables the kernel accepts it in (default: all). */
  tables?: TableName[];
  /** Hooks the kernel accepts it in (default: all). */
  hooks?: HookName[];
  /** It rewrites the packet's addresses (NAT). */
  rewritesAddresses?: boolean;
}

const MANGLE: ExtensionFacts = { tables: ['mangle'] };

export const UNMODELLED_TARGETS: ReadonlyMap<string, ExtensionFacts> = new Map<string, ExtensionFacts>([
  ['AUDIT', {}],
  ['CHECKSUM', MANGLE],
  ['CLASSIFY', { hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'] }],
  ['CLUSTERIP', { tracksConnections: true }],
  ['CONNSECMARK', { tracksConnections: true, tables: ['mangle', 'security'] }],
  ['DSCP', MANGLE],
  ['ECN', {}],
  ['HL', {}],
  ['HMARK', {}],
  ['IDLETIMER', {}],
  ['LED', {}],
  ['NETMAP', { tracksConnections: true, tables: ['nat'], rewritesAddresses: true }],
  ['NFQUEUE', {}],
  ['NOTRACK', { tables: ['raw'] }],
  ['QUEUE', {}],
  ['RATEEST', {}],
  ['SECMARK', {}],
  ['SET', {}],
  ['SYNPROXY', { tracksConnections: true, hooks: ['INPUT', 'FORWARD'] }],
  // TCPMSS's hooks depend on its options (--clamp-mss-to-pmtu only): not enforced.
  ['TCPMSS', {}],
  ['TCPOPTSTRIP', {}],
  ['TEE', {}],
  ['TOS', {}],
  ['TTL', MANGLE],
  ['ULOG', {}],
  ['DNPT', {}],
  ['SNPT', {}],
  ['MIRROR', {}],
  ['IPMARK', {}],
  ['TARPIT', {}],
  ['DELUDE', {}],
  ['CHAOS', {}],
]);

/** Matches, by their `-m` names; only those with a fact are listed (any other `-m` is kept verbatim). */
export const UNMODELLED_MATCHES: ReadonlyMap<string, ExtensionFacts> = new Map<string, ExtensionFacts>([
  ['connlimit', { tracksConnections: true }],
  ['connbytes', { tracksConnections: true }],
  ['connlabel', { tracksConnections: true }],
  ['helper', { tracksConnections: true }],
  ['cluster', { tracksConnections: true }],
]);
