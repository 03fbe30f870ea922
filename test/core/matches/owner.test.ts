import { describe, expect, it } from 'vitest';
import { ownerMatch } from '../../../src/core/matches/owner.js';
import type { HostView } from '../../../src/core/netfilter/packet.js';
import { fakeHost, ruleOf } from '../../helpers/packet.js';
import { matchTable, optionsOf } from './table.js';

const accounts: HostView = { ...fakeHost(), ownerId: (kind, name) => ((kind === 'uid' ? { envoy: 101 } : { java: 1001 }) as Record<string, number>)[name] ?? null };

matchTable(ownerMatch, [
  { name: 'app traffic is not Envoy', rule: '-m owner --uid-owner 1337', pkt: { uid: 1000 }, want: 'no', why: 'owner uid 1000 ≠ 1337' },
  { name: 'Envoy traffic', rule: '-m owner --uid-owner 1337', pkt: { uid: 1337 }, want: 'yes', why: 'owner uid 1337 = 1337' },
  { name: 'negated, app traffic', rule: '-m owner ! --uid-owner 1337', pkt: { uid: 1000 }, want: 'yes', why: '(negated)' },
  { name: 'negated, Envoy traffic', rule: '-m owner ! --uid-owner 1337', pkt: { uid: 1337 }, want: 'no' },
  { name: 'gid 1337', rule: '-m owner --gid-owner 1337', pkt: { uid: 0, gid: 1337 }, want: 'yes' },
  { name: 'uid range', rule: '-m owner --uid-owner 1000-2000', pkt: { uid: 1500 }, want: 'yes', why: '∈ 1000-2000' },
  { name: 'uid outside range', rule: '-m owner --uid-owner 1000-2000', pkt: { uid: 999 }, want: 'no', why: '∉' },
  { name: 'root resolves to 0', rule: '-m owner --uid-owner root', pkt: { uid: 0 }, want: 'yes' },
  { name: 'supplementary group ignored without --suppl-groups', rule: '-m owner --gid-owner 1337', pkt: { gid: 1000, groups: [1337] }, want: 'no' },
  { name: 'supplementary group with --suppl-groups', rule: '-m owner --gid-owner 1337 --suppl-groups', pkt: { gid: 1000, groups: [1337] }, want: 'yes', why: 'supplementary' },
  { name: 'both uid and gid must hold', rule: '-m owner --uid-owner 1337 --gid-owner 1337', pkt: { uid: 1337, gid: 0 }, want: 'no' },
  // The xt_owner quirk: without a socket the result is (match ^ invert) == 0.
  { name: 'no socket, positive test', rule: '-m owner --uid-owner 1337', pkt: { noSocket: true }, want: 'no', why: 'no socket: positive owner test is false' },
  { name: 'no socket, negated test', rule: '-m owner ! --uid-owner 1337', pkt: { noSocket: true }, want: 'yes', why: 'no socket: negated owner test is true (xt_owner quirk)' },
  { name: 'no socket, one negated and one positive test', rule: '-m owner ! --uid-owner 1337 --gid-owner 1337', pkt: { noSocket: true }, want: 'no' },
  { name: 'no socket, negated gid with --suppl-groups', rule: '-m owner ! --gid-owner 1337 --suppl-groups', pkt: { noSocket: true }, want: 'no' },
  { name: 'no socket, ! --socket-exists', rule: '-m owner ! --socket-exists', pkt: { noSocket: true }, want: 'yes' },
  { name: 'socket exists', rule: '-m owner --socket-exists', pkt: { uid: 5 }, want: 'yes' },
  { name: 'socket exists but ! --socket-exists', rule: '-m owner ! --socket-exists', pkt: { uid: 5 }, want: 'no' },
  // Names other than root cannot be resolved offline.
  { name: 'unresolvable group name', rule: '-m owner --gid-owner java', pkt: { gid: 1337 }, want: 'unknown', why: 'cannot be resolved offline' },
  { name: 'negated unresolvable user name', rule: '-m owner ! --uid-owner istio-proxy', pkt: { uid: 1337 }, want: 'unknown' },
  { name: 'a failing uid decides over an unknown gid name', rule: '-m owner --uid-owner 1337 ! --gid-owner java', pkt: { uid: 1000 }, want: 'no' },
  { name: 'no socket decides even with a name', rule: '-m owner ! --gid-owner java', pkt: { noSocket: true }, want: 'yes' },
  { name: 'the unknown reason names the flag that resolves it', rule: '-m owner --uid-owner envoy', pkt: { uid: 101 }, want: 'unknown', why: 'give its id with --user envoy=UID or --passwd-file' },
  // Names the host's account files give (--user/--group, passed in through the host view).
  { name: 'a group name the host resolves', rule: '-m owner --gid-owner java', pkt: { gid: 1001 }, want: 'yes', why: 'owner gid 1001 = 1001', host: accounts },
  { name: 'a user name the host resolves, other uid', rule: '-m owner --uid-owner envoy', pkt: { uid: 1000 }, want: 'no', why: 'owner uid 1000 ≠ 101', host: accounts },
  { name: 'negated resolved name', rule: '-m owner ! --uid-owner envoy', pkt: { uid: 101 }, want: 'no', host: accounts },
  { name: 'a name the host does not know stays unknown', rule: '-m owner --gid-owner ftp', pkt: { gid: 1001 }, want: 'unknown', host: accounts },
]);

describe('owner parsing', () => {
  it('keeps unresolvable names and numbers as given', () => {
    expect(optionsOf(ownerMatch, '-m owner --gid-owner java').gid).toEqual({ id: { kind: 'name', name: 'java' }, invert: false });
    expect(optionsOf(ownerMatch, '-m owner --uid-owner 0x539').uid).toEqual({ id: { kind: 'range', min: 1337, max: 1337 }, invert: false });
  });
  it('saves in the kernel order socket, uid, gid, suppl-groups', () => {
    expect(ruleOf('-m owner --gid-owner 7 --suppl-groups ! --uid-owner 1 --socket-exists').text).toBe(
      '-m owner --socket-exists ! --uid-owner 1 --gid-owner 7 --suppl-groups',
    );
  });
  it('rejects bad values with the option named', () => {
    expect(() => ruleOf('-m owner --uid-owner 4294967295')).toThrow(/--uid-owner/);
    expect(() => ruleOf('-m owner --suppl-groups')).toThrow(/--gid-owner/);
    expect(() => ruleOf('-m owner')).toThrow(/at least one/);
  });
});
