/**
 * The extensions that make the kernel track connections (their checkentry calls
 * nf_ct_netns_get), shared by the conntrack question (netfilter/conntrack-users.ts)
 * and the outline of lazy rules (ruleset/outline.ts). Measured on Linux 6.18.
 */

/** Targets; CT only without --notrack. */
export const TRACKING_TARGETS: ReadonlySet<string> = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'CONNMARK', 'CONNSECMARK', 'CLUSTERIP', 'SYNPROXY']);

/** Matches, by their `-m` names. */
export const TRACKING_MATCHES: ReadonlySet<string> = new Set(['conntrack', 'state', 'connmark', 'connlimit', 'connbytes', 'connlabel', 'helper', 'cluster']);
