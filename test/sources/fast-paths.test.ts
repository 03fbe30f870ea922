/**
 * The parser's fast paths (issue 6) must give exactly what the general code gives:
 * each is compared here with a reference (the straightforward implementation it
 * replaced, or the general path itself) on fixtures and on generated input.
 * Nothing here is timed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadRulesText } from '../../src/sources/rule-text.js';
import { InputError, RuleSyntaxError } from '../../src/core/errors.js';
import { commentMatch } from '../../src/core/matches/comment.js';
import { addressFromValue, parseAddress, parseCidr, type Address, type Cidr } from '../../src/core/net/address.js';
import { extractRuleBlocks } from '../../src/sources/extract.js';
import { isUnknownMatch, type Rule, type Ruleset } from '../../src/core/ruleset/model.js';
import { parseRuleSpec, saveRuleSpec } from '../../src/sources/iptables/rule-spec.js';
import { saveRuleset } from '../../src/sources/iptables/save.js';
import { tokenize } from '../../src/sources/iptables/tokenize.js';
import type { Family } from '../../src/core/types.js';
import { generateKubeProxyDump, rng as random } from '../../bench/generate.js';
import { rulesetOf } from '../helpers/rules.js';

const ROOT = join(import.meta.dirname, '../..');

/** Every text input the repository has: fixtures, profiles, round-trip tables. */
function corpus(): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  for (const dir of ['test/fixtures/inputs', 'test/fixtures/mixed', 'rules', 'test/data/roundtrip']) {
    for (const f of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!f.isFile()) continue;
      out.push({ name: `${dir}/${f.name}`, text: readFileSync(join(f.parentPath, f.name), 'utf8') });
    }
  }
  out.push({ name: 'test/fixtures/kernel-traces.rules', text: readFileSync(join(ROOT, 'test/fixtures/kernel-traces.rules'), 'utf8') });
  return out;
}


function randomString(r: () => number, alphabet: string[], max: number): string {
  let s = '';
  const n = Math.floor(r() * (max + 1));
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)]!;
  return s;
}

function outcome<T>(f: () => T): { ok: T } | { error: string } {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

// ---------------------------------------------------------------------------
// tokenize: the character-by-character implementation it replaced
// ---------------------------------------------------------------------------

function referenceTokenize(line: string, shellQuotes = false): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else if (ch === quote) quote = null;
      else cur += ch;
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      if (inToken) {
        out.push(cur);
        cur = '';
        inToken = false;
      }
      continue;
    }
    inToken = true;
    if (ch === '"' || (shellQuotes && ch === "'")) quote = ch;
    else if (ch === '\\' && i + 1 < line.length) cur += line[++i];
    else cur += ch;
  }
  if (quote) throw new RuleSyntaxError(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (inToken) out.push(cur);
  return out;
}

describe('tokenize fast paths', () => {
  it('split every line of every fixture as the reference does', () => {
    let lines = 0;
    for (const { text } of corpus()) {
      for (const line of text.split(/\r?\n/)) {
        for (const shell of [false, true]) expect(outcome(() => tokenize(line, shell))).toEqual(outcome(() => referenceTokenize(line, shell)));
        lines++;
      }
    }
    expect(lines).toBeGreaterThan(1000);
  });

  it('split random lines of blanks, quotes and backslashes as the reference does', () => {
    const r = random(6);
    const alphabet = ['a', 'b', '-', ' ', ' ', '\t', '"', '"', "'", '\\', ':'];
    for (let k = 0; k < 5000; k++) {
      const line = randomString(r, alphabet, 14);
      for (const shell of [false, true]) expect(outcome(() => tokenize(line, shell)), JSON.stringify(line)).toEqual(outcome(() => referenceTokenize(line, shell)));
    }
  });

  it('keeps quoted blanks and tabs, drops the quotes, reports an open quote', () => {
    expect(tokenize('-A X -m comment --comment "a  b\tc" -j Y')).toEqual(['-A', 'X', '-m', 'comment', '--comment', 'a  b\tc', '-j', 'Y']);
    expect(tokenize('a"b c"d ""  e')).toEqual(['ab cd', '', 'e']);
    expect(() => tokenize('-A X --comment "open')).toThrow('unterminated double quote');
  });
});

// ---------------------------------------------------------------------------
// Addresses: the ipaddr.js-only implementation they replaced
// ---------------------------------------------------------------------------

function referenceAddress(text: string): Address | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const bytes = ipaddr.IPv4.parse(text).toByteArray();
    const value = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    return { family: 'ipv4', value, text: bytes.join('.') };
  }
  if (ipaddr.IPv6.isValid(text) && !text.includes('/')) {
    const addr = ipaddr.IPv6.parse(text.replace(/%.*$/, ''));
    let value = 0n;
    for (const part of addr.parts) value = (value << 16n) | BigInt(part);
    return { family: 'ipv6', value, text: addr.toString() };
  }
  return null;
}

function referenceFromValue(family: Family, value: number | bigint): Address {
  if (family === 'ipv4') {
    const v = Number(value) >>> 0;
    return { family, value: v, text: [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.') };
  }
  const parts: number[] = [];
  let v = BigInt(value);
  for (let i = 0; i < 8; i++) {
    parts.unshift(Number(v & 0xffffn));
    v >>= 16n;
  }
  return { family, value: BigInt(value), text: new ipaddr.IPv6(parts).toString() };
}

function referenceCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const base = referenceAddress(slash < 0 ? text : text.slice(0, slash));
  if (!base) return null;
  const max = base.family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const maskText = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(maskText)) {
      prefix = Number(maskText);
      if (prefix > max) return null;
    } else if (base.family === 'ipv4' && ipaddr.IPv4.isValidFourPartDecimal(maskText)) {
      const p = ipaddr.IPv4.parse(maskText).prefixLengthFromSubnetMask();
      if (p === null) return null;
      prefix = p;
    } else {
      return null;
    }
  }
  if (base.family === 'ipv4') {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { family: 'ipv4', base: referenceFromValue('ipv4', ((base.value as number) & mask) >>> 0), prefix };
  }
  const mask = prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
  return { family: 'ipv6', base: referenceFromValue('ipv6', (base.value as bigint) & mask), prefix };
}

describe('address fast paths', () => {
  const fixed = [
    '10.244.0.1', '0.0.0.0', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1..3.4', '.1.2.3', '1.2.3.',
    '1.2.3.04', '0x1.2.3.4', ' 1.2.3.4', '1.2.3.4 ', '10.0.0.1/8', '10.0.0.1/33', '10.0.0.1/255.0.0.0', '10.0.0.1/255.0.255.0',
    '::', '::1', '::6', '1::', '::ffff:1.2.3.4', 'fd00:10:244:1::5', 'FD00:10:244:1::5', '2001:db8:0:0:1:0:0:1', '2001:0db8::0001',
    '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7', '1:2:3:4::5:6:7:8', ':1::2', '1:::2', '1::2::3',
    '12345::1', 'fe80::1%eth0', '0:0:1:0:0:1:0:0', '1:0:0:2:0:0:0:3', '::1/128', '::1/129', 'fd00::/8', 'fd00:1::/64', '::/0',
  ];

  it('parse fixed edge cases as ipaddr.js does', () => {
    for (const t of fixed) {
      expect(parseAddress(t), t).toEqual(referenceAddress(t));
      expect(parseCidr(t), t).toEqual(referenceCidr(t));
    }
  });

  it('parse random IPv4 and IPv6 text as ipaddr.js does', () => {
    const r = random(4);
    const v4 = ['0', '1', '2', '5', '9', '.', '.', '.', '/', '3'];
    const v6 = ['0', '1', 'a', 'F', 'f', ':', ':', ':', '.', '/', '8', '%'];
    for (let k = 0; k < 3000; k++) {
      const t = randomString(r, k % 2 ? v4 : v6, 16);
      expect(outcome(() => parseAddress(t)), t).toEqual(outcome(() => referenceAddress(t)));
      expect(outcome(() => parseCidr(t)), t).toEqual(outcome(() => referenceCidr(t)));
    }
  });

  it('write IPv6 text as ipaddr.js does for any groups', () => {
    const r = random(5);
    for (let k = 0; k < 1000; k++) {
      let v = 0n;
      for (let i = 0; i < 8; i++) v = (v << 16n) | BigInt(r() < 0.5 ? 0 : Math.floor(r() * 65536));
      expect(addressFromValue('ipv6', v)).toEqual(referenceFromValue('ipv6', v));
    }
  });
});

// ---------------------------------------------------------------------------
// Input extraction: the table-text fast path against the general path
// ---------------------------------------------------------------------------

describe('extract fast path', () => {
  const both = (text: string, name: string) => [
    outcome(() => extractRuleBlocks(text, name)),
    outcome(() => extractRuleBlocks(text, name, { tableTextFastPath: false })),
  ];

  it('gives every fixture the blocks, notes and errors of the general path', () => {
    for (const { name, text } of corpus()) {
      const [fast, general] = both(text, name);
      expect(fast, name).toEqual(general);
    }
  });

  it('gives table text with banners, strays, errors and odd lines the result of the general path', () => {
    const cases = [
      '*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j RETURN\nCOMMIT\n',
      '# Generated by iptables-save v1.8.9\n*nat\n:OUTPUT ACCEPT [0:0]\n[3:180] -A OUTPUT -j RETURN\nCOMMIT\n',
      '----\n*nat\n-A OUTPUT -j RETURN\nCOMMIT\n',
      '-A OUTPUT -j RETURN\n',
      '*nat\n-A OUTPUT -j RETURN\n',
      '*nat\n-A OUTPUT -j RETURN\nCOMMIT\nCOMMIT\n',
      '*nat\n-A OUTPUT -j RETURN\n-Z\nCOMMIT\n',
      '* nat\n-N X\n-A X -j RETURN\nCOMMIT\n',
      '*nat\n-A\tOUTPUT -j RETURN\n-A  OUTPUT -j RETURN\n-A \u00a0OUTPUT -j RETURN\nCOMMIT\n',
      '#\n#\n',
      '',
      '*nat\n:OUTPUT ACCEPT [0:0]\nCOMMIT extra=1\n*filter\n-A INPUT -j ACCEPT\nCOMMIT\n',
      '*nat\n-A OUTPUT -j RETURN\nCOMMIT\n*nat\n-A OUTPUT -j RETURN\nCOMMIT\n',
      '*/usr/sbin/iptables-save\n*nat\n-A OUTPUT -j RETURN\nCOMMIT\n',
      '-x/iptables -t nat -A OUTPUT -m comment --comment \'open\n*nat\nCOMMIT\n',
    ];
    for (const text of cases) {
      const [fast, general] = both(text, 'case');
      expect(fast, JSON.stringify(text)).toEqual(general);
    }
  });

  it('gives random table-like text the result of the general path', () => {
    const r = random(7);
    const lines = ['*nat', '*filter', '* mangle', ':OUTPUT ACCEPT [0:0]', ':X - [0:0]', '-A OUTPUT -j RETURN', '-A X -j RETURN', '-N X', '-I OUTPUT -j X', 'COMMIT', '', '# c', '----', '[1:2] -A OUTPUT -j ACCEPT', '-A', '-A '];
    for (let k = 0; k < 1000; k++) {
      const n = Math.floor(r() * 10);
      const text = Array.from({ length: n }, () => lines[Math.floor(r() * lines.length)]!).join('\n');
      const [fast, general] = both(text, 'random');
      expect(fast, JSON.stringify(text)).toEqual(general);
    }
  });

});

// ---------------------------------------------------------------------------
// Rule text: built on first use, same text as before
// ---------------------------------------------------------------------------

function allRules(rs: Ruleset): Rule[] {
  const out: Rule[] = [];
  for (const fr of Object.values(rs.families)) for (const t of fr!.tables.values()) for (const c of t.chains.values()) out.push(...c.rules);
  return out;
}

describe('lazy rule text', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is built only when read, once, and equals the canonical save text', () => {
    const save = vi.spyOn(commentMatch, 'save');
    const rs = rulesetOf('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "a b" -j ACCEPT\n-A INPUT -m comment --comment c -j DROP\nCOMMIT', 'save');
    expect(save).not.toHaveBeenCalled();
    const [first, second] = allRules(rs);
    expect(first!.text).toBe('-A INPUT -m comment --comment "a b" -j ACCEPT');
    expect(first!.text).toBe('-A INPUT -m comment --comment "a b" -j ACCEPT');
    expect(save).toHaveBeenCalledTimes(1);
    expect(second!.text).toBe(`-A INPUT ${saveRuleSpec(second!)}`);
    expect(save).toHaveBeenCalledTimes(3);
  });

  it('reads the target as it is when first read (after COMMIT resolved unmodelled targets)', () => {
    const rs = rulesetOf('*raw\n-A OUTPUT -p udp -j NOTRACK\nCOMMIT');
    const [rule] = allRules(rs);
    expect(rule!.target).toEqual({ kind: 'unknown', name: 'NOTRACK', tokens: [] });
    expect(rule!.text).toBe('-A OUTPUT -p udp -j NOTRACK');
  });

  it('can be set, and is part of the JSON form', () => {
    const [spec] = parseRuleSpec(tokenize('-p tcp --dport 80 -j ACCEPT'), { family: 'ipv4', table: 'filter' });
    expect(JSON.parse(JSON.stringify(spec)).text).toBe('-p tcp -m tcp --dport 80 -j ACCEPT');
    spec!.text = 'x';
    expect(spec!.text).toBe('x');
    const rs = rulesetOf('*filter\n-A INPUT -i lo -j ACCEPT\nCOMMIT');
    const [rule] = allRules(rs);
    expect(JSON.parse(JSON.stringify(rule))).toMatchObject({ text: '-A INPUT -i lo -j ACCEPT', provenance: { file: 'test.rules', line: 2, raw: '-A INPUT -i lo -j ACCEPT' } });
  });

  it('saves every rule of every profile and fixture as the save text of its parts', () => {
    for (const { name, text } of corpus()) {
      if (!name.startsWith('rules/') && !name.startsWith('test/fixtures/')) continue;
      const rs = outcome(() => loadRulesText(text, name, name));
      if ('error' in rs) continue;
      for (const rule of allRules(rs.ok)) {
        const spec = saveRuleSpec(rule);
        expect(rule.text, name).toBe(spec ? `-A ${/^-A (\S+)/.exec(rule.text)![1]} ${spec}` : rule.text);
      }
    }
  });
});

// ---------------------------------------------------------------------------
// A node dump of kube-proxy's shape
// ---------------------------------------------------------------------------

describe('generated kube-proxy dump', () => {
  const dump = generateKubeProxyDump({ rules: 3000, seed: 9 });

  it('has the shape it promises', () => {
    expect(dump.ruleCount).toBeGreaterThanOrEqual(2900);
    expect(dump.ruleCount).toBeLessThanOrEqual(3100);
    expect(dump.text).toContain('-m statistic --mode random --probability 0.50000000000');
    expect(dump.text).toMatch(/-j DNAT --to-destination 10\.244\.\d+\.\d+:\d+/);
    expect(dump.text).toContain('-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
    expect(dump.text).toContain('-m conntrack --ctstate INVALID -j DROP');
    expect(dump.text).toContain('-j MARK --set-xmark 0x4000/0x4000');
    expect(generateKubeProxyDump({ rules: 3000, seed: 9 }).text).toBe(dump.text);
  });

  it('loads every rule, and saves and reloads to the same rules', () => {
    const rs = loadRulesText(dump.text, 'kp.rules', 'kp.rules');
    const rules = allRules(rs);
    expect(rules).toHaveLength(dump.ruleCount);
    expect(rules.filter((r) => r.matches.some((m) => !isUnknownMatch(m) && m.module.name === 'statistic')).length).toBeGreaterThan(100);
    const again = loadRulesText(saveRuleset(rs, 'ipv4')!, 'again', 'again');
    // iptables-save order differs (tables in kernel order, user chains by name): compare as sets.
    expect(allRules(again).map((r) => r.text).sort()).toEqual(rules.map((r) => r.text).sort());
  });

  it('with --validate all, stops at a bad rule in a chain no trace visits, with its line', () => {
    const lines = dump.text.split('\n');
    const at = lines.findLastIndex((l) => l.startsWith('-A KUBE-SEP-'));
    const chain = /^-A (\S+)/.exec(lines[at]!)![1];
    lines.splice(at + 1, 0, `-A ${chain} -p tcp -m tcp --dport 70000 -j ACCEPT`);
    const e = outcome(() => loadRulesText(lines.join('\n'), 'kp.rules', 'kp.rules', 'all'));
    expect(e).toEqual({ error: expect.stringContaining('invalid port "70000"') });
    try {
      loadRulesText(lines.join('\n'), 'kp.rules', 'kp.rules', 'all');
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).line).toBe(at + 2);
    }
  });

  it('by default (a large dump), loads it and stops at the bad rule when it is read, with its line', () => {
    const lines = dump.text.split('\n');
    const at = lines.findLastIndex((l) => l.startsWith('-A KUBE-SEP-'));
    const chain = /^-A (\S+)/.exec(lines[at]!)![1]!;
    lines.splice(at + 1, 0, `-A ${chain} -p tcp -m tcp --dport 70000 -j ACCEPT`);
    const rs = loadRulesText(lines.join('\n'), 'kp.rules', 'kp.rules');
    const rules = rs.families.ipv4!.tables.get('nat')!.chains.get(chain)!.rules;
    const bad = rules[rules.length - 1]!;
    let err: unknown;
    try {
      void bad.matches;
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toContain('invalid port "70000"');
    expect((err as InputError).line).toBe(at + 2);
  });

  it('reports a jump loop found deep in the table as the name-ordered search does', () => {
    const text = '*filter\n-N Z\n-N Y\n-N B\n-N A\n-A INPUT -j Z\n-A Z -j Y\n-A Y -j B\n-A B -j A\n-A A -j B\nCOMMIT';
    expect(outcome(() => rulesetOf(text))).toEqual({ error: 'InputError: chain loop: A -> B -> A (the kernel rejects rule sets with jump cycles)' });
  });
});
