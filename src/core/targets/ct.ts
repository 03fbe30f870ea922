/**
 * `-j CT` (raw table): attach a conntrack template before conntrack sees the
 * packet: `--notrack`, `--zone[-orig|-reply] {ID|mark}`, `--helper`, `--timeout`,
 * `--ctevents`, `--expevents`. Kernel xt_CT.c: a packet that already carries a
 * template (or a conntrack entry) is left alone, so only the first CT rule a
 * packet meets takes effect (also measured: the first `CT --zone` wins).
 */
import { RuleSyntaxError } from '../errors.js';
import type { ParsedOption } from '../matches/define.js';
import type { Packet } from '../netfilter/packet.js';
import { onlyOnce, parseUInt, valueOf } from '../matches/util.js';
import { defineTarget } from './define.js';

export interface CtOptions {
  notrack: boolean;
  /** Truncated like the kernel struct fields (helper[16], timeout[32]). */
  helper: string;
  timeout: string;
  ctEvents: string[];
  expEvents: string[];
  zone: number;
  /** XT_CT_ZONE_MARK: the zone is taken from the packet mark. */
  zoneFromMark: boolean;
  /** XT_CT_ZONE_DIR_ORIG / _REPL; neither or both means both directions. */
  zoneOrig: boolean;
  zoneReply: boolean;
}

const CT_EVENTS = ['new', 'related', 'destroy', 'reply', 'assured', 'protoinfo', 'helper', 'mark', 'natseqinfo', 'secmark'];
const EXP_EVENTS = ['new'];

/**
 * True when the packet went through conntrack earlier on its path (a locally
 * generated packet looped back over lo keeps its entry); the raw table
 * otherwise runs before conntrack has attached anything.
 */
export function seenByConntrack(pkt: Packet): boolean {
  return pkt.conn.attached;
}

function parseEvents(opt: ParsedOption, table: string[]): string[] {
  const names = valueOf('CT', opt).split(',');
  for (const n of names) {
    if (!table.includes(n)) throw new RuleSyntaxError(`unknown event type "${n}" for --${opt.name} (known: ${table.join(', ')})`);
  }
  // Printed in the table's order, each once.
  return table.filter((n) => names.includes(n));
}

function zoneText(o: CtOptions): string | null {
  if (!o.zoneFromMark && o.zone === 0) return null;
  const suffix = o.zoneOrig && !o.zoneReply ? '-orig' : o.zoneReply && !o.zoneOrig ? '-reply' : '';
  return `--zone${suffix} ${o.zoneFromMark ? 'mark' : o.zone}`;
}

export const ctTarget = defineTarget<CtOptions>({
  name: 'CT',
  options: ['helper', 'timeout', 'ctevents', 'expevents', 'zone-orig', 'zone-reply', 'zone']
    .map((name) => ({ name, arg: true }))
    .concat([{ name: 'notrack', arg: false }]),
  tables: ['raw'],
  // --notrack attaches the untracked template: no nf_ct_netns_get.
  tracksConnections: (o) => !o.notrack,
  build(options) {
    onlyOnce('CT', options);
    const o: CtOptions = {
      notrack: false, helper: '', timeout: '', ctEvents: [], expEvents: [],
      zone: 0, zoneFromMark: false, zoneOrig: false, zoneReply: false,
    };
    for (const opt of options) {
      switch (opt.name) {
        case 'notrack':
          o.notrack = true;
          break;
        case 'helper':
          o.helper = valueOf('CT', opt).slice(0, 15);
          break;
        case 'timeout':
          o.timeout = valueOf('CT', opt).slice(0, 31);
          break;
        case 'ctevents':
          o.ctEvents = parseEvents(opt, CT_EVENTS);
          break;
        case 'expevents':
          o.expEvents = parseEvents(opt, EXP_EVENTS);
          break;
        case 'zone':
        case 'zone-orig':
        case 'zone-reply': {
          if (opt.name === 'zone-orig') o.zoneOrig = true;
          if (opt.name === 'zone-reply') o.zoneReply = true;
          const text = valueOf('CT', opt);
          if (text.toLowerCase() === 'mark') {
            o.zoneFromMark = true;
            o.zone = 0;
          } else {
            const id = parseUInt(text, 65535);
            if (id === null) throw new RuleSyntaxError(`invalid --${opt.name} "${text}": expected a zone ID 0-65535 or "mark"`);
            o.zone = id;
          }
          break;
        }
      }
    }
    return o;
  },
  save(o) {
    const parts: string[] = [];
    if (o.notrack) parts.push('--notrack');
    if (o.helper) parts.push(`--helper ${o.helper}`);
    if (o.timeout) parts.push(`--timeout ${o.timeout}`);
    if (o.ctEvents.length) parts.push(`--ctevents ${o.ctEvents.join(',')}`);
    if (o.expEvents.length) parts.push(`--expevents ${o.expEvents.join(',')}`);
    const zone = zoneText(o);
    if (zone) parts.push(zone);
    return parts.join(' ');
  },
  apply(o, pkt) {
    const conn = pkt.conn;
    if (conn.untracked) return { verdict: 'continue', detail: 'no effect: the packet is already marked untracked by an earlier CT rule' };
    if (conn.zoneSet) return { verdict: 'continue', detail: `no effect: an earlier CT rule already attached a template (zone ${conn.zone}); only the first one counts` };
    if (seenByConntrack(pkt)) return { verdict: 'continue', detail: 'no effect: the packet already has a conntrack entry (looped back)' };
    if (o.notrack) {
      conn.untracked = true;
      conn.state = 'UNTRACKED';
      return { verdict: 'continue', detail: 'notrack: the connection is not tracked' };
    }
    // Any other CT rule attaches a template, which blocks later CT rules too.
    const notes: string[] = [];
    const id = o.zoneFromMark ? pkt.mark & 0xffff : o.zone;
    const dirs = o.zoneOrig === o.zoneReply ? 'both' : o.zoneOrig ? 'ORIGINAL' : 'REPLY';
    const applies = dirs === 'both' || dirs === conn.direction;
    conn.zone = applies ? id : 0;
    conn.zoneSet = true;
    notes.push(`zone ${conn.zone}${o.zoneFromMark ? ' (from the packet mark)' : ''}`);
    if (!applies) notes.push(`zone ${id} applies to the ${dirs} direction only`);
    if (o.helper) notes.push(`helper "${o.helper}" is not modelled`);
    if (o.timeout) notes.push(`timeout policy "${o.timeout}" is not modelled`);
    if (o.ctEvents.length || o.expEvents.length) notes.push('event masks do not change the path');
    return { verdict: 'continue', detail: `conntrack template: ${notes.join('; ')}` };
  },
});
