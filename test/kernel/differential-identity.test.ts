/**
 * Differential test: Istio goldens with a non-default proxy identity (ProxyUID "3,4" / ProxyGID
 * "1,2"; the 1.5 goldens' uid 4321, gid 4444 and port 12345), loaded as they are. The identity
 * comes only from the file: the kernel must agree on every hop, and nothing loops.
 */
import { differentialSuite } from './differential.js';

differentialSuite('test/fixtures/identity/istio-1.25-dns-uid-gid.golden', [
  { title: 'app -> remote (not captured: no outbound jump in this golden)', dst: '10.244.2.7:9080' },
  { title: 'proxy uid 3 -> remote', dst: '10.244.2.7:9080', uid: 3, gid: 3 },
  { title: 'proxy uid 4 (second listed) -> remote', dst: '10.244.2.7:9080', uid: 4, gid: 4 },
  { title: 'proxy gid 2 (second listed) -> remote', dst: '10.244.2.7:9080', uid: 1000, gid: 2 },
  { title: 'app -> DNS over tcp, to the DNS proxy', dst: '127.0.0.53:53' },
]);

differentialSuite('test/fixtures/identity/istio-1.5-mode-redirect.golden.txt', [
  { title: 'app -> included range: Envoy 12345 as uid 4321, then out', dst: '1.1.2.3:80' },
  { title: 'app -> excluded range', dst: '9.9.1.1:80' },
  { title: 'remote -> included inbound port 5555 through Envoy 12345', src: '10.244.2.7', dst: 'pod:5555' },
  { title: 'remote -> port not included', src: '10.244.2.7', dst: 'pod:7777' },
]);

// TPROXY with the same identity: Envoy runs as uid 0 and is exempted by gid 4444 (ISTIO_OUTPUT rule 7).
differentialSuite('test/fixtures/identity/istio-1.5-mode-tproxy.golden.txt', [
  { title: 'TPROXY: app -> included range through Envoy 12345', dst: '1.1.2.3:80' },
  // One port for both directions: the model's listener on 12345 is Envoy's outbound one, not
  // transparent, so TPROXY drops; the kernel, given the same listener, agrees. (Real Envoy marks it
  // transparent in TPROXY mode; following that is open, see the report of this change.)
  { title: 'TPROXY: remote -> included inbound port 5555, TPROXY to the outbound listener 12345', src: '10.244.2.7', dst: 'pod:5555' },
  { title: 'TPROXY: remote -> port not included', src: '10.244.2.7', dst: 'pod:8888' },
]);
