/** Part 2 of 4 of the kernel differential over Istio's own goldens (see istio-goldens-differential.ts). */
import { goldenDifferentialPart } from './istio-goldens-differential.js';

goldenDifferentialPart(2);
