/**
 * Differential test: Istio's nat rules mixed with raw, mangle and filter rules
 * (marks, CT zones, REJECT, DROP policies, conntrack and addrtype matches) agree with the kernel.
 */
import { differentialSuite } from './differential.js';
import { flowMatrix } from './flow-matrix.js';

// Every other flow of the IPv4 matrix: the mixed tables matter, not the matrix twice over.
differentialSuite('test/fixtures/mixed/istio-1.25-mixed.rules', flowMatrix({ ipv6: false }).filter((_, i) => i % 2 === 0));
