/**
 * `-m state [!] --state LIST`: the legacy spelling of `-m conntrack --ctstate`.
 * Since iptables 1.4.18 it is stored as a conntrack match flagged
 * XT_CONNTRACK_STATE_ALIAS, so iptables-save prints it back as `-m state --state …`
 * (states in print_state order: INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED).
 * Only the five classic states are accepted; SNAT/DNAT need -m conntrack.
 */
import { RuleSyntaxError } from '../errors.js';
import { defineMatch } from './define.js';
import { CT, formatStateMask, parseStateList, stateBits, type CtStateName } from './conntrack.js';
import { onlyOnce, valueOf } from './util.js';

const STATES: CtStateName[] = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED'];

export interface StateOptions {
  mask: number;
  invert: boolean;
}

export const stateMatch = defineMatch<StateOptions>({
  name: 'state',
  tracksConnections: true,
  options: [{ name: 'state', arg: true, invertible: true }],
  build(options) {
    onlyOnce('state', options);
    const opt = options[0];
    if (!opt) throw new RuleSyntaxError('state: --state is required');
    return { mask: parseStateList('state', 'state', valueOf('state', opt), STATES), invert: opt.invert };
  },
  save(o) {
    return `${o.invert ? '! ' : ''}--state ${formatStateMask(o.mask)}`;
  },
  evaluate(o, pkt) {
    return ((o.mask & stateBits(pkt.conn)) !== 0) !== o.invert ? 'yes' : 'no';
  },
  explain(o, pkt) {
    // SNAT/DNAT are conntrack-only states; -m state never tests them.
    const bits = stateBits(pkt.conn) & ~(CT.SNAT | CT.DNAT);
    const hit = (o.mask & bits) !== 0;
    return `state ${formatStateMask(bits)} ${hit ? 'in' : 'not in'} ${formatStateMask(o.mask)}${o.invert ? ' (negated)' : ''}`;
  },
});
