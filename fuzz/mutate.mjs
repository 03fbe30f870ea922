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

// ---------------------------------------------------------------------------------------------
// Hostile inputs (issue 12): built whole, not mutated, because each attacks one bound the
// mutations above never reach. Each returns { text, args, format, encoding, applied } (args:
// everything but the format; `{check}` in args is replaced by the path of a check file whose
// content is `check`).

const FILTER_HEAD = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
const OUT_FLOW = ['--dst', '10.244.2.7:9080'];

/** Terminal control sequences: OSC 52 (clipboard), OSC 8 (link), CSI, BEL, C1 CSI/OSC/ST, DEL. */
export const ESCAPES = [
  '\x1b]52;c;aGVsbG8=\x07',
  '\x1b]8;;http://example.invalid\x1b\\x\x1b]8;;\x1b\\',
  '\x1b[2J',
  '\x1b[31m',
  '\x07',
  '\u009b31m',
  '\u009d0;title\u009c',
  '\x7f',
  '\x08\x08\x08',
];

/** Devices that are safe to read (never written: the harness passes no output path). */
export const SAFE_DEVICES = ['/dev/zero', '/dev/null', '/dev/urandom', '/dev/full'];

export const HOSTILE = {
  /** A jump chain, ring or goto chain of 10,000+ chains (F1: recursive walks overflowed the stack). */
  deepJumps(r) {
    const n = 10_000 + Math.floor(r() * 5000);
    const shape = pick(r, ['chain', 'ring', 'goto']);
    const out = [...FILTER_HEAD];
    for (let i = 0; i < n; i++) out.push(`:C${i} - [0:0]`);
    out.push('-A OUTPUT -j C0');
    for (let i = 0; i < n - 1; i++) out.push(`-A C${i} -${shape === 'goto' ? 'g' : 'j'} C${i + 1}`);
    if (shape === 'ring') out.push(`-A C${n - 1} -j C0`);
    out.push('COMMIT', '');
    return { text: out.join('\n'), args: ['--rules', '-', ...OUT_FLOW], format: 'json', applied: [`deepJumps:${shape}:${n}`] };
  },
  /** 15 chains, each jumping 3 times to the next (F2: the trace grew as 3^15). */
  fanOut(r) {
    // 15 user chains deep is the most the kernel takes (OUTPUT -> F0 … F14).
    const chains = pick(r, [13, 14, 15, 15, 15]);
    const jumps = 3;
    const out = [...FILTER_HEAD];
    for (let i = 0; i < chains; i++) out.push(`:F${i} - [0:0]`);
    out.push('-A OUTPUT -p tcp -j F0');
    for (let i = 0; i < chains - 1; i++) for (let j = 0; j < jumps; j++) out.push(`-A F${i} -p tcp -j F${i + 1}`);
    out.push(`-A F${chains - 1} -p tcp -m mark --mark 0x1 -j ACCEPT`, 'COMMIT', '');
    return { text: out.join('\n'), args: ['--rules', '-', ...OUT_FLOW], format: pick(r, ['json', 'path']), applied: [`fanOut:${chains}x${jumps}`] };
  },
  /**
   * Non-terminating random-statistic jumps nested 15 deep (F2: alternatives grew in size): one
   * statistic jump per chain, two, or one and a plain jump.
   */
  statisticTree(r) {
    const depth = pick(r, [13, 14, 15, 15, 15]);
    const shape = pick(r, ['single', 'double', 'double', 'plain', 'plain']);
    const stat = (i) => `-A S${i} -m statistic --mode random --probability 0.5 -j S${i + 1}`;
    const out = [...FILTER_HEAD];
    for (let i = 0; i < depth; i++) out.push(`:S${i} - [0:0]`);
    out.push('-A OUTPUT -j S0');
    for (let i = 0; i < depth - 1; i++) {
      out.push(stat(i));
      if (shape === 'double') out.push(stat(i));
      if (shape === 'plain') out.push(`-A S${i} -j S${i + 1}`);
    }
    out.push('COMMIT', '');
    const pickFirst = r() < 0.3 ? ['--pick', 'first'] : [];
    return { text: out.join('\n'), args: ['--rules', '-', ...OUT_FLOW, ...pickFirst], format: pick(r, ['json', 'path']), applied: [`statisticTree:${depth}:${shape}${pickFirst.length ? ':first' : ''}`] };
  },
  /** Escape sequences in chain names, comments and words that end up in error messages (F9). */
  escapes(r, seedText) {
    const esc = pick(r, ESCAPES);
    const where = pick(r, ['chain', 'comment', 'error', 'seed']);
    const name = `E${esc}X`;
    let text;
    if (where === 'chain') {
      text = [...FILTER_HEAD, `:${name} - [0:0]`, `-A OUTPUT -p tcp -j ${name}`, `-A ${name} -p tcp -j ACCEPT`, 'COMMIT', ''].join('\n');
    } else if (where === 'comment') {
      text = [...FILTER_HEAD, `-A OUTPUT -p tcp -m comment --comment "hi${esc}there" -j ACCEPT`, 'COMMIT', ''].join('\n');
    } else if (where === 'error') {
      text = [...FILTER_HEAD, `-A OUTPUT -p tcp -j NOPE${esc}`, 'COMMIT', ''].join('\n');
    } else {
      // A comment on rules of a real dump, wherever the flow goes.
      const ls = lines(seedText);
      const idx = ls.map((l, i) => (l.startsWith('-A ') ? i : -1)).filter((i) => i >= 0);
      for (let k = 0; k < 5 && idx.length; k++) {
        const at = pick(r, idx);
        const toks = ls[at].split(' ');
        toks.splice(2, 0, '-m', 'comment', '--comment', `"hi${esc}there"`);
        ls[at] = toks.join(' ');
      }
      text = ls.join('\n');
    }
    const format = pick(r, ['table', 'path', 'table']);
    const explain = format === 'table' && r() < 0.3 ? ['--explain'] : [];
    return { text, args: ['--rules', '-', ...OUT_FLOW, ...explain], format, encoding: 'utf8', applied: [`escapes:${where}:${JSON.stringify(esc)}`] };
  },
  /** Endless or empty devices where a file is expected (F3): directly, and named in check files. */
  devicePaths(r, seedText) {
    const dev = pick(r, SAFE_DEVICES);
    const shape = pick(r, ['rules', 'flows', 'check', 'check-rules', 'check-meshconfig']);
    const flowsYaml = 'flows:\n  - name: out\n    dst: 10.244.2.7:9080\n    expect: { outcome: egress }\n';
    const applied = [`devicePaths:${shape}:${dev}`];
    switch (shape) {
      case 'rules':
        return { text: '', args: ['--rules', dev, ...OUT_FLOW], format: 'json', applied };
      case 'flows':
        return { text: seedText, args: ['--rules', '-', '--flows', dev], format: 'json', applied };
      case 'check':
        return { text: '', args: ['check', dev], format: 'json', applied, okCodes: [0, 1, 2] };
      case 'check-rules':
        return { text: '', check: `rules: { file: ${dev} }\n${flowsYaml}`, args: ['check', '{check}'], format: 'json', applied, okCodes: [0, 1, 2] };
      default:
        return { text: '', check: `rules: { istio: { version: "1.25", meshConfig: ${dev} } }\n${flowsYaml}`, args: ['check', '{check}'], format: 'json', applied, okCodes: [0, 1, 2] };
    }
  },
};
