import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findMatch, MATCHES } from '../../../src/core/matches/registry.js';

const TESTS = import.meta.dirname;
const ROUNDTRIP = join(import.meta.dirname, '../../data/roundtrip');

describe('match registry', () => {
  const entries = Object.entries(MATCHES);

  for (const [key, m] of entries) {
    it(`${key}: keyed by its -m name and found by it`, () => {
      expect(m.name).toBe(key);
      expect(findMatch(key)).toBe(m);
      for (const alias of m.aliases ?? []) expect(findMatch(alias)).toBe(m);
    });
    it(`${key}: has test/core/matches/${key}.test.ts`, () => {
      expect(existsSync(join(TESTS, `${key}.test.ts`))).toBe(true);
    });
    it(`${key}: has test/data/roundtrip/${key}.t`, () => {
      expect(existsSync(join(ROUNDTRIP, `${key}.t`))).toBe(true);
    });
  }

  it('resolves the ip6tables spellings of icmp6', () => {
    expect(findMatch('icmpv6')).toBe(MATCHES.icmp6);
    expect(findMatch('ipv6-icmp')).toBe(MATCHES.icmp6);
  });

  it('does not know unmodelled modules', () => {
    expect(findMatch('hashlimit')).toBeUndefined();
  });
});
