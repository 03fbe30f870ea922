/**
 * Every match module the engine models, listed explicitly (no registration by
 * side effect). A test asserts each entry has its own test table and round-trip file.
 */
import { addrtypeMatch } from './addrtype.js';
import { commentMatch } from './comment.js';
import { connmarkMatch } from './connmark.js';
import { conntrackMatch } from './conntrack.js';
import type { MatchModule } from './define.js';
import { icmpMatch } from './icmp.js';
import { icmp6Match } from './icmp6.js';
import { iprangeMatch } from './iprange.js';
import { markMatch } from './mark.js';
import { multiportMatch } from './multiport.js';
import { ownerMatch } from './owner.js';
import { setMatch } from './set.js';
import { socketMatch } from './socket.js';
import { stateMatch } from './state.js';
import { statisticMatch } from './statistic.js';
import { tcpMatch } from './tcp.js';
import { udpMatch } from './udp.js';

/** Keys are the `-m` names; aliases (e.g. icmpv6 for icmp6) live on the modules. */
export const MATCHES = {
  tcp: tcpMatch,
  udp: udpMatch,
  multiport: multiportMatch,
  owner: ownerMatch,
  mark: markMatch,
  connmark: connmarkMatch,
  conntrack: conntrackMatch,
  state: stateMatch,
  addrtype: addrtypeMatch,
  iprange: iprangeMatch,
  comment: commentMatch,
  icmp: icmpMatch,
  icmp6: icmp6Match,
  statistic: statisticMatch,
  socket: socketMatch,
  set: setMatch,
} satisfies Record<string, MatchModule<any>>;

const BY_NAME = new Map<string, MatchModule<any>>();
for (const m of Object.values(MATCHES) as MatchModule<any>[]) {
  BY_NAME.set(m.name, m);
  for (const alias of m.aliases ?? []) BY_NAME.set(alias, m);
}

export function findMatch(name: string): MatchModule<any> | undefined {
  return BY_NAME.get(name);
}
