/** A rule set with the pod model inferred from it: what every trace of a pod needs. */
import type { Host } from '../core/netfilter/host-model.js';
import type { Ruleset } from '../core/ruleset/model.js';
import type { PodConfig } from './config.js';
import { inferPod, type IdentityOverrides } from './infer.js';
import { buildPodHost } from './pod-host.js';

export interface PodContext {
  ruleset: Ruleset;
  pod: PodConfig;
  host: Host;
  /** What the pod model inferred from the rules. */
  notes: string[];
}

export type PodOverrides = IdentityOverrides;

export function podContext(ruleset: Ruleset, base: PodConfig, overrides: PodOverrides = {}): PodContext {
  const inferred = inferPod(ruleset, base, overrides);
  return { ruleset, pod: inferred.pod, host: buildPodHost(inferred.pod), notes: [...inferred.notes] };
}
