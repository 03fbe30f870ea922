/**
 * `-m connmark [!] --mark value[/mask]`: tests the conntrack entry's mark,
 * `(ctmark & mask) == value`; same syntax and hex save form as `-m mark`.
 */
import { hasCt } from './conntrack.js';
import { defineMatch } from './define.js';
import { buildMarkOptions, explainMark, formatMarkMask, markHit, type MarkOptions } from './mark.js';

export const connmarkMatch = defineMatch<MarkOptions>({
  name: 'connmark',
  tracksConnections: true,
  options: [{ name: 'mark', arg: true, invertible: true }],
  build(options) {
    return buildMarkOptions('connmark', options);
  },
  save(o) {
    return `${o.invert ? '! ' : ''}--mark ${formatMarkMask(o.mark)}`;
  },
  evaluate(o, pkt) {
    // connmark_mt: no conntrack entry (untracked, invalid, or not yet attached in raw) never matches, whatever the "!".
    const c = pkt.conn;
    if (!hasCt(c)) return 'no';
    return markHit(o.mark, c.mark) !== o.invert ? 'yes' : 'no';
  },
  explain(o, pkt) {
    const c = pkt.conn;
    if (!hasCt(c)) return c.attached || c.untracked ? 'no conntrack entry: connmark never matches' : 'no conntrack entry yet (raw runs before conntrack attaches one): connmark never matches';
    return explainMark('connmark', o, c.mark);
  },
});
