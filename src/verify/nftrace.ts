/**
 * Kernel tracing: the nft table that turns tracing on, and the parser for `nft -a monitor trace`.
 *
 * The trace table lives beside the iptables-nft tables, in the pod namespace only, so no
 * iptables rule moves. Its base chains run at priority -400, before raw (-300) and conntrack
 * (-200), on every hook:
 * - prerouting/output set `meta nftrace` on a TCP SYN without ACK and on UDP datagrams.
 *   Conntrack has not run yet at -400, so `ct state new` cannot pick the first UDP datagram
 *   here; the harness's stand-ins send exactly one datagram per "connection" instead, and the
 *   hop builder keeps only the first traced packet of each 5-tuple.
 * - output also catches the probes (UDP to 127.88.0.0/16 port 9): traced, then dropped right
 *   there, so no iptables chain ever sees one. A probe's trace event proves the monitor is
 *   listening and marks a point in the event stream.
 * - input/forward/postrouting are empty: their events only show hook boundaries.
 * The table must never use a `ct` expression: conntrack runs in a namespace only once some rule
 * needs it, nat chains only see tracked packets, and the trace would then change the result.
 */

export const TRACE_TABLE = 'sctrace';
export const PROBE_PREFIX = '127.88';
export const PROBE_PORT = 9;

/** Chain name -> hook of the trace table's base chains. */
export const TRACE_CHAINS = {
  trace_prerouting: 'PREROUTING',
  trace_input: 'INPUT',
  trace_forward: 'FORWARD',
  trace_output: 'OUTPUT',
  trace_postrouting: 'POSTROUTING',
} as const;

export function traceTableScript(): string {
  const firstPacket = [
    'meta l4proto tcp tcp flags & (syn | ack) == syn meta nftrace set 1',
    'meta l4proto udp meta nftrace set 1',
  ];
  const chain = (name: string, hook: string, rules: string[]): string =>
    [`  chain ${name} {`, `    type filter hook ${hook} priority -400; policy accept;`, ...rules.map((r) => `    ${r}`), '  }'].join(
      '\n',
    );
  return [
    `table inet ${TRACE_TABLE} {`,
    chain('trace_prerouting', 'prerouting', firstPacket),
    chain('trace_input', 'input', []),
    chain('trace_forward', 'forward', []),
    chain('trace_output', 'output', [
      `ip daddr ${PROBE_PREFIX}.0.0/16 udp dport ${PROBE_PORT} meta nftrace set 1 drop`,
      ...firstPacket,
    ]),
    chain('trace_postrouting', 'postrouting', []),
    '}',
    '',
  ].join('\n');
}

const PROBE_ADDRESS = new RegExp(`^${PROBE_PREFIX.replace(/\./g, '\\.')}\\.(\\d+)\\.(\\d+)$`);

export function probeAddress(n: number): string {
  return `${PROBE_PREFIX}.${(n >> 8) & 255}.${n & 255}`;
}

export interface TracePacket {
  family: 'ipv4' | 'ipv6';
  iif: string | null;
  oif: string | null;
  src: string;
  dst: string;
  /** 'tcp', 'udp', or whatever else nft printed (null when it printed no transport header). */
  proto: string | null;
  sport: number | null;
  dport: number | null;
  /** IPv4 identification / IPv6 flow label: unchanged by NAT, so it links a looped-back packet to its origin. */
  ipId: number | null;
  flowLabel: number | null;
}

interface EventBase {
  id: string;
  /** nft family of the table: ip, ip6, inet… */
  nfFamily: string;
  table: string;
  chain: string;
  line: string;
}

export type TraceEvent =
  | (EventBase & { type: 'packet'; packet: TracePacket })
  | (EventBase & { type: 'rule'; handle: number; text: string; verdict: string })
  | (EventBase & { type: 'policy'; verdict: string })
  | (EventBase & { type: 'other'; rest: string });

const HEADER = /^trace id ([0-9a-f]+) (\S+) (\S+) (\S+) (.*)$/;
const RULE = /^rule (.*?) ?# handle (\d+) \(verdict (.+)\)\s*$/;
const POLICY = /^policy (\S+)/;

function field(text: string, re: RegExp): string | null {
  const m = re.exec(text);
  return m ? (m[1] ?? null) : null;
}

function num(text: string | null): number | null {
  return text === null ? null : Number(text);
}

export function parsePacket(text: string): TracePacket | null {
  const v6 = /\bip6 saddr /.test(text);
  const src = field(text, v6 ? /\bip6 saddr (\S+)/ : /\bip saddr (\S+)/);
  const dst = field(text, v6 ? /\bip6 daddr (\S+)/ : /\bip daddr (\S+)/);
  if (src === null || dst === null) return null;
  const l4 = /\b(tcp|udp|udplite|sctp|dccp) sport (\d+)/.exec(text);
  const proto = l4?.[1] ?? field(text, v6 ? /\bip6 nexthdr (\S+)/ : /\bip protocol (\S+)/);
  return {
    family: v6 ? 'ipv6' : 'ipv4',
    iif: field(text, /\biif "([^"]*)"/),
    oif: field(text, /\boif "([^"]*)"/),
    src,
    dst,
    proto,
    sport: num(l4?.[2] ?? null),
    dport: num(field(text, /\b(?:tcp|udp|udplite|sctp|dccp) dport (\d+)/)),
    ipId: num(field(text, /\bip id (\d+)/)),
    flowLabel: num(field(text, /\bip6 flowlabel (\d+)/)),
  };
}

/** Parse one line of `nft -a monitor trace`; null for lines that are not trace events. */
export function parseTraceLine(line: string): TraceEvent | null {
  const h = HEADER.exec(line);
  if (!h) return null;
  const base: EventBase = { id: h[1]!, nfFamily: h[2]!, table: h[3]!, chain: h[4]!, line };
  const rest = h[5]!;
  if (rest.startsWith('packet: ')) {
    const packet = parsePacket(rest.slice('packet: '.length));
    return packet ? { ...base, type: 'packet', packet } : { ...base, type: 'other', rest };
  }
  const r = RULE.exec(rest);
  if (r) return { ...base, type: 'rule', text: r[1]!, handle: Number(r[2]), verdict: r[3]!.trim() };
  const p = POLICY.exec(rest);
  if (p) return { ...base, type: 'policy', verdict: p[1]! };
  return { ...base, type: 'other', rest };
}

/** The probe number of a trace event, or null when the event is not a probe's. */
export function probeNumber(ev: TraceEvent): number | null {
  if (ev.type !== 'packet' || ev.table !== TRACE_TABLE || ev.chain !== 'trace_output') return null;
  const p = ev.packet;
  if (p.proto !== 'udp' || p.dport !== PROBE_PORT) return null;
  const m = PROBE_ADDRESS.exec(p.dst);
  return m ? Number(m[1]) * 256 + Number(m[2]) : null;
}
