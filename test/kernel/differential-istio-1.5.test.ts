/**
 * Differential test: the generated istio-1.5 profile (first release with the 9-rule ISTIO_OUTPUT,
 * port 22 excluded, no 15021 exclusion; Envoy reaches declared inbound ports on 127.0.0.1)
 * agrees with the kernel on the core matrix.
 */
import { differentialSuite } from './differential.js';
import { istio15Flows } from './profile-flows.js';

differentialSuite('istio-1.5', istio15Flows());
