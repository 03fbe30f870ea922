/** Differential test: every flow of the matrix through the istio-1.10 profile agrees with the kernel. */
import { differentialSuite } from './differential.js';
import { flowMatrix } from './flow-matrix.js';

differentialSuite('istio-1.10', flowMatrix());
