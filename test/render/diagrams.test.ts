/** Mermaid and Graphviz renderings are golden files: reviewed once, then held byte for byte. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const GOLDEN = join(import.meta.dirname, '../golden/render');

describe('diagram formats', () => {
  for (const scenario of ['1', '2', '4']) {
    for (const [format, ext] of [['mermaid', 'mmd'], ['dot', 'dot']] as const) {
      it(`scenario ${scenario} as ${format}`, async () => {
        const r = await cli(['--scenario', scenario, '--format', format]);
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(readFileSync(join(GOLDEN, `scenario-${scenario}.${ext}`), 'utf8'));
      });
    }
  }
  it('mermaid names the participants the issue asks for', async () => {
    const out = (await cli(['--scenario', '4', '--format', 'mermaid'])).stdout;
    expect(out).toMatch(/^sequenceDiagram$/m);
    for (const p of ['participant APP as app', 'participant OUT as iptables OUTPUT', 'participant EO as Envoy outbound', 'participant EI as Envoy inbound']) expect(out).toContain(p);
  });
});
