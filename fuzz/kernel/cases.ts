/** A random case: one rule set and its flows, all from one seed. */
import type { FlowInput } from '../../src/istio/flow.js';
import { randomFlows } from './flows.js';
import { genericRuleSet } from './generic.js';
import { istioLikeRuleSet } from './istio-like.js';
import { caseSeed, Random } from './random.js';
import type { RuleSetText } from './ruleset-text.js';

export type Shape = 'istio' | 'generic';
export type ShapeChoice = Shape | 'both';

export interface RandomCase {
  /** Run seed and index: `--seed S --index I` replays this case alone. */
  seed: number;
  index: number;
  shape: Shape;
  title: string;
  rules: RuleSetText;
  flows: FlowInput[];
}

export function randomCase(seed: number, index: number, choice: ShapeChoice): RandomCase {
  const r = new Random(caseSeed(seed, index));
  const shape: Shape = choice === 'both' ? (r.chance(0.5) ? 'istio' : 'generic') : choice;
  const made = shape === 'istio' ? istioLikeRuleSet(r) : { rules: genericRuleSet(r), title: 'generic' };
  return { seed, index, shape, title: made.title, rules: made.rules, flows: randomFlows(r, made.rules) };
}
