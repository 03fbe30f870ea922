/**
 * The readers added for pasted formats (`iptables -S` listings, journald and kubectl
 * prefixes, banners, the refusals) on mutated inputs: an answer or an InputError with a
 * line, never another exception.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { extractRuleBlocks } from '../../src/sources/extract.js';
import { loadBlocks } from '../../src/sources/iptables/load.js';
import { refuseAmbient, refuseNftables } from '../../src/sources/unmodelled.js';

const DIR = join(import.meta.dirname, '../fixtures/inputs');
const FILES = [
  'list-rules/tproxy-both-families-prompts.txt',
  'list-rules/tproxy-v4-concatenated.txt',
  'list-rules/nat-v4-counters.txt',
  'vm-1.25-journald.log',
  'istio-1.28-config-json.kubectl-timestamps.log',
  'refuse/knftables-ambient-default.golden',
];
const PIECES = ['-P ', '-N ', '-A ', '$ iptables -t nat -S\n', '# ip6tables -S\n', '\n', ' ', '{', '}', 'table inet x {\n', 'ISTIO_PRERT', '0x539/0xfff', 'Istio config:\n', '"', '*nat\n', 'COMMIT\n', ': ', '[1]: '];

function load(text: string): void {
  refuseNftables(text, 'm');
  const x = extractRuleBlocks(text, 'm');
  refuseAmbient(loadBlocks(x.blocks, { name: 'm', format: x.format }, 'm', x.notes), 'm');
}

describe('new readers on mutated input', () => {
  for (const f of FILES) {
    it(`${f}: 150 mutations give a rule set or an InputError with a line`, () => {
      const base = readFileSync(join(DIR, f), 'utf8');
      let seed = f.length * 7919;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      for (let k = 0; k < 150; k++) {
        let t = base;
        for (let j = 0; j < 3; j++) {
          const at = rand(t.length);
          t = rand(2) ? t.slice(0, at) + PIECES[rand(PIECES.length)]! + t.slice(at) : t.slice(0, at) + t.slice(at + 1 + rand(20));
        }
        try {
          load(t);
        } catch (e) {
          if (!(e instanceof InputError)) throw new Error(`${f}, mutation ${k}: ${String(e)}`);
          expect(e.line === null || e.line >= 1).toBe(true);
        }
      }
    });
  }
});
