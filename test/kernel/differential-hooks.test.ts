/**
 * The kernel's hook model (issue 13), each behaviour proven on the kernel: conntrack
 * matches in raw see no entry, re-routing after nat OUTPUT refuses a loopback source on
 * eth0, and a connection exists only if the SYN-ACK gets back (DROP policy, REJECT, an
 * owner match that sees the listener's uid on its SYN-ACK).
 * kernelSteps insist that the rules in question really ran on the kernel.
 */
import { differentialSuite } from './differential.js';

differentialSuite('test/fixtures/hooks/raw-conntrack.rules', [
  { src: '10.244.2.7', dst: 'pod:9080', title: 'inbound SYN: raw sees INVALID, connmark never matches; mangle sees NEW', kernelSteps: ['raw PREROUTING#4', 'mangle PREROUTING#1'] },
  { src: 'pod', dst: '10.244.2.7:9080', uid: 1000, title: 'outbound SYN: raw OUTPUT sees INVALID', kernelSteps: ['raw OUTPUT#1', 'mangle OUTPUT#1'] },
  { src: 'pod', dst: 'pod:9080', uid: 1000, title: 'looped back: raw PREROUTING sees the entry (NEW)', kernelSteps: ['raw OUTPUT#1', 'raw PREROUTING#3'] },
]);

differentialSuite('test/fixtures/hooks/reroute-localnet.rules', [
  { src: '127.0.0.1', dst: '127.0.0.1:15090', uid: 0, gid: 0, title: 'uid 0 127.0.0.1 -> 127.0.0.1:15090 DNATed to 10.244.2.7: dropped in nat OUTPUT', kernelSteps: ['nat OUTPUT#1'] },
  { src: 'pod', dst: 'pod:15090', uid: 0, gid: 0, title: 'the pod IP DNATed to 10.244.2.7: leaves by eth0', kernelSteps: ['nat OUTPUT#1', 'filter OUTPUT#1'] },
]);

differentialSuite('test/fixtures/hooks/synack-filter.rules', [
  { src: 'pod', dst: '10.244.2.7:9080', uid: 1000, title: "app -> remote: the SYN passes, Envoy's SYN-ACK on lo is dropped", kernelSteps: ['nat OUTPUT#1', 'filter OUTPUT#1'] },
  { src: 'pod', dst: '10.244.2.7:9080', uid: 1337, gid: 1337, title: 'sidecar -> remote: not captured, leaves by eth0', kernelSteps: ['filter OUTPUT#1'] },
]);

differentialSuite('test/fixtures/hooks/synack-reject.rules', [
  { src: 'pod', dst: '10.244.2.7:9080', uid: 1000, title: 'outbound to 15001: the SYN-ACK is rejected', kernelSteps: ['nat OUTPUT#1'] },
  { src: '10.244.2.7', dst: 'pod:9080', title: 'inbound to 15006: the SYN-ACK is rejected', kernelSteps: ['nat PREROUTING#1'] },
]);

// The owner match sees the listener's owner on its SYN-ACK (through the request socket), not "no socket".
differentialSuite('test/fixtures/hooks/synack-owner.rules', [
  { src: 'pod', dst: '10.244.2.7:9080', uid: 1000, title: "outbound to 15001: the SYN-ACK carries Envoy's uid 1337 and is rejected", kernelSteps: ['nat OUTPUT#1'] },
]);
