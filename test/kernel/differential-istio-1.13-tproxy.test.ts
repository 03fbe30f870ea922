/**
 * Differential test: the generated istio-1.13-tproxy profile (inbound TPROXY in mangle, proxy as
 * uid 0 / gid 1337, Envoy's original_src upstream with mark 1337, policy routing fwmark 1337 ->
 * table 133) agrees with the kernel.
 */
import { differentialSuite } from './differential.js';
import { tproxyFlows } from './profile-flows.js';

differentialSuite('istio-1.13-tproxy', tproxyFlows());
