/** Differential test: the generated istio-1.13-cni profile (rules installed by the istio-cni plugin: 15020 excluded in and out) agrees with the kernel. */
import { differentialSuite } from './differential.js';
import { cniFlows } from './profile-flows.js';

differentialSuite('istio-1.13-cni', cniFlows());
