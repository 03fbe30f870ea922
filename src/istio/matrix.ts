/**
 * The built-in flow matrix of `sidecar-trace diff`: the traffic whose path an
 * Istio upgrade or an annotation change may move. Every flow has a unique title.
 *
 * - the blog's six traffic types (scenarios.ts, seven flows);
 * - every Istio port (15000 admin, 15001 outbound, 15006 inbound, 15008 HBONE,
 *   15020 status, 15021 health, 15053 DNS, 15090 Prometheus), tcp, IPv4 and IPv6:
 *   inbound from a remote pod, and from inside the pod (uid 1000 app and uid 1337
 *   sidecar) to localhost and to the own pod IP;
 * - common application ports (80, 443, 3306, 5432, 6379, 8080, 9080):
 *   outbound to a remote pod, tcp and udp, IPv4 and IPv6, uid 1000 and 1337;
 *   inbound from a remote pod, tcp and udp, IPv4 and IPv6;
 *   to localhost and to the own pod IP, tcp, IPv4 and IPv6, uid 1000 and 1337;
 *   to a Service whose endpoint is this pod (Service-to-self), tcp, IPv4 and IPv6;
 * - DNS to the cluster nameserver, udp and tcp, IPv4 and IPv6, uid 1000 and 1337.
 */
import type { FlowInput } from './flow.js';
import { SCENARIOS } from './scenarios.js';

export const ISTIO_PORTS = [15000, 15001, 15006, 15008, 15020, 15021, 15053, 15090] as const;
export const APP_PORTS = [80, 443, 3306, 5432, 6379, 8080, 9080] as const;

const PEER = { ipv4: '10.244.2.7', ipv6: 'fd00:10:244:2::7' };
const SERVICE = { ipv4: '10.96.0.15', ipv6: 'fd00:10:96::f' };
const NAMESERVER = { ipv4: '10.96.0.10', ipv6: 'fd00:10:96::a' };
const LOCALHOST = { ipv4: '127.0.0.1', ipv6: '::1' };

type Fam = 'ipv4' | 'ipv6';

const ep = (fam: Fam, addr: string, port: number) => (fam === 'ipv6' ? `[${addr}]:${port}` : `${addr}:${port}`);

export interface MatrixPod {
  ipv4: string;
  ipv6: string | null;
}

export function builtinMatrix(pod: MatrixPod): FlowInput[] {
  const out: FlowInput[] = [];
  const fams: Fam[] = pod.ipv6 ? ['ipv4', 'ipv6'] : ['ipv4'];
  const podAddr = (fam: Fam) => (fam === 'ipv6' ? pod.ipv6! : pod.ipv4);
  const who = (uid: number) => (uid === 1337 ? 'sidecar (uid 1337)' : `app (uid ${uid})`);

  for (const s of SCENARIOS) {
    for (const f of s.flows) out.push({ ...f, title: `type ${s.type} ${s.name}: ${f.title ?? f.dst}` });
  }
  for (const fam of fams) {
    for (const port of ISTIO_PORTS) {
      const dst = ep(fam, podAddr(fam), port);
      out.push({ src: PEER[fam], dst, proto: 'tcp', title: `remote ${PEER[fam]} -> pod ${dst} tcp (Istio port)` });
    }
    for (const uid of [1000, 1337]) {
      for (const port of ISTIO_PORTS) {
        for (const [where, addr] of [['localhost', LOCALHOST[fam]], ['own pod IP', podAddr(fam)]] as const) {
          const dst = ep(fam, addr, port);
          out.push({ src: addr, dst, proto: 'tcp', uid, title: `${who(uid)} -> ${where} ${dst} tcp (Istio port)` });
        }
      }
    }
  }
  for (const fam of fams) {
    for (const port of APP_PORTS) {
      for (const proto of ['tcp', 'udp']) {
        for (const uid of [1000, 1337]) {
          const dst = ep(fam, PEER[fam], port);
          out.push({ dst, proto, uid, title: `${who(uid)} -> remote ${dst} ${proto}` });
        }
      }
    }
    for (const port of APP_PORTS) {
      for (const proto of ['tcp', 'udp']) {
        const dst = ep(fam, podAddr(fam), port);
        out.push({ src: PEER[fam], dst, proto, title: `remote ${PEER[fam]} -> pod ${dst} ${proto}` });
      }
    }
    for (const port of APP_PORTS) {
      for (const uid of [1000, 1337]) {
        for (const [where, addr] of [['localhost', LOCALHOST[fam]], ['own pod IP', podAddr(fam)]] as const) {
          const dst = ep(fam, addr, port);
          out.push({ src: addr, dst, proto: 'tcp', uid, title: `${who(uid)} -> ${where} ${dst} tcp` });
        }
      }
    }
    for (const port of APP_PORTS) {
      const dst = ep(fam, SERVICE[fam], port);
      const via = ep(fam, podAddr(fam), port);
      out.push({ dst, via, proto: 'tcp', uid: 1000, title: `${who(1000)} -> Service ${dst} with endpoint this pod (Service-to-self) tcp` });
    }
    for (const proto of ['udp', 'tcp']) {
      for (const uid of [1000, 1337]) {
        const dst = ep(fam, NAMESERVER[fam], 53);
        out.push({ dst, proto, uid, title: `${who(uid)} -> nameserver ${dst} ${proto} (DNS)` });
      }
    }
  }
  return out;
}
