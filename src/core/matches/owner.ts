/**
 * `-m owner [!] --uid-owner U[-U] [!] --gid-owner G[-G] [--suppl-groups] [!] --socket-exists`
 * (xt_owner revision 1). Evaluation follows xt_owner.c owner_mt exactly, including
 * its no-socket quirk: without a socket the result is (match ^ invert) == 0, so
 * every negated test passes and every positive one fails.
 */
import { RuleSyntaxError } from '../errors.js';
import type { HostView } from '../netfilter/packet.js';
import type { Tri } from '../types.js';
import { defineMatch, type ParsedOption } from './define.js';
import { onlyOnce, parseUInt, UINT32_MAX, valueOf } from './util.js';

/** A uid/gid test: a numeric range, or a name we cannot resolve offline. */
export type OwnerId =
  | { kind: 'range'; min: number; max: number }
  | { kind: 'name'; name: string };

export interface OwnerTest {
  id: OwnerId;
  invert: boolean;
}

export interface OwnerOptions {
  socketExists?: { invert: boolean };
  uid?: OwnerTest;
  gid?: OwnerTest;
  /** --suppl-groups: --gid-owner also checks the supplementary groups. Never negated. */
  supplGroups: boolean;
}

/** Names resolvable without /etc/passwd: root is uid 0 and gid 0 everywhere. */
const WELL_KNOWN: Record<string, number> = { root: 0 };

/** -1 is reserved, so ids go up to UINT32_MAX - 1 (owner_parse_range). */
const MAX_ID = UINT32_MAX - 1;

function parseId(opt: ParsedOption): OwnerId {
  const text = valueOf('owner', opt);
  const known = WELL_KNOWN[text];
  if (known !== undefined) return { kind: 'range', min: known, max: known };
  // getpwnam/getgrnam come first in libxt_owner; a user name never starts with a digit in practice.
  if (/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(text)) return { kind: 'name', name: text };
  const sep = text.search(/[-:]/);
  const a = sep < 0 ? text : text.slice(0, sep);
  const b = sep < 0 ? text : text.slice(sep + 1);
  const min = parseUInt(a, MAX_ID);
  const max = parseUInt(b, MAX_ID);
  if (min === null || max === null) {
    throw new RuleSyntaxError(`owner: bad value for --${opt.name}: "${text}" (expected a name, a number 0-${MAX_ID} or a range a-b)`);
  }
  return { kind: 'range', min, max };
}

function idText(id: OwnerId): string {
  if (id.kind === 'name') return id.name;
  return id.min === id.max ? String(id.min) : `${id.min}-${id.max}`;
}

export const ownerMatch = defineMatch<OwnerOptions>({
  name: 'owner',
  options: [
    { name: 'uid-owner', arg: true, invertible: true },
    { name: 'gid-owner', arg: true, invertible: true },
    { name: 'socket-exists', arg: false, invertible: true },
    { name: 'suppl-groups', arg: false, invertible: false },
  ],
  hooks: ['OUTPUT', 'POSTROUTING'],
  build(options) {
    onlyOnce('owner', options);
    const o: OwnerOptions = { supplGroups: false };
    for (const opt of options) {
      switch (opt.name) {
        case 'uid-owner':
          o.uid = { id: parseId(opt), invert: opt.invert };
          break;
        case 'gid-owner':
          o.gid = { id: parseId(opt), invert: opt.invert };
          break;
        case 'socket-exists':
          o.socketExists = { invert: opt.invert };
          break;
        case 'suppl-groups':
          if (!o.gid) throw new RuleSyntaxError('owner: --suppl-groups needs --gid-owner before it');
          o.supplGroups = true;
          break;
      }
    }
    if (!o.uid && !o.gid && !o.socketExists) {
      throw new RuleSyntaxError('owner: at least one of --uid-owner, --gid-owner or --socket-exists is required');
    }
    return o;
  },
  save(o) {
    // owner_mt_save order: socket, uid, gid, suppl-groups.
    const parts: string[] = [];
    if (o.socketExists) parts.push(`${o.socketExists.invert ? '! ' : ''}--socket-exists`);
    if (o.uid) parts.push(`${o.uid.invert ? '! ' : ''}--uid-owner ${idText(o.uid.id)}`);
    if (o.gid) parts.push(`${o.gid.invert ? '! ' : ''}--gid-owner ${idText(o.gid.id)}`);
    if (o.supplGroups) parts.push('--suppl-groups');
    return parts.join(' ');
  },
  evaluate(o, pkt, ctx) {
    const sock = pkt.owner;
    if (sock === null) return noSocket(o);
    if (o.socketExists?.invert) return 'no';
    let r: Tri = 'yes';
    if (o.uid) {
      const id = resolved('uid', o.uid.id, ctx.host);
      if (id.kind === 'name') r = 'unknown';
      else if ((sock.uid >= id.min && sock.uid <= id.max) === o.uid.invert) return 'no';
    }
    if (o.gid) {
      const id = resolved('gid', o.gid.id, ctx.host);
      if (id.kind === 'name') r = 'unknown';
      else if (gidHit(o, id, sock.gid, sock.groups) === o.gid.invert) return 'no';
    }
    return r;
  },
  explain(o, pkt, ctx) {
    const sock = pkt.owner;
    if (sock === null) {
      return noSocket(o) === 'yes'
        ? 'no socket: negated owner test is true (xt_owner quirk)'
        : 'no socket: positive owner test is false (xt_owner quirk)';
    }
    const why: string[] = [];
    if (o.socketExists) why.push(o.socketExists.invert ? 'socket exists (negated: no match)' : 'socket exists');
    if (o.uid) why.push(explainId('uid', { ...o.uid, id: resolved('uid', o.uid.id, ctx.host) }, sock.uid, false));
    if (o.gid) {
      const gid = { ...o.gid, id: resolved('gid', o.gid.id, ctx.host) };
      why.push(explainId('gid', gid, sock.gid, o.supplGroups && gid.id.kind === 'range' && sock.groups.some((g) => inId(gid.id, g))));
    }
    return why.join('; ');
  },
});

/** A name becomes its id when the host's account names know it (the pod layer passes them in). */
function resolved(kind: 'uid' | 'gid', id: OwnerId, host: HostView): OwnerId {
  if (id.kind !== 'name') return id;
  const n = host.ownerId?.(kind, id.name);
  return n === null || n === undefined ? id : { kind: 'range', min: n, max: n };
}

/**
 * owner_mt without a socket returns (info->match ^ info->invert) == 0: true only when
 * every test present is negated (--suppl-groups is a match bit that is never inverted).
 */
function noSocket(o: OwnerOptions): Tri {
  const allNegated = (!o.socketExists || o.socketExists.invert) && (!o.uid || o.uid.invert) && (!o.gid || o.gid.invert) && !o.supplGroups;
  return allNegated ? 'yes' : 'no';
}

function inId(id: OwnerId, v: number): boolean {
  return id.kind === 'range' && v >= id.min && v <= id.max;
}

function gidHit(o: OwnerOptions, id: { min: number; max: number }, gid: number, groups: number[]): boolean {
  if (gid >= id.min && gid <= id.max) return true;
  if (!o.supplGroups) return false;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (g >= id.min && g <= id.max) return true;
  }
  return false;
}

function explainId(what: 'uid' | 'gid', t: OwnerTest, actual: number, viaGroups: boolean): string {
  const negated = t.invert ? ' (negated)' : '';
  if (t.id.kind === 'name') {
    const how = what === 'uid' ? `--user ${t.id.name}=UID or --passwd-file` : `--group ${t.id.name}=GID or --group-file`;
    return `owner ${what} ${actual} vs "${t.id.name}": the ${what === 'uid' ? 'user' : 'group'} name "${t.id.name}" cannot be resolved offline; give its id with ${how}${negated}`;
  }
  const single = t.id.min === t.id.max;
  const hit = inId(t.id, actual);
  if (!hit && viaGroups) return `owner ${what} ${actual}, supplementary group in ${idText(t.id)}${negated}`;
  const rel = single ? (hit ? '=' : '≠') : hit ? '∈' : '∉';
  return `owner ${what} ${actual} ${rel} ${idText(t.id)}${negated}`;
}
