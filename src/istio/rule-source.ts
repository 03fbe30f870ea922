/**
 * The one road into a rule set. Every rule source ends here: text from a file or stdin
 * (read by the caller, which bounds and decodes it), a built-in profile's text, or Istio
 * configuration for the generator. The text's shape picks its reader (sources/rule-text.ts).
 */
import type { Ruleset } from '../core/ruleset/model.js';
import { loadRulesText, type ValidateMode } from '../sources/rule-text.js';
import type { GeneratedSource, IstioConfig } from './config-source.js';
import type * as ConfigSource from './config-source.js';

export type RuleSource =
  /** `file`: how messages name the input (`<stdin>` for stdin). */
  | { kind: 'text'; text: string; file: string; validate?: ValidateMode }
  /** A profile of rules/ by its resolved name, e.g. istio-1.25. */
  | { kind: 'profile'; name: string; text: string; validate?: ValidateMode }
  /**
   * `generator`: config-source.js, passed in by a caller that has imported it, so that a
   * run without Istio options never loads the generator and YAML at start-up.
   */
  | { kind: 'istio'; config: IstioConfig; generator: typeof ConfigSource };

export interface LoadedRules {
  ruleset: Ruleset;
  /** What the generator made, for an Istio configuration source. */
  generated: GeneratedSource | null;
  /** The Istio minor version the rules stand for, when the source says (generated rules, versioned profiles). */
  istioMinor: number | null;
}

export function loadRuleSource(source: RuleSource): LoadedRules {
  switch (source.kind) {
    case 'text':
      return { ruleset: loadRulesText(source.text, source.file, source.file, source.validate), generated: null, istioMinor: null };
    case 'profile': {
      const ruleset = loadRulesText(source.text, `rules/${source.name}.rules`, `profile:${source.name}`, source.validate, true);
      return { ruleset, generated: null, istioMinor: istioMinorOfProfile(source.name) };
    }
    case 'istio': {
      const generated = source.generator.generateSource(source.config);
      const minor = /^1\.(\d+)/.exec(generated.options.release ?? '');
      return { ruleset: generated.ruleset, generated, istioMinor: minor ? Number(minor[1]) : null };
    }
  }
}

/** The minor version a versioned profile (istio-1.N…) stands for, else null. */
export function istioMinorOfProfile(name: string): number | null {
  const m = /^istio-1\.(\d+)/.exec(name);
  return m ? Number(m[1]) : null;
}
