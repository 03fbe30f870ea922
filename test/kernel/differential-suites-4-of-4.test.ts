/** Part 4 of the kernel differential suites (the table: differential-suites.ts). */
import { differentialSuites } from './differential.js';

differentialSuites(4);
