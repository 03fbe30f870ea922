/**
 * Every match module the engine models, listed explicitly (no registration by
 * side effect). A test asserts each entry has its own test table.
 */
import type { MatchModule } from './define.js';
import { tcpMatch } from './tcp.js';

export const MATCHES = {
  tcp: tcpMatch,
} satisfies Record<string, MatchModule<any>>;

const BY_NAME = new Map<string, MatchModule<any>>();
for (const m of Object.values(MATCHES) as MatchModule<any>[]) {
  BY_NAME.set(m.name, m);
  for (const alias of m.aliases ?? []) BY_NAME.set(alias, m);
}

export function findMatch(name: string): MatchModule<any> | undefined {
  return BY_NAME.get(name);
}
