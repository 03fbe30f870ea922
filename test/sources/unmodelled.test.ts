/**
 * Refusals of modes the engine does not model (ambient in-pod rules, nftables), from
 * Istio's own goldens and real `nft` output (test/fixtures/inputs/refuse/), and the
 * check that no ordinary iptables input is refused.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { loadRulesText } from '../../src/sources/rule-text.js';

const ROOT = join(import.meta.dirname, '../..');
const REFUSE = join(ROOT, 'test/fixtures/inputs/refuse');

const AMBIENT = 'this is an ambient-mode in-pod rule set (istio-cni for ztunnel: ISTIO_PRERT, mark ';
const nft = (shape: string) => `this is nftables input (${shape}); native nftables is not modelled yet`;

const CASES: Array<{ file: string; line: number; message: string }> = [
  { file: 'ambient-default.golden', line: 4, message: `${AMBIENT}0x539/0xfff); ambient mode is not modelled yet` },
  { file: 'ambient-ingress-ipv6.golden', line: 4, message: `${AMBIENT}0x539/0xfff); ambient mode is not modelled yet` },
  { file: 'ambient-virtual-interfaces.golden', line: 4, message: `${AMBIENT}0x539/0xfff); ambient mode is not modelled yet` },
  { file: 'ambient-save.txt', line: 9, message: `${AMBIENT}0x111/0xfff); ambient mode is not modelled yet` },
  { file: 'knftables-ambient-default.golden', line: 1, message: nft('a knftables transaction') },
  { file: 'knftables-sidecar-tproxy.golden', line: 1, message: nft('a knftables transaction') },
  { file: 'istio-1.28-native-nftables.log', line: 15, message: nft('a knftables transaction in an istio log') },
  { file: 'nft-list-ruleset-empty.txt', line: 1, message: nft('nft list ruleset') },
  { file: 'nft-list-ruleset-tproxy.txt', line: 1, message: nft('nft list ruleset') },
  { file: 'nft-json-hostprobe.json', line: 1, message: nft('nft -j list ruleset') },
  { file: 'nft-json-chain.json', line: 1, message: nft('nft -j list ruleset') },
];

/** What loading `text` as a rule source throws (null when it loads), through the path the CLI takes. */
function refusal(text: string, file: string): InputError | null {
  try {
    loadRulesText(text, file, file);
    return null;
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}

describe('refuseUnmodelled: modes the engine does not model', () => {
  it('every fixture of the refusal directory has a case', () => {
    expect(readdirSync(REFUSE).sort()).toEqual(CASES.map((c) => c.file).sort());
  });
  for (const c of CASES) {
    it(`${c.file}: line ${c.line}, "${c.message.slice(0, 60)}…"`, () => {
      const err = refusal(readFileSync(join(REFUSE, c.file), 'utf8'), c.file);
      expect(err?.format()).toBe(`${c.file}:${c.line}: ${c.message}`);
    });
  }
  it('finds a knftables transaction inside JSON log records and behind journald prefixes', () => {
    const json = '{"level":"info","msg":"nftables rules programmed:\\nadd table inet istio-proxy-nat\\nflush table inet istio-proxy-nat"}\n';
    expect(refusal(json, 'j.log')?.format()).toBe(`j.log:1: ${nft('a knftables transaction in an istio log')}`);
    const journal = 'Mar 01 12:00:00 vm1 istio-start.sh[6717]: table ip nat {\n';
    expect(refusal(journal, 'vm.log')?.format()).toBe(`vm.log:1: ${nft('nft list ruleset')}`);
  });
});

describe('refuseUnmodelled: ordinary iptables input is not refused', () => {
  const dirs = ['test/fixtures/inputs', 'test/fixtures/kube-proxy', 'test/fixtures/mixed', 'rules', 'test/fixtures'];
  const files = dirs.flatMap((d) =>
    readdirSync(join(ROOT, d), { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(d, e.name)),
  );
  it('finds the inputs to check', () => expect(files.length).toBeGreaterThan(20));
  for (const f of files) {
    it(`${f} loads`, () => expect(refusal(readFileSync(join(ROOT, f), 'utf8'), f)?.format() ?? null).toBeNull());
  }
  it('a large (lazily loaded) ambient dump is refused too', () => {
    const save = readFileSync(join(REFUSE, 'ambient-save.txt'), 'utf8');
    const filler = Array.from({ length: 2100 }, (_, i) => `-A KUBE-SERVICES -d 10.96.${i >> 8}.${i & 255}/32 -j RETURN`).join('\n');
    const big = save.replace(':ISTIO_PRERT - [0:0]\n', `:ISTIO_PRERT - [0:0]\n:KUBE-SERVICES - [0:0]\n${filler}\n`);
    expect(refusal(big, 'big')?.message).toMatch(/^this is an ambient-mode in-pod rule set/);
  });
  it('a sidecar TPROXY dump (mark 0x539/0xffffffff, no ISTIO_PRERT) and the ambient host SNAT rule are not ambient in-pod rules', () => {
    const tproxy = '*mangle\n:PREROUTING ACCEPT [0:0]\n:ISTIO_DIVERT - [0:0]\n-A ISTIO_DIVERT -j MARK --set-xmark 0x539/0xffffffff\nCOMMIT\n';
    expect(refusal(tproxy, 't')).toBeNull();
    const host = '*nat\n:ISTIO_POSTRT - [0:0]\n-A ISTIO_POSTRT -m owner --socket-exists -p tcp -m set --match-set istio-inpod-probes-v4 dst -j SNAT --to-source 169.254.7.127\nCOMMIT\n';
    expect(refusal(host, 'h')).toBeNull();
  });
  it('a comment that mentions nftables is not nftables input', () => {
    const text = '# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n# nftables backend\n*nat\n-A OUTPUT -m comment --comment "table inet x {" -j RETURN\nCOMMIT\n';
    expect(refusal(text, 'c')).toBeNull();
  });
});
