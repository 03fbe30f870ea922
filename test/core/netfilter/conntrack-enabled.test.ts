/** nat runs only for tracked packets, and only rules that need conntrack turn it on (measured on Linux 6.18). */
import { describe, expect, it } from 'vitest';
import { hop } from '../../helpers/engine.js';
import { rulesetOf } from '../../helpers/rules.js';

describe('nat needs conntrack', () => {
  const cases: Array<[string, string, string[]]> = [
    ['a nat table of RETURNs alone is never consulted', '*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j RETURN\nCOMMIT', []],
    ['a REDIRECT anywhere turns conntrack on', '*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -j REDIRECT --to-ports 1\n-A OUTPUT -p tcp -j RETURN\nCOMMIT', ['nat OUTPUT#2 RETURN', 'nat OUTPUT policy:ACCEPT']],
    ['so does a conntrack match in another table', '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j RETURN\nCOMMIT', ['nat OUTPUT#1 RETURN', 'nat OUTPUT policy:ACCEPT']],
    ['CT --notrack does not', '*raw\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -j CT --notrack\nCOMMIT\n*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -j RETURN\nCOMMIT', []],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const r = hop(rulesetOf(text), { dst: '10.244.2.7', dport: 80 });
      expect(r.notation.filter((n) => n.startsWith('nat'))).toEqual(expected);
      expect(r.notes.some((n) => n.startsWith('nat chains are not consulted'))).toBe(expected.length === 0);
    });
  }
});
