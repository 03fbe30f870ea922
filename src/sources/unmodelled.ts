/**
 * Inputs the engine does not model, refused before any trace: a confident trace
 * over rules of another mode would be wrong, which is worse than no answer.
 *
 * - ambient-mode in-pod rules (istio-cni for ztunnel: chain ISTIO_PRERT, marks
 *   0x539/0xfff and 0x111/0xfff; reference istio-next.md §3);
 * - nftables input: `nft list ruleset`, `nft -j list ruleset`, knftables
 *   transactions (`add table inet …`), also inside an istio log.
 *
 * Only shapes that iptables text never has trigger a refusal, so every
 * iptables dump, restore file or log still loads.
 */
import { InputError } from '../core/errors.js';
import { toLogicalLines } from './istio-init/log-prefix.js';
import { lineOf } from '../core/ruleset/rule-facts.js';
import type { Ruleset } from '../core/ruleset/model.js';

/** The ambient in-pod chain; the sidecar's chains are ISTIO_INBOUND, ISTIO_OUTPUT, ISTIO_REDIRECT, … */
const AMBIENT_CHAIN = 'ISTIO_PRERT';
/** The chains whose rules carry the ambient marks. */
const AMBIENT_MARKED = [AMBIENT_CHAIN, 'ISTIO_OUTPUT'];
/** ztunnel's socket mark and the in-pod connection mark, both under mask 0xfff. */
const AMBIENT_MARK = /\b(0x539|0x111)\/0xfff(?![0-9a-fA-F])/;

const NFT_FAMILY = String.raw`(?:ip|ip6|inet|arp|bridge|netdev)`;
/** `table inet istio-proxy-nat {` as `nft list ruleset` prints it. */
const NFT_LIST_TABLE = new RegExp(String.raw`^table\s+${NFT_FAMILY}\s+\S+\s*\{`);
/** `add table inet …`, `flush table inet …`, `add rule inet … ` as knftables (and `nft -f`) take them. */
const NFT_TRANSACTION = new RegExp(
  String.raw`^(?:add|create|insert|replace|flush|delete|destroy)\s+(?:table|chain|rule|set|map|element|flowtable)\s+${NFT_FAMILY}\s`,
);
/** istio-nftables logs its transaction after this line (nftables_api.go, LogNftRules). */
const NFT_LOGGED = /^nftables rules programmed:/;
/** `{"nftables": [...]}` (nft -j list ruleset) or `[{"metainfo": …` (nft -j list chain …). */
const NFT_JSON = /^\s*(?:\{\s*"nftables"\s*:|\[\s*\{\s*"metainfo"\s*:)/;
/** Cheap test before the line-by-line look: every nftables shape above holds one of these. */
const NFT_HINT = new RegExp(String.raw`(?:table|chain|rule|set|element)\s+${NFT_FAMILY}\s|nftables`);

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

/**
 * Throws when the loaded rules are ambient in-pod rules: a chain ISTIO_PRERT and a rule of
 * ISTIO_PRERT or ISTIO_OUTPUT with a 0x539/0xfff or 0x111/0xfff mark. Looked up in the
 * loaded chains, so a node dump of 100,000 rules costs one map lookup per table.
 */
export function refuseAmbient(rs: Ruleset, file: string): void {
  let first: { line: number; mark: string } | null = null;
  let chainLine = Infinity;
  for (const fr of Object.values(rs.families)) {
    for (const table of fr!.tables.values()) {
      const prert = table.chains.get(AMBIENT_CHAIN);
      if (!prert) continue;
      chainLine = Math.min(chainLine, prert.provenance?.line ?? Infinity);
      for (const name of AMBIENT_MARKED) {
        for (const rule of table.chains.get(name)?.rules ?? []) {
          const m = AMBIENT_MARK.exec(rule.text);
          const line = lineOf(rule);
          if (m && (first === null || line < first.line)) first = { line, mark: m[1]! };
        }
      }
    }
  }
  if (first === null) return;
  throw new InputError(
    `this is an ambient-mode in-pod rule set (istio-cni for ztunnel: ISTIO_PRERT, mark ${first.mark}/0xfff); ambient mode is not modelled yet`,
    file,
    Math.min(chainLine, first.line),
  );
}

/** Throws an InputError naming nftables and the shape seen when `text` is nftables input, not iptables. */
export function refuseNftables(text: string, file: string): void {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (NFT_JSON.test(body)) throw nftError('nft -j list ruleset', file, lineAt(body, body.search(/\S/)));
  if (!NFT_HINT.test(body)) return;
  const physical = body.split(/\r?\n/);
  let logged = false;
  for (const l of toLogicalLines(physical)) {
    const t = l.text;
    if (NFT_LOGGED.test(t)) {
      logged = true;
      continue;
    }
    if (NFT_LIST_TABLE.test(t)) throw nftError('nft list ruleset', file, l.line);
    if (NFT_TRANSACTION.test(t)) throw nftError(logged ? 'a knftables transaction in an istio log' : 'a knftables transaction', file, l.line);
    if (NFT_JSON.test(t)) throw nftError('nft -j list ruleset', file, l.line);
  }
}

function nftError(shape: string, file: string, line: number): InputError {
  return new InputError(`this is nftables input (${shape}); native nftables is not modelled yet`, file, line);
}
