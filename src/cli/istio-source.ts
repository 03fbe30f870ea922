/**
 * Istio options (--istio-version, --annotation, --pod, --mesh-config …) as a rule source:
 * the files they name are read here, through the bounded reader; the generator runs in
 * src/istio. Imported only when Istio options are given (setup.ts lazyFor).
 */
import * as generator from '../istio/config-source.js';
import type { GeneratedSource } from '../istio/config-source.js';
import { loadRuleSource, type RuleSource } from '../istio/rule-source.js';
import type { IstioConfigNames } from '../istio/source-names.js';
import type { CliIo } from './io.js';
import { readInputText } from './load-rules.js';

export { wantsGenerator } from '../istio/source-names.js';

export function istioSourceOf(io: CliIo, f: IstioConfigNames, podHasIPv6: boolean): RuleSource {
  return { kind: 'istio', config: { ...f, ipv6: podHasIPv6, readFile: (file, what) => readInputText(io, file, what) }, generator };
}

export function loadIstioSource(io: CliIo, f: IstioConfigNames, podHasIPv6: boolean): GeneratedSource {
  return loadRuleSource(istioSourceOf(io, f, podHasIPv6)).generated!;
}
