/**
 * The "Istio-like" shape: a rule set from the project's own Istio generator (src/istio/generator)
 * with random version and options (REDIRECT or TPROXY, DNS capture, dual stack, port and range
 * exclusions, drop-invalid, CNI), then mutated: rules dropped, duplicated, swapped, `!` flipped,
 * ports, marks, uids and addresses changed, a built-in policy set to DROP, a generic rule added.
 */
import type { Family } from '../../src/core/types.js';
import { defaultIstioOptions, generateRules, ISTIO_VERSIONS, saveFormOf, type IstioOptions } from '../../src/istio/generator/index.js';
import { ADDRESSES, IDS, MARKS, PORTS } from './pool.js';
import type { Random } from './random.js';
import { parseTables, type RuleSetText, type TableText } from './ruleset-text.js';
import { genericRuleSet } from './generic.js';

function randomOptions(r: Random): IstioOptions {
  const o = defaultIstioOptions(r.pick(ISTIO_VERSIONS), r.chance(0.25) ? 'cni' : 'init');
  if (r.chance(0.3)) o.mode = 'TPROXY';
  if (r.chance(0.4)) {
    o.dnsCapture = true;
    o.captureAllDns = r.chance(0.5) || o.installer === 'cni';
  }
  o.ipv6 = r.chance(0.3);
  if (r.chance(0.3)) o.includeInboundPorts = r.shuffle([80, 8080, 9080, 3306]).slice(0, r.int(1, 3));
  if (r.chance(0.3)) o.excludeInboundPorts = [...o.excludeInboundPorts, r.pick([22, 3306, 9080])];
  if (r.chance(0.3)) o.excludeOutboundPorts = [r.pick([3306, 443, 80])];
  if (r.chance(0.2)) o.includeOutboundPorts = [r.pick([3306, 5432])];
  if (r.chance(0.3)) o.excludeOutboundIPRanges = [r.pick(['10.96.0.0/16', '10.244.2.0/24', '192.168.0.0/16'])];
  if (r.chance(0.2)) o.includeOutboundIPRanges = [r.pick(['10.244.0.0/16', '10.96.0.0/12'])];
  if (r.chance(0.2)) o.dropInvalid = true;
  return o;
}

type Mutation = (tables: TableText[], r: Random, family: Family) => void;

const allRules = (tables: TableText[]) => tables.flatMap((t) => t.rules.map((rule, i) => ({ t, i, rule })));

const MUTATIONS: Mutation[] = [
  // Drop a rule.
  (ts, r) => {
    const all = allRules(ts);
    if (all.length) {
      const { t, i } = r.pick(all);
      t.rules.splice(i, 1);
    }
  },
  // Duplicate a rule.
  (ts, r) => {
    const all = allRules(ts);
    if (all.length) {
      const { t, i, rule } = r.pick(all);
      t.rules.splice(i, 0, { ...rule });
    }
  },
  // Swap a rule with the next one of its chain.
  (ts, r) => {
    const all = allRules(ts);
    if (!all.length) return;
    const { t, i, rule } = r.pick(all);
    const j = t.rules.findIndex((x, k) => k > i && x.chain === rule.chain);
    if (j > 0) [t.rules[i], t.rules[j]] = [t.rules[j]!, t.rules[i]!];
  },
  // Flip `!` in front of one option.
  (ts, r) => {
    const all = allRules(ts);
    if (!all.length) return;
    const { rule } = r.pick(all);
    const opts = [...rule.spec.matchAll(/(^|\s)(! )?(-[sdio]|--uid-owner|--gid-owner|--dport|--sport|--mark|--ctstate|--dst-type|--src-type) /g)];
    if (!opts.length) return;
    const m = r.pick(opts);
    const at = m.index! + m[1]!.length;
    rule.spec = m[2] ? rule.spec.slice(0, at) + rule.spec.slice(at + 2) : `${rule.spec.slice(0, at)}! ${rule.spec.slice(at)}`;
  },
  // Change a port.
  (ts, r) => replaceIn(ts, r, /(--dport|--sport|--to-ports|--on-port) (\d+)/g, () => String(r.pick(PORTS))),
  // Change a uid or gid.
  (ts, r) => replaceIn(ts, r, /(--uid-owner|--gid-owner) (\d+)/g, () => String(r.pick(IDS))),
  // Change a mark.
  (ts, r) => replaceIn(ts, r, /(--mark|--tproxy-mark|--set-xmark) (0x[0-9a-f]+)/g, () => r.pick(MARKS)),
  // Change an address.
  (ts, r, f) => replaceIn(ts, r, /(-[sd]) ([0-9a-f.:]+\/\d+)/g, () => r.pick(ADDRESSES[f])),
  // A DROP policy on a filter or mangle chain.
  (ts, r) => {
    const t = ts.find((x) => x.name === 'filter') ?? ts.find((x) => x.name === 'mangle');
    if (t) r.pick(t.chains.filter((c) => c.policy !== null)).policy = 'DROP';
  },
];

function replaceIn(ts: TableText[], r: Random, re: RegExp, value: () => string): void {
  const hits = allRules(ts).filter(({ rule }) => new RegExp(re.source).test(rule.spec));
  if (!hits.length) return;
  const { rule } = r.pick(hits);
  const ms = [...rule.spec.matchAll(re)];
  const m = r.pick(ms);
  const at = m.index! + m[1]!.length + 1;
  rule.spec = rule.spec.slice(0, at) + value() + rule.spec.slice(at + m[2]!.length);
}

/** Add one rule of the generic shape to a table of the same name, when the rule set has one. */
function addGeneric(ts: TableText[], r: Random, family: Family): void {
  const donor = genericRuleSet(r)[family === 'ipv4' ? 'ipv4' : 'ipv4'];
  const t = r.pick(ts);
  const from = donor.find((d) => d.name === t.name);
  const rule = from?.rules.find((x) => !x.spec.includes('FZ_') && t.chains.some((c) => c.name === x.chain));
  if (rule && family === 'ipv4') t.rules.splice(r.int(0, t.rules.length), 0, rule);
}

export function istioLikeRuleSet(r: Random): { rules: RuleSetText; title: string } {
  for (;;) {
    const o = randomOptions(r);
    let generated;
    try {
      generated = generateRules(o);
    } catch {
      continue; // an option combination this version refuses
    }
    // In save form (every built-in chain declared, canonical rules), as the profiles in rules/ are.
    const v6 = generated.restore.ipv6;
    const rules: RuleSetText = { ipv4: parseTables(saveFormOf(generated.restore.ipv4, 'ipv4')), ipv6: v6 ? parseTables(saveFormOf(v6, 'ipv6')) : null };
    const n = r.int(0, 3);
    const applied: string[] = [];
    for (let i = 0; i < n; i++) {
      const family: Family = rules.ipv6 && r.chance(0.3) ? 'ipv6' : 'ipv4';
      const ts = family === 'ipv4' ? rules.ipv4 : rules.ipv6!;
      const k = r.int(0, MUTATIONS.length);
      if (k === MUTATIONS.length) addGeneric(ts, r, family);
      else MUTATIONS[k]!(ts, r, family);
      applied.push(`m${k}${family === 'ipv6' ? '/6' : ''}`);
    }
    const extras = [o.installer, o.mode, o.dnsCapture ? 'dns' : '', o.ipv6 ? 'dual' : '', o.dropInvalid ? 'drop-invalid' : ''].filter(Boolean);
    return { rules, title: `istio ${o.version} ${extras.join(' ')}${applied.length ? ` mutations ${applied.join(',')}` : ''}` };
  }
}
