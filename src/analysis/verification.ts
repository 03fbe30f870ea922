/**
 * The result of comparing a simulated trace with the kernel's, hop by hop (verify/compare.ts
 * makes it): plain data, here so that render can show it without importing verify.
 */
export interface HopSide {
  packet: string;
  steps: string[];
  end: string;
}

export interface HopComparison {
  index: number;
  simulated: HopSide | null;
  kernel: HopSide | null;
  agree: boolean;
  differences: string[];
}

export interface Verification {
  title: string;
  agree: boolean;
  /** Set when the flow could not be replayed at all. */
  unsupported?: string;
  hops: HopComparison[];
  kernelWarnings: string[];
  /** What the run's start-of-run cleanup removed of runs killed earlier (not about this flow). */
  cleanup: string[];
}
