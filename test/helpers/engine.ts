/** Run one hop through the engine on a pod-like host, returning compact step notations. */
import { traverse } from '../../src/core/netfilter/traverse.js';
import type { UnknownPolicy } from '../../src/core/netfilter/walk.js';
import type { Ruleset } from '../../src/core/ruleset/model.js';
import { stepNotation } from '../../src/analysis/step-notation.js';
import { defaultPodConfig } from '../../src/istio/config.js';
import { buildPodHost } from '../../src/istio/pod-host.js';
import { makePacket, type PacketInit } from './packet.js';

export function hop(rs: Ruleset, init: PacketInit & { origin?: 'local' | 'remote' }, unknown: UnknownPolicy = 'stop', explain = false) {
  const pkt = makePacket(init);
  const origin = init.origin ?? (init.in ? 'remote' : 'local');
  const host = buildPodHost(defaultPodConfig());
  const res = traverse(rs.families[pkt.family], host, pkt, origin, { unknown, explain });
  return { ...res, notation: res.steps.map((s) => stepNotation(s, pkt.family)) };
}
