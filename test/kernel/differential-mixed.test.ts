/**
 * Differential test: Istio's nat rules mixed with raw, mangle and filter rules
 * (marks, CT zones, REJECT, DROP policies, conntrack and addrtype matches) agree with the kernel.
 */
import { differentialSuite } from './differential.js';
import { flowMatrix } from './flow-matrix.js';

differentialSuite('test/fixtures/mixed/istio-1.25-mixed.rules', flowMatrix({ ipv6: false }));
