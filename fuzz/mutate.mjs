/**
 * Mutations of real dumps for the fuzz harness: truncation, byte flips, line
 * duplication and reordering, inserted `!` and quotes, very long tokens, jump
 * cycles and deep jump chains. Deterministic for a given seed.
 */

/** mulberry32: small, fast, seedable; fuzzing needs repeatable inputs, not crypto. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (r, list) => list[Math.floor(r() * list.length)];
const lines = (text) => text.split('\n');

/** Chain names declared or used in the text (for cycle and depth mutations). */
function chainsOf(text) {
  const names = new Set();
  for (const m of text.matchAll(/^:([A-Za-z0-9_-]+) /gm)) names.add(m[1]);
  for (const m of text.matchAll(/^-N ([A-Za-z0-9_-]+)/gm)) names.add(m[1]);
  return [...names];
}

export const MUTATIONS = {
  truncate(text, r) {
    return text.slice(0, Math.floor(r() * text.length));
  },
  flipBytes(text, r) {
    const buf = Buffer.from(text, 'utf8');
    const n = 1 + Math.floor(r() * 8);
    for (let i = 0; i < n && buf.length; i++) buf[Math.floor(r() * buf.length)] ^= 1 << Math.floor(r() * 8);
    return buf.toString('latin1');
  },
  duplicateLines(text, r) {
    const ls = lines(text);
    const n = 1 + Math.floor(r() * 5);
    for (let i = 0; i < n; i++) {
      const at = Math.floor(r() * ls.length);
      ls.splice(Math.floor(r() * ls.length), 0, ls[at]);
    }
    return ls.join('\n');
  },
  reorderLines(text, r) {
    const ls = lines(text);
    for (let i = 0; i < 1 + Math.floor(r() * 6); i++) {
      const a = Math.floor(r() * ls.length);
      const b = Math.floor(r() * ls.length);
      [ls[a], ls[b]] = [ls[b], ls[a]];
    }
    return ls.join('\n');
  },
  insertBang(text, r) {
    const ls = lines(text);
    const at = Math.floor(r() * ls.length);
    const toks = ls[at].split(' ');
    toks.splice(Math.floor(r() * (toks.length + 1)), 0, '!');
    ls[at] = toks.join(' ');
    return ls.join('\n');
  },
  insertQuotes(text, r) {
    const ls = lines(text);
    const at = Math.floor(r() * ls.length);
    const toks = ls[at].split(' ');
    const q = pick(r, ['"', "'", '\\"', '"unterminated', '"a b"', '\\', '"é ü 日本"']);
    toks.splice(Math.floor(r() * (toks.length + 1)), 0, q);
    ls[at] = toks.join(' ');
    return ls.join('\n');
  },
  longToken(text, r) {
    const ls = lines(text);
    const at = Math.floor(r() * ls.length);
    const toks = ls[at].split(' ');
    const len = pick(r, [100, 1000, 20000, 100000]);
    toks.splice(Math.floor(r() * (toks.length + 1)), 0, pick(r, ['A', '1', ':', '-', '.']).repeat(len));
    ls[at] = toks.join(' ');
    return ls.join('\n');
  },
  jumpCycle(text, r) {
    const chains = chainsOf(text).filter((c) => !/^(PREROUTING|INPUT|OUTPUT|FORWARD|POSTROUTING)$/.test(c));
    if (chains.length < 1) return text;
    const a = pick(r, chains);
    const b = pick(r, chains);
    return text.replace(/\nCOMMIT/, `\n-A ${a} -j ${b}\n-A ${b} -j ${a}\nCOMMIT`);
  },
  deepChain(text, r) {
    const depth = 2 + Math.floor(r() * 40);
    const decl = [];
    const rules = [];
    for (let i = 0; i < depth; i++) decl.push(`:FUZZ${i} - [0:0]`);
    rules.push('-A OUTPUT -j FUZZ0');
    for (let i = 0; i < depth - 1; i++) rules.push(`-A FUZZ${i} -j FUZZ${i + 1}`);
    const at = text.indexOf('\nCOMMIT');
    if (at < 0) return text;
    return `${text.slice(0, at)}\n${decl.join('\n')}\n${rules.join('\n')}${text.slice(at)}`;
  },
  crlfBomTabs(text, r) {
    let t = text.replace(/\n/g, '\r\n');
    if (r() < 0.5) t = `\uFEFF${t}`;
    if (r() < 0.5) t = t.replace(/ /g, '\t');
    return t;
  },
  binaryGarbage(_text, r) {
    const buf = Buffer.alloc(64 + Math.floor(r() * 512));
    for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(r() * 256);
    return buf.toString('latin1');
  },
};

export function mutate(text, r) {
  let out = text;
  const rounds = 1 + Math.floor(r() * 3);
  const names = Object.keys(MUTATIONS);
  const applied = [];
  for (let i = 0; i < rounds; i++) {
    const name = pick(r, names);
    applied.push(name);
    out = MUTATIONS[name](out, r);
  }
  return { text: out, applied };
}
