/**
 * Long chains indexed by destination, so a packet does not test every rule of a
 * kube-proxy KUBE-SERVICES (one rule per Service port, each `-d VIP/32`). A rule
 * whose `-d` does not contain the packet's destination cannot match whatever else
 * it says (the header is ANDed with the matches), so only the rules whose `-d`
 * contains it, and the rules without a plain `-d`, are candidates; the walker
 * visits those in chain order and skips the rest, unparsed when they are lazy.
 */
import { ipv4HostValue, parseCidr, type Address, type Cidr } from '../net/address.js';
import type { Rule } from '../ruleset/model.js';
import type { Family } from '../types.js';

/** Below this many rules a chain is scanned: an index would cost more than it saves. */
export const INDEX_MIN_RULES = 48;

/** Candidate lists kept per chain (one per destination seen); cleared when full. */
const MEMO_MAX = 4096;

interface PrefixBucket {
  prefix: number;
  /** Network address value -> rule positions (0-based, ascending). */
  byNetwork: Map<number | bigint, number[]>;
}

interface DstIndex {
  family: Family;
  length: number;
  buckets: PrefixBucket[];
  /** Rules every packet must be tested against: no `-d`, `! -d`, or a `-d` of the other family. */
  always: number[];
  memo: Map<number | bigint, Int32Array>;
}

const INDEXES = new WeakMap<Rule[], DstIndex | null>();

/** The plain (non-inverted) destination a rule requires, or null; reads a lazy rule's outline, not the rule. */
function requiredDst(rule: Rule, family: Family): Cidr | null {
  const o = rule.outline;
  if (o !== undefined) {
    const text = o.plainDst;
    if (text === null) return null;
    const c = parseCidr(text);
    return c !== null && c.family === family ? c : null;
  }
  const d = rule.header.dst;
  return d && !d.invert && d.value.family === family ? d.value : null;
}

function build(rules: Rule[], family: Family): DstIndex | null {
  const buckets = new Map<number, PrefixBucket>();
  const always: number[] = [];
  const add = (prefix: number, key: number | bigint, i: number) => {
    let b = buckets.get(prefix);
    if (b === undefined) buckets.set(prefix, (b = { prefix, byNetwork: new Map() }));
    const list = b.byNetwork.get(key);
    if (list === undefined) b.byNetwork.set(key, [i]);
    else list.push(i);
  };
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    // kube-proxy's `-d VIP/32`, read without building an address (the common case of a long chain).
    const dst = family === 'ipv4' ? rule.outline?.plainDst : undefined;
    const host = dst !== undefined && dst !== null ? ipv4HostValue(dst) : -1;
    if (host >= 0) {
      add(32, host, i);
      continue;
    }
    const c = requiredDst(rule, family);
    if (c === null) always.push(i);
    else add(c.prefix, c.base.value, i);
  }
  // An index pays only when most rules can be skipped.
  if (always.length * 2 > rules.length) return null;
  return { family, length: rules.length, buckets: [...buckets.values()], always, memo: new Map() };
}

/**
 * The positions (0-based, ascending) of the rules in `rules` that a packet to `dst` must
 * be tested against, or null when the chain is not indexed (short, or mostly without `-d`).
 */
export function dstCandidates(rules: Rule[], family: Family, dst: Address): Int32Array | null {
  if (rules.length < INDEX_MIN_RULES || dst.family !== family) return null;
  let index = INDEXES.get(rules);
  if (index === undefined || (index !== null && index.length !== rules.length)) {
    index = build(rules, family);
    INDEXES.set(rules, index);
  }
  if (index === null || index.family !== family) return null;
  const known = index.memo.get(dst.value);
  if (known !== undefined) return known;
  const parts: number[][] = [index.always];
  for (const b of index.buckets) {
    const network = networkOf(dst, b.prefix);
    const list = b.byNetwork.get(network);
    if (list !== undefined) parts.push(list);
  }
  const out = merge(parts);
  if (index.memo.size >= MEMO_MAX) index.memo.clear();
  index.memo.set(dst.value, out);
  return out;
}

function networkOf(addr: Address, prefix: number): number | bigint {
  if (addr.family === 'ipv4') {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return ((addr.value as number) & mask) >>> 0;
  }
  const v = addr.value as bigint;
  return prefix === 0 ? 0n : (v >> BigInt(128 - prefix)) << BigInt(128 - prefix);
}

function merge(parts: number[][]): Int32Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Int32Array(n);
  let k = 0;
  for (const p of parts) for (const x of p) out[k++] = x;
  return parts.length > 1 ? out.sort() : out;
}
