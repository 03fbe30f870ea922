/** Chain-walk semantics: first match, jump/goto/RETURN, implicit return, policy, unknown. */
import { describe, expect, it } from 'vitest';
import { rulesetOf } from '../../helpers/rules.js';
import { hop } from '../../helpers/engine.js';

const out = (text: string) => rulesetOf(`*filter\n${text}\nCOMMIT`);

describe('chain walk', () => {
  it('first match wins and ACCEPT ends the table', () => {
    const r = hop(out('-A OUTPUT -p udp -j DROP\n-A OUTPUT -p tcp -j ACCEPT\n-A OUTPUT -j DROP'), { dst: '10.244.2.7' });
    expect(r.notation).toEqual(['filter OUTPUT#2 ACCEPT']);
    expect(r.outcome.type).toBe('egress');
  });
  it('a user chain falling off its end returns to the caller (implicit return)', () => {
    const r = hop(out('-N A\n-A OUTPUT -j A\n-A OUTPUT -j DROP\n-A A -p udp -j ACCEPT'), {});
    expect(r.notation).toEqual(['filter OUTPUT#1 JUMP:A', 'filter A implicit-return', 'filter OUTPUT#2 DROP']);
    expect(r.outcome.type).toBe('dropped');
  });
  it('RETURN in a built-in chain applies the policy', () => {
    const r = hop(rulesetOf('*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -p tcp -j RETURN\n-A OUTPUT -j ACCEPT\nCOMMIT', 'save'), {});
    expect(r.notation).toEqual(['filter OUTPUT#1 RETURN', 'filter OUTPUT policy:DROP']);
    expect(r.outcome.type).toBe('dropped');
  });
  it('goto does not push a return point: RETURN goes back to the last jump', () => {
    const rs = out('-N A\n-N B\n-A OUTPUT -j A\n-A OUTPUT -j ACCEPT\n-A A -g B\n-A A -j DROP\n-A B -j RETURN');
    const r = hop(rs, {});
    expect(r.notation).toEqual(['filter OUTPUT#1 JUMP:A', 'filter A#1 GOTO:B', 'filter B#1 RETURN', 'filter OUTPUT#2 ACCEPT']);
  });
  it('goto from a built-in chain then falling off the end applies the policy', () => {
    const r = hop(rulesetOf('*filter\n:OUTPUT DROP [0:0]\n:B - [0:0]\n-A OUTPUT -g B\n-A OUTPUT -j ACCEPT\nCOMMIT', 'save'), {});
    expect(r.notation).toEqual(['filter OUTPUT#1 GOTO:B', 'filter B implicit-return', 'filter OUTPUT policy:DROP']);
  });
  it('a rule without a target only counts and the walk continues', () => {
    const r = hop(out('-A OUTPUT -p tcp\n-A OUTPUT -j ACCEPT'), {});
    expect(r.notation).toEqual(['filter OUTPUT#1 CONTINUE', 'filter OUTPUT#2 ACCEPT']);
  });
});

describe('unknown matches are never guessed silently', () => {
  const rs = () => out('-A OUTPUT -m recent --name x --rcheck -j DROP\n-A OUTPUT -j ACCEPT');
  it('stop (default): the trace ends with the reason', () => {
    const r = hop(rs(), {});
    expect(r.notation).toEqual(['filter OUTPUT#1 DROP(UNKNOWN)']);
    expect(r.outcome).toMatchObject({ type: 'unknown' });
    expect(r.outcome.detail).toMatch(/-m recent.*not modelled/);
    expect(r.steps[0]!.reason).toMatch(/not modelled/);
  });
  it('no-match: continues, and says so in a warning', () => {
    const r = hop(rs(), {}, 'no-match');
    expect(r.notation).toEqual(['filter OUTPUT#2 ACCEPT']);
    expect(r.warnings.join()).toMatch(/rule 1 could not be evaluated .* assumed it does not match/);
  });
  it('match: takes the rule, and says so in a warning', () => {
    const r = hop(rs(), {}, 'match');
    expect(r.notation).toEqual(['filter OUTPUT#1 DROP']);
    expect(r.warnings.join()).toMatch(/assumed it matches/);
  });
  it('a known "no" decides even next to an unknown (three-valued AND)', () => {
    const r = hop(out('-A OUTPUT -m recent --name x --rcheck -p udp -j DROP\n-A OUTPUT -j ACCEPT'), {});
    expect(r.notation).toEqual(['filter OUTPUT#2 ACCEPT']);
  });
  it('--explain lists rules that did not match with the reason', () => {
    const r = hop(out('-A OUTPUT -p udp -j DROP\n-A OUTPUT -d 10.0.0.0/8 -o eth1 -j DROP\n-A OUTPUT -j ACCEPT'), {}, 'stop', true);
    expect(r.misses.map((m) => [m.rule, m.reason])).toEqual([
      [1, 'protocol tcp ≠ udp'],
      [2, 'out-interface eth0 ≠ eth1'],
    ]);
  });
});
