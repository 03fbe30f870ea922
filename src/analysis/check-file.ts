/**
 * The expectations file of `sidecar-trace check`. Every key is checked: unknown
 * keys, wrong types and bad values are InputErrors with file:line:column from
 * the yaml package's node positions.
 *
 * ```yaml
 * name: payments pod policy          # optional: the JUnit test suite name (default: the file name)
 * rules:                             # optional (default: the built-in default profile); exactly one of
 *   profile: istio-1.25              #   a built-in profile (as --profile)
 *   # file: dumps/pod.txt            #   an iptables-save dump or istio-init log (as --rules), relative to this file
 *   # istio:                         #   the rules Istio generates (as --istio-version, --installer, …):
 *   #   version: "1.25"              #     quote it: 1.10 unquoted is the number 1.1
 *   #   installer: init              #     init | cni
 *   #   annotations: { traffic.sidecar.istio.io/excludeOutboundPorts: "3306" }
 *   #   dnsServers: [10.96.0.10]
 *   #   meshConfig: mesh.yaml        #     relative to this file
 *   #   manifest: deployment.yaml    #     a Pod or Deployment manifest (as --pod), relative to this file
 *   # interceptionMode: TPROXY       #   overrides of what the rules imply (as --interception-mode,
 *   # proxyUid: 1337                 #   --proxy-uid, --proxy-gid, --proxy-port,
 *   # proxyGid: 1337                 #   --inbound-capture-port)
 *   # proxyPort: 15001
 *   # inboundCapturePort: 15006
 * pod: { ips: [10.244.1.5] }         # optional: the pod IPs (as --pod-ip; one IPv4, one IPv6)
 * flows:                             # required: a non-empty list
 *   - name: MySQL bypasses Envoy     # the flow keys are exactly the flow flags:
 *     src: pod                       #   name/title, src, dst, proto, uid, gid, groups, via, inIface
 *     dst: 10.96.0.30:3306
 *     uid: 1000
 *     expect:                        # required, at least one of:
 *       via: none                    #   envoy-outbound | envoy-inbound | none | [envoy-outbound, envoy-inbound]
 *       decidedBy: { chain: ISTIO_OUTPUT, rule: 1 }   # hop 1 unless `hop: N`; table optional; rule: N | policy
 *       outcome: egress              #   of the last hop: delivered | egress | dropped | rejected | forwarded | unknown | hop-limit | budget
 *       path: "Local Pod → OUTPUT → ISTIO_OUTPUT RULE 1 → POSTROUTING → Remote Pod"   # exact; -> accepted
 *       hops:                        #   per hop (in order, or `hop: N`): steps, outcome, listener, decidedBy
 *         - steps: ["nat OUTPUT#1 JUMP:ISTIO_OUTPUT", "nat ISTIO_OUTPUT#1 RETURN", "nat OUTPUT policy:ACCEPT"]
 *           outcome: egress
 * ```
 */
import { dirname, isAbsolute, join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { InputError } from '../core/errors.js';
import type { OutcomeType } from '../core/trace.js';
import { TABLES } from '../core/types.js';
import {
  OUTCOME_TYPES,
  VIA_ROLES,
  type DecidedByExpectation,
  type Expectation,
  type HopExpectation,
  type RuleExpectation,
  type ViaRole,
} from './expectations.js';
import type { RuleSourceNames } from '../istio/source-names.js';
import { flowFromMap, lineOf, type LocatedFlow } from './flow-map.js';

export interface CheckFlow {
  flow: LocatedFlow;
  expect: Expectation;
  /** The flow's mapping, to locate errors found later (e.g. an address that does not resolve). */
  node: YAMLMap;
}

export interface CheckFile {
  file: string;
  /** Suite name for JUnit: the file's `name:`, else the file name. */
  name: string;
  source: RuleSourceNames;
  /** Display of the rule source as the file gives it, e.g. "profile:istio-1.25". */
  sourceLabel: string;
  podIps: string[];
  flows: CheckFlow[];
  /** Locate an error at a node of this file. */
  at(node: Node | null | undefined, message: string): InputError;
  /** The node a rule-source error is blamed on (the profile, file or istio value; null without `rules:`). */
  sourceNode: Node | null;
  /** The `annotations:` mapping of an istio source, for annotation errors. */
  annotationsNode: Node | null;
  podNode: Node | null;
}

type Entry = { key: Node; value: Node };

class Reader {
  constructor(
    readonly file: string,
    readonly lc: LineCounter,
    readonly text: string,
  ) {}

  error(node: Node | null | undefined, message: string): InputError {
    const { line, col } = lineOf(this.lc, node);
    return new InputError(message, this.file, line, col);
  }

  fail(node: Node | null | undefined, message: string): never {
    throw this.error(node, message);
  }

  /** A mapping's entries; keys outside `allowed` are errors. */
  entries(node: Node, where: string, allowed: readonly string[]): Map<string, Entry> {
    if (!isMap(node)) this.fail(node, `${where} must be a mapping (keys ${allowed.join(', ')})`);
    const out = new Map<string, Entry>();
    for (const pair of (node as YAMLMap).items) {
      const key = pair.key as Node;
      const name = String((key as { value?: unknown }).value);
      if (!allowed.includes(name)) this.fail(key, `unknown key "${name}" in ${where}: expected one of ${allowed.join(', ')}`);
      const value = pair.value as Node | null;
      if (value === null || value === undefined || (isScalar(value) && value.value === null)) this.fail(key, `${where}.${name} has no value`);
      out.set(name, { key, value });
    }
    return out;
  }

  /** A scalar as the file spells it: numbers keep their source text (1.10 stays "1.10"). */
  string(node: Node, where: string): string {
    if (!isScalar(node)) this.fail(node, `${where} must be a string`);
    const v = node.value;
    if (typeof v === 'string') return v;
    if ((typeof v === 'number' || typeof v === 'boolean') && node.range) return this.text.slice(node.range[0], node.range[1]).trim();
    return this.fail(node, `${where} must be a string`);
  }

  int(node: Node, where: string, min: number): number {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.fail(node, `${where} must be an integer ≥ ${min}`);
    return v as number;
  }

  oneOf<T extends string>(node: Node, where: string, values: readonly T[]): T {
    const s = this.string(node, where);
    if (!(values as readonly string[]).includes(s)) this.fail(node, `${where} must be one of ${values.join(', ')}, not "${s}"`);
    return s as T;
  }

  /** A list of strings; a single scalar counts as a list of one. */
  strings(node: Node, where: string): string[] {
    if (isSeq(node)) return node.items.map((n, i) => this.string(n as Node, `${where}[${i + 1}]`));
    return [this.string(node, where)];
  }
}

const TOP_KEYS = ['name', 'rules', 'pod', 'flows'];
const RULES_KEYS = ['profile', 'file', 'istio', 'interceptionMode', 'proxyUid', 'proxyGid', 'proxyPort', 'inboundCapturePort'];
const ISTIO_KEYS = ['version', 'installer', 'annotations', 'dnsServers', 'meshConfig', 'manifest'];
const EXPECT_KEYS = ['via', 'decidedBy', 'outcome', 'path', 'hops'];
const RULE_KEYS = ['table', 'chain', 'rule'];
const HOP_KEYS = ['hop', 'decidedBy', 'outcome', 'listener', 'steps'];

function relative(base: string, p: string): string {
  return isAbsolute(p) || p === '-' ? p : join(base, p);
}

interface RulesRead {
  source: RuleSourceNames;
  label: string;
  kindNode: Node;
  annotationsNode: Node | null;
}

function readRules(r: Reader, node: Node, base: string): RulesRead {
  const e = r.entries(node, 'rules', RULES_KEYS);
  const kinds = ['profile', 'file', 'istio'].filter((k) => e.has(k));
  if (kinds.length !== 1) r.fail(node, `rules needs exactly one of profile, file, istio${kinds.length ? ` (got ${kinds.join(' and ')})` : ''}`);
  const source: RuleSourceNames = {};
  let label: string;
  const kindNode = e.get(kinds[0]!)!.value;
  let annotationsNode: Node | null = null;
  if (e.has('profile')) {
    source.profile = r.string(e.get('profile')!.value, 'rules.profile');
    label = `profile:${source.profile}`;
  } else if (e.has('file')) {
    const f = r.string(e.get('file')!.value, 'rules.file');
    source.rules = relative(base, f);
    label = f;
  } else {
    const istio = e.get('istio')!.value;
    const i = r.entries(istio, 'rules.istio', ISTIO_KEYS);
    source.istioVersion = i.has('version') ? r.string(i.get('version')!.value, 'rules.istio.version') : 'current';
    if (i.has('installer')) source.installer = r.oneOf(i.get('installer')!.value, 'rules.istio.installer', ['init', 'cni']);
    if (i.has('annotations')) {
      const a = i.get('annotations')!.value;
      annotationsNode = a;
      if (!isMap(a)) r.fail(a, 'rules.istio.annotations must be a mapping of annotation keys to values');
      source.annotation = (a as YAMLMap).items.map((pair) => {
        const key = r.string(pair.key as Node, 'an annotation key');
        const value = pair.value as Node | null;
        if (!value) r.fail(pair.key as Node, `annotation ${key} has no value`);
        return `${key}=${r.string(value, `annotation ${key}`)}`;
      });
    }
    if (i.has('dnsServers')) source.dnsServer = r.strings(i.get('dnsServers')!.value, 'rules.istio.dnsServers');
    if (i.has('meshConfig')) source.meshConfig = relative(base, r.string(i.get('meshConfig')!.value, 'rules.istio.meshConfig'));
    if (i.has('manifest')) source.pod = relative(base, r.string(i.get('manifest')!.value, 'rules.istio.manifest'));
    label = `istio:${source.istioVersion}${source.annotation?.length ? ` (${source.annotation.join(', ')})` : ''}`;
  }
  if (e.has('interceptionMode')) source.interceptionMode = r.oneOf(e.get('interceptionMode')!.value, 'rules.interceptionMode', ['REDIRECT', 'TPROXY']);
  if (e.has('proxyUid')) source.proxyUid = String(r.int(e.get('proxyUid')!.value, 'rules.proxyUid', 0));
  if (e.has('proxyGid')) source.proxyGid = String(r.int(e.get('proxyGid')!.value, 'rules.proxyGid', 0));
  if (e.has('proxyPort')) source.proxyPort = String(r.int(e.get('proxyPort')!.value, 'rules.proxyPort', 1));
  if (e.has('inboundCapturePort')) source.inboundCapturePort = String(r.int(e.get('inboundCapturePort')!.value, 'rules.inboundCapturePort', 1));
  return { source, label, kindNode, annotationsNode };
}

function readRule(r: Reader, node: Node, where: string, extraKeys: string[] = []): RuleExpectation & { entries: Map<string, Entry> } {
  const e = r.entries(node, where, [...extraKeys, ...RULE_KEYS]);
  if (!e.has('chain')) r.fail(node, `${where} needs "chain" (e.g. { chain: ISTIO_OUTPUT, rule: 4 })`);
  const chain = r.string(e.get('chain')!.value, `${where}.chain`);
  const table = e.has('table') ? r.oneOf(e.get('table')!.value, `${where}.table`, TABLES) : null;
  let rule: RuleExpectation['rule'] = null;
  if (e.has('rule')) {
    const v = e.get('rule')!.value;
    if (isScalar(v) && v.value === 'policy') rule = 'policy';
    else {
      const n = isScalar(v) ? v.value : undefined;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) r.fail(v, `${where}.rule must be a rule number (1, 2, …) or "policy"`);
      rule = n as number;
    }
  }
  return { table, chain, rule, entries: e };
}

function readVia(r: Reader, node: Node): ViaRole[] {
  const roles = [...VIA_ROLES, 'none'];
  if (isScalar(node)) {
    const v = r.oneOf(node, 'expect.via', roles);
    return v === 'none' ? [] : [v as ViaRole];
  }
  if (!isSeq(node)) r.fail(node, `expect.via must be one of ${roles.join(', ')} or a list of ${VIA_ROLES.join(', ')}`);
  return node.items.map((n, i) => r.oneOf(n as Node, `expect.via[${i + 1}]`, VIA_ROLES));
}

function readHops(r: Reader, node: Node): HopExpectation[] {
  if (!isSeq(node) || !node.items.length) r.fail(node, 'expect.hops must be a non-empty list of hop expectations');
  return (node.items as Node[]).map((item, i) => {
    const where = `expect.hops[${i + 1}]`;
    const e = r.entries(item, where, HOP_KEYS);
    if (![...e.keys()].some((k) => k !== 'hop')) r.fail(item, `${where} checks nothing: give steps, outcome, listener or decidedBy`);
    const h: HopExpectation = { hop: e.has('hop') ? r.int(e.get('hop')!.value, `${where}.hop`, 1) : i + 1 };
    if (e.has('decidedBy')) {
      const { table, chain, rule } = readRule(r, e.get('decidedBy')!.value, `${where}.decidedBy`);
      h.decidedBy = { table, chain, rule };
    }
    if (e.has('outcome')) h.outcome = r.oneOf<OutcomeType>(e.get('outcome')!.value, `${where}.outcome`, OUTCOME_TYPES);
    if (e.has('listener')) h.listener = r.string(e.get('listener')!.value, `${where}.listener`);
    if (e.has('steps')) {
      const s = e.get('steps')!.value;
      if (!isSeq(s)) r.fail(s, `${where}.steps must be a list of steps, e.g. ["nat OUTPUT#1 JUMP:ISTIO_OUTPUT", "nat OUTPUT policy:ACCEPT"]`);
      h.steps = s.items.map((n, k) => r.string(n as Node, `${where}.steps[${k + 1}]`));
    }
    return h;
  });
}

function readExpect(r: Reader, node: Node): Expectation {
  const e = r.entries(node, 'expect', EXPECT_KEYS);
  if (!e.size) r.fail(node, `expect is empty: give at least one of ${EXPECT_KEYS.join(', ')}`);
  const out: Expectation = {};
  if (e.has('via')) out.via = readVia(r, e.get('via')!.value);
  if (e.has('decidedBy')) {
    const d = readRule(r, e.get('decidedBy')!.value, 'expect.decidedBy', ['hop']);
    const hop = d.entries.has('hop') ? r.int(d.entries.get('hop')!.value, 'expect.decidedBy.hop', 1) : 1;
    const decided: DecidedByExpectation = { hop, table: d.table, chain: d.chain, rule: d.rule };
    out.decidedBy = decided;
  }
  if (e.has('outcome')) out.outcome = r.oneOf<OutcomeType>(e.get('outcome')!.value, 'expect.outcome', OUTCOME_TYPES);
  if (e.has('path')) out.path = r.string(e.get('path')!.value, 'expect.path');
  if (e.has('hops')) out.hops = readHops(r, e.get('hops')!.value);
  return out;
}

/** Parse a check file. `file` names it in messages; relative paths in it resolve against its directory. */
export function parseCheckFile(text: string, file: string): CheckFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const pos = err.linePos?.[0];
    throw new InputError(`invalid YAML: ${err.message.split('\n')[0]}`, file, pos?.line ?? null, pos?.col ?? null);
  }
  const r: Reader = new Reader(file, lc, text);
  const root = doc.contents as Node | null;
  if (!root || !isMap(root)) r.fail(root, 'a check file is a mapping with "flows:" (and optionally "rules:", "pod:", "name:")');
  const top = r.entries(root, 'the check file', TOP_KEYS);
  const base = file === '<stdin>' ? '.' : dirname(file);
  const rules = top.get('rules');
  const read: RulesRead | null = rules ? readRules(r, rules.value, base) : null;
  const source = read?.source ?? {};
  const label = read?.label ?? 'the default profile';
  let podIps: string[] = [];
  const pod = top.get('pod');
  if (pod) {
    const p = r.entries(pod.value, 'pod', ['ips']);
    if (p.has('ips')) podIps = r.strings(p.get('ips')!.value, 'pod.ips');
  }
  const flowsEntry = top.get('flows');
  if (!flowsEntry) r.fail(root, 'the check file has no "flows:" list');
  const seq = flowsEntry.value;
  if (!isSeq(seq) || !seq.items.length) r.fail(seq, '"flows" must be a non-empty list of flows');
  const flows = (seq.items as Node[]).map((item, i): CheckFlow => {
    if (!isMap(item)) r.fail(item, `flow ${i + 1} must be a mapping of flow keys (name, src, dst, proto, uid, …) and "expect"`);
    const flow = flowFromMap(file, lc, item, i, ['expect']);
    const expectNode = flow.extraNodes.expect;
    if (!expectNode) r.fail(item, `${flow.name} has no "expect": say what must hold (via, decidedBy, outcome, path, hops)`);
    return { flow, expect: readExpect(r, expectNode), node: item };
  });
  const name = top.has('name') ? r.string(top.get('name')!.value, 'name') : file;
  return {
    file,
    name,
    source,
    sourceLabel: label,
    podIps,
    flows,
    at: (node, message) => r.error(node, message),
    sourceNode: read?.kindNode ?? null,
    annotationsNode: read?.annotationsNode ?? null,
    podNode: pod?.value ?? null,
  };
}
