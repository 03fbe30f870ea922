/**
 * The differential flow matrix: for one profile, flows covering inbound,
 * outbound, localhost, own pod IP, Service-to-self, UDP, IPv6, every Istio
 * port, excluded ports, and uid 0 / 1000 / 1337. Each is simulated and replayed
 * on the kernel through the same code path as `sidecar-trace verify`.
 *
 * Left out on purpose: flows the simulation itself predicts to loop through one
 * listener (e.g. a remote client dialling 15006 directly), which the stand-ins
 * cannot replay. The generated profiles (TPROXY, DNS, CNI, 1.5) have their own lists
 * in profile-flows.ts.
 */
import type { FlowInput } from '../../src/istio/flow.js';

const REMOTE4 = '10.244.2.7';
const REMOTE6 = 'fd00:10:244:2::7';
const ISTIO_PORTS = [15000, 15001, 15008, 15020, 15021, 15053, 15090];
const APP_PORTS = [80, 443, 3306, 5432, 6379, 8080, 9080];

export function flowMatrix(opts: { ipv6?: boolean } = {}): FlowInput[] {
  const flows: FlowInput[] = [];
  const add = (f: FlowInput) => flows.push(f);
  // Inbound from a remote pod: application ports, ssh, and every Istio port.
  for (const port of [9080, 8080, 3306, 22, ...ISTIO_PORTS]) add({ src: REMOTE4, dst: `pod:${port}`, title: `inbound :${port}` });
  // Outbound from the app, the sidecar and root, to application and Istio ports.
  for (const port of [...APP_PORTS, 15008, 15012, 15020]) add({ src: 'pod', dst: `${REMOTE4}:${port}`, uid: 1000, title: `app -> remote :${port}` });
  for (const port of [80, 9080, 15012]) add({ src: 'pod', dst: `${REMOTE4}:${port}`, uid: 1337, title: `sidecar -> remote :${port}` });
  add({ src: 'pod', dst: `${REMOTE4}:80`, uid: 0, gid: 0, title: 'root -> remote :80' });
  add({ src: 'pod', dst: `${REMOTE4}:80`, uid: 1000, gid: 1337, title: 'uid 1000 gid 1337 -> remote :80' });
  // UDP: DNS and another port, from the app and from the sidecar.
  add({ src: 'pod', dst: '10.96.0.10:53', proto: 'udp', uid: 1000, title: 'app dns udp' });
  add({ src: 'pod', dst: '10.96.0.10:53', proto: 'udp', uid: 1337, title: 'sidecar dns udp' });
  add({ src: 'pod', dst: `${REMOTE4}:5353`, proto: 'udp', uid: 1000, title: 'app udp :5353' });
  add({ src: REMOTE4, dst: 'pod:5353', proto: 'udp', title: 'inbound udp :5353' });
  // Localhost, as the app and as the sidecar.
  for (const port of [9080, 15000, 15001, 15020, 15090]) add({ src: '127.0.0.1', dst: `127.0.0.1:${port}`, uid: 1000, title: `app -> localhost :${port}` });
  for (const port of [9080, 15000, 15020, 15090]) add({ src: '127.0.0.1', dst: `127.0.0.1:${port}`, uid: 1337, title: `sidecar -> localhost :${port}` });
  add({ src: '127.0.0.1', dst: '127.0.0.1:15053', proto: 'udp', uid: 1000, title: 'app -> localhost dns udp' });
  // Own pod IP, as the app, the sidecar and root.
  for (const [uid, port] of [[1000, 9080], [1000, 15020], [1337, 9080], [0, 9080], [1337, 15021]] as const) {
    add({ src: 'pod', dst: `pod:${port}`, uid, gid: uid, title: `uid ${uid} -> own pod :${port}` });
  }
  // A Service whose endpoint is this pod.
  add({ src: 'pod', dst: '10.96.0.15:9080', via: 'pod:9080', uid: 1000, title: 'service-to-self :9080' });
  add({ src: 'pod', dst: '10.96.0.15:80', via: 'pod:8080', uid: 1000, title: 'service-to-self :80 -> :8080' });
  if (opts.ipv6 !== false) {
    for (const port of [9080, 15020, 15090]) add({ src: REMOTE6, dst: `[fd00:10:244:1::5]:${port}`, title: `v6 inbound :${port}` });
    for (const port of [80, 9080]) add({ src: 'fd00:10:244:1::5', dst: `[${REMOTE6}]:${port}`, uid: 1000, title: `v6 app -> remote :${port}` });
    add({ src: 'fd00:10:244:1::5', dst: `[${REMOTE6}]:15012`, uid: 1337, title: 'v6 sidecar -> remote :15012' });
    add({ src: '::1', dst: '[::1]:9080', uid: 1000, title: 'v6 app -> localhost :9080' });
    add({ src: '::1', dst: '[::1]:15000', uid: 1337, title: 'v6 sidecar -> localhost :15000' });
    add({ src: 'fd00:10:244:1::5', dst: '[fd00:10:244:1::5]:9080', uid: 1000, title: 'v6 app -> own pod :9080' });
    add({ src: 'fd00:10:244:1::5', dst: '[fd00:10:244:1::5]:9080', uid: 1337, title: 'v6 sidecar -> own pod :9080' });
    add({ src: 'fd00:10:244:1::5', dst: '[fd00:10:244:2::10]:53', proto: 'udp', uid: 1000, title: 'v6 app udp :53' });
  }
  return flows;
}
