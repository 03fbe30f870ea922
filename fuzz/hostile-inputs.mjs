/**
 * Generators of small rule sets that cost the engine a lot (issue 12, F1 F2 F7):
 * deep and cyclic jump graphs, jump fan-out, nested statistic jumps, and long
 * runs of -I / -D. Each returns restore text the kernel's own checks would judge
 * (fan-out and statistic trees load in the kernel; 10,000-deep chains do not).
 * The fuzz harness and the tests call these; nothing here runs anything.
 */

/** `count` user chains C1..Cn, each jumping to the next (`mode` 'jump' or 'goto'); OUTPUT enters C1. */
export function deepChain(count, mode = 'jump') {
  const flag = mode === 'goto' ? '-g' : '-j';
  const out = ['*filter', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 1; i <= count; i++) out.push(`:C${i} - [0:0]`);
  out.push(`-A OUTPUT ${flag} C1`);
  for (let i = 1; i < count; i++) out.push(`-A C${i} ${flag} C${i + 1}`);
  out.push('COMMIT', '');
  return out.join('\n');
}

/** `count` user chains in a ring: C1 -> C2 -> … -> Cn -> C1, entered from OUTPUT. */
export function chainRing(count) {
  const out = ['*filter', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 1; i <= count; i++) out.push(`:C${i} - [0:0]`);
  out.push('-A OUTPUT -j C1');
  for (let i = 1; i <= count; i++) out.push(`-A C${i} -j C${(i % count) + 1}`);
  out.push('COMMIT', '');
  return out.join('\n');
}

/**
 * `depth` user chains, each jumping `fanout` times to the next; the last returns.
 * The kernel accepts it (depth <= 15) and, per packet, visits fanout^depth rules.
 * `pad` rules that never match (a source nobody uses) go before each chain's jumps:
 * work the trace does not record, so the step budget, not the size budget, stops it.
 */
export function jumpFanOut(depth = 15, fanout = 3, table = 'filter', pad = 0) {
  const out = [`*${table}`, ':OUTPUT ACCEPT [0:0]'];
  for (let i = 1; i <= depth; i++) out.push(`:C${i} - [0:0]`);
  out.push('-A OUTPUT -j C1');
  for (let i = 1; i < depth; i++) {
    for (let k = 0; k < pad; k++) out.push(`-A C${i} -s 192.0.2.${k % 250}/32 -j DROP`);
    for (let k = 0; k < fanout; k++) out.push(`-A C${i} -j C${i + 1}`);
  }
  out.push(`-A C${depth} -j RETURN`);
  out.push('COMMIT', '');
  return out.join('\n');
}

/**
 * Non-terminating `-m statistic` jumps nested `depth` deep, `fanout` per chain:
 * every alternative is a full walk, and each walk fans out.
 */
export function statisticTree(depth = 15, fanout = 2) {
  // filter, not nat: nat runs only when some rule needs conntrack, and statistic does not.
  const out = ['*filter', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 1; i <= depth; i++) out.push(`:S${i} - [0:0]`);
  out.push('-A OUTPUT -p tcp -m statistic --mode random --probability 0.5 -j S1');
  for (let i = 1; i < depth; i++) {
    for (let k = 0; k < fanout; k++) out.push(`-A S${i} -p tcp -m statistic --mode random --probability 0.5 -j S${i + 1}`);
  }
  out.push(`-A S${depth} -p tcp -j RETURN`);
  out.push('COMMIT', '');
  return out.join('\n');
}

/** `count` lines of `-I OUTPUT 1 …`, each a distinct rule (so the chain ends in reverse order). */
export function manyInserts(count) {
  const out = ['*filter', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < count; i++) out.push(`-I OUTPUT 1 -p tcp --dport ${(i % 65535) + 1} -m comment --comment r${i} -j ACCEPT`);
  out.push('COMMIT', '');
  return out.join('\n');
}

/** `count` appended rules, then `-D` of each by its text in reverse order; OUTPUT ends empty. */
export function manyDeletes(count) {
  const rule = (i) => `-p tcp --dport ${(i % 65535) + 1} -m comment --comment r${i} -j ACCEPT`;
  const out = ['*filter', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < count; i++) out.push(`-A OUTPUT ${rule(i)}`);
  for (let i = count - 1; i >= 0; i--) out.push(`-D OUTPUT ${rule(i)}`);
  out.push('COMMIT', '');
  return out.join('\n');
}

/** Every generator with arguments that hurt the old code, by name (for the fuzz corpus). */
export function hostileInputs() {
  return [
    { name: 'deep-chain-10000', text: deepChain(10_000) },
    { name: 'deep-goto-10000', text: deepChain(10_000, 'goto') },
    { name: 'ring-10000', text: chainRing(10_000) },
    { name: 'fan-out-15x3', text: jumpFanOut(15, 3) },
    { name: 'fan-out-15x3-padded', text: jumpFanOut(15, 3, 'filter', 200) },
    { name: 'statistic-tree-15x2', text: statisticTree(15, 2) },
    { name: 'inserts-100000', text: manyInserts(100_000) },
    { name: 'deletes-20000', text: manyDeletes(20_000) },
  ];
}
