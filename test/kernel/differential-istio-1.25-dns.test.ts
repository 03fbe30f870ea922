/**
 * Differential test: the generated istio-1.25-dns profile (DNS capture to pilot-agent on 15053,
 * nameserver 10.96.0.10, conntrack zones in raw) agrees with the kernel.
 */
import { differentialSuite } from './differential.js';
import { dnsFlows } from './profile-flows.js';

differentialSuite('istio-1.25-dns', dnsFlows({ nat: 'istio-1.25' }));
