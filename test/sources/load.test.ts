import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { chainTexts, rulesetOf } from '../helpers/rules.js';

describe('restore operations are applied in file order', () => {
  it('-I inserts at the given position after earlier appends (kube-virt order, reference §2.3)', () => {
    const rs = rulesetOf(['* nat', '-N ISTIO_REDIRECT', '-I PREROUTING 1 -i eth1 -j RETURN', '-I PREROUTING 1 -i eth2 -j RETURN', '-A PREROUTING -p tcp -j RETURN', '-I PREROUTING 1 -i eth1 -j ISTIO_REDIRECT', 'COMMIT'].join('\n'));
    expect(chainTexts(rs, 'nat', 'PREROUTING')).toEqual([
      '-A PREROUTING -i eth1 -j ISTIO_REDIRECT',
      '-A PREROUTING -i eth2 -j RETURN',
      '-A PREROUTING -i eth1 -j RETURN',
      '-A PREROUTING -p tcp -j RETURN',
    ]);
  });
  it('-I without a position inserts first; -D, -R and -F edit as iptables does', () => {
    const rs = rulesetOf(['*filter', '-A INPUT -s 10.0.0.1/32 -j DROP', '-A INPUT -s 10.0.0.2/32 -j DROP', '-I INPUT -s 10.0.0.3/32 -j ACCEPT', '-D INPUT 2', '-R INPUT 1 -s 10.0.0.4/32 -j ACCEPT', 'COMMIT'].join('\n'));
    expect(chainTexts(rs, 'filter', 'INPUT')).toEqual(['-A INPUT -s 10.0.0.4/32 -j ACCEPT', '-A INPUT -s 10.0.0.2/32 -j DROP']);
  });
  it('expands -s a,b into one rule per address, as iptables does', () => {
    const rs = rulesetOf('*filter\n-A INPUT -s 10.0.0.1,10.0.0.2 -j DROP\nCOMMIT');
    expect(chainTexts(rs, 'filter', 'INPUT')).toEqual(['-A INPUT -s 10.0.0.1/32 -j DROP', '-A INPUT -s 10.0.0.2/32 -j DROP']);
  });
  it('keeps provenance: file, line and raw text', () => {
    const rs = rulesetOf('*nat\n:ISTIO_OUTPUT - [0:0]\n-A OUTPUT -p tcp -j ISTIO_OUTPUT\nCOMMIT', 'save');
    const rule = rs.families.ipv4!.tables.get('nat')!.chains.get('OUTPUT')!.rules[0]!;
    expect(rule.provenance).toEqual({ file: 'test.rules', line: 3, raw: '-A OUTPUT -p tcp -j ISTIO_OUTPUT' });
  });
  it('ignores counters and sets policies', () => {
    const rs = rulesetOf('*filter\n:INPUT DROP [10:600]\n[3:180] -A INPUT -i lo -j ACCEPT\nCOMMIT', 'save');
    const chain = rs.families.ipv4!.tables.get('filter')!.chains.get('INPUT')!;
    expect(chain.policy).toBe('DROP');
    expect(chain.rules.map((r) => r.text)).toEqual(['-A INPUT -i lo -j ACCEPT']);
  });
  it('creates a built-in chain only when the input uses it (nft-backed iptables-restore)', () => {
    const rs = rulesetOf('* nat\n-N X\n-A OUTPUT -j X\nCOMMIT');
    expect([...rs.families.ipv4!.tables.get('nat')!.chains.keys()].sort()).toEqual(['OUTPUT', 'X']);
  });
  it('infers IPv6 from the addresses when nothing else says', () => {
    const rs = rulesetOf('*nat\n-A OUTPUT -s ::6/128 -o lo -j RETURN\nCOMMIT');
    expect(Object.keys(rs.families)).toEqual(['ipv6']);
  });
  it('keeps a -j to an unmodelled target extension as unknown instead of failing', () => {
    const rs = rulesetOf('*mangle\n-A POSTROUTING -p tcp -j TCPMSS --clamp-mss-to-pmtu\n-A OUTPUT -j NFQUEUE\nCOMMIT');
    const t = rs.families.ipv4!.tables.get('mangle')!;
    expect(t.chains.get('POSTROUTING')!.rules[0]!.target).toMatchObject({ kind: 'unknown', name: 'TCPMSS', tokens: ['--clamp-mss-to-pmtu'] });
    expect(t.chains.get('OUTPUT')!.rules[0]!.target).toMatchObject({ kind: 'unknown', name: 'NFQUEUE' });
  });
  it('keeps an unknown match verbatim', () => {
    const rs = rulesetOf('*filter\n-A INPUT -m recent --name ssh --rcheck --seconds 60 -j DROP\nCOMMIT');
    expect(chainTexts(rs, 'filter', 'INPUT')).toEqual(['-A INPUT -m recent --name ssh --rcheck --seconds 60 -j DROP']);
  });
});

describe('bad input names the line and what was expected', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['unknown table', '*natt\nCOMMIT', 1, /unknown table "natt"/],
    ['missing COMMIT', '*nat\n-A OUTPUT -j RETURN', 1, /missing COMMIT for table nat started at line 1/],
    ['jump to a missing chain', '*nat\n-A OUTPUT -j ISTIO_OUTPUT\nCOMMIT', 2, /jump to chain "ISTIO_OUTPUT" that does not exist/],
    ['chain loop', '*filter\n-N A\n-N B\n-A A -j B\n-A B -j A\nCOMMIT', 4, /chain loop: A -> B -> A/],
    ['malformed rule', '*filter\n-A INPUT -s 10.0.0.300 -j DROP\nCOMMIT', 2, /invalid address "10.0.0.300"/],
    ['unknown option', '*filter\n-A INPUT --bogus 1 -j DROP\nCOMMIT', 2, /unknown option "--bogus"/],
    ['rule outside a table', '-A INPUT -j DROP', 1, /outside a table/],
    ['append to a missing user chain', '*filter\n-A NOPE -j DROP\nCOMMIT', 2, /chain "NOPE" does not exist/],
    ['insert position too big', '*filter\n-I INPUT 3 -j DROP\nCOMMIT', 2, /insert position 3 is out of range/],
    ['bad policy', '*filter\n:INPUT MAYBE [0:0]\nCOMMIT', 2, /invalid policy "MAYBE"/],
    ['family mix', '*filter\n-A INPUT -s 10.0.0.1 -d ::1 -j DROP\nCOMMIT', 2, /IPv6 address "::1" in an iptables \(IPv4\) rule|IPv4 address "10.0.0.1" in an ip6tables/],
    ['duplicate -N', '*filter\n-N X\n-N X\nCOMMIT', 3, /chain "X" already exists/],
    ['no tables at all', '# nothing\n', 1, /no iptables tables found/],
  ];
  for (const [name, text, line, message] of cases) {
    it(name, () => {
      let err: unknown;
      try {
        rulesetOf(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      const ie = err as InputError;
      expect(ie.file).toBe('test.rules');
      expect(ie.line).toBe(line);
      expect(ie.message).toMatch(message);
      expect(ie.format()).toMatch(new RegExp(`^test\\.rules:${line}: `));
    });
  }
});
