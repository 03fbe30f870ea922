/**
 * Flows for one random rule set: 2–4 of the pod's kinds (app outbound, remote inbound,
 * localhost, Envoy's own traffic as uid 1337, DNS over UDP, own pod IP, root), on ports taken
 * from the rule set's own text half of the time; IPv6 only when the rule set has IPv6 rules.
 */
import type { FlowInput } from '../../src/istio/flow.js';
import { DNS4, DNS6, POD4, POD6, PORTS, REMOTE4, REMOTE6 } from './pool.js';
import type { Random } from './random.js';
import { renderRuleSet, type RuleSetText } from './ruleset-text.js';

function portsIn(text: string): number[] {
  const found = [...text.matchAll(/(?:--dport|--dports|--to-ports|--on-port|--ctorigdstport) ([\d,]+)/g)].flatMap((m) => m[1]!.split(',').map(Number));
  return [...new Set(found.filter((p) => p > 0 && p < 65536))];
}

export function randomFlows(r: Random, rules: RuleSetText): FlowInput[] {
  const own = portsIn(renderRuleSet(rules));
  const port = (): number => (own.length && r.chance(0.5) ? r.pick(own) : r.pick(PORTS));
  const flows: FlowInput[] = [];
  const n = r.int(2, 4);
  for (let i = 0; i < n; i++) {
    const v6 = rules.ipv6 !== null && r.chance(0.35);
    const pod = v6 ? POD6 : POD4;
    const remote = v6 ? REMOTE6 : REMOTE4;
    const lo = v6 ? '::1' : '127.0.0.1';
    const at = (a: string, p: number) => (v6 ? `[${a}]:${p}` : `${a}:${p}`);
    const proto = r.chance(0.2) ? 'udp' : 'tcp';
    const p = port();
    let f: FlowInput;
    switch (r.int(0, 6)) {
      case 0:
        f = { src: pod, dst: at(remote, p), proto, uid: 1000, title: `app -> remote :${p}` };
        break;
      case 1:
        f = { src: remote, dst: at(pod, p), proto, title: `remote -> pod :${p}` };
        break;
      case 2: {
        const uid = r.pick([1000, 1337]);
        f = { src: lo, dst: at(lo, p), proto, uid, title: `uid ${uid} -> localhost :${p}` };
        break;
      }
      case 3:
        f = { src: pod, dst: at(remote, p), proto, uid: 1337, title: `envoy (1337) -> remote :${p}` };
        break;
      case 4:
        f = { src: pod, dst: at(v6 ? DNS6 : DNS4, 53), proto: 'udp', uid: r.pick([1000, 1337]), title: 'dns udp/53' };
        break;
      case 5: {
        const uid = r.pick([1000, 1337, 0]);
        f = { src: pod, dst: at(pod, p), proto, uid, title: `uid ${uid} -> own pod :${p}` };
        break;
      }
      default:
        f = { src: pod, dst: at(remote, p), proto, uid: 0, gid: 0, title: `root -> remote :${p}` };
    }
    if (f.uid !== undefined && f.gid === undefined && r.chance(0.15)) f.gid = 1337;
    flows.push(f);
  }
  return flows;
}
