/**
 * Turn the physical lines of a pasted log into logical text lines: strip the
 * prefixes that log collectors and Istio's logger put in front of each record,
 * unwrap JSON records (docker `{"log":…}`, istio `--log_as_json` `{"msg":…}`),
 * and split multi-line JSON messages. Every logical line keeps the number of
 * the physical line it came from.
 */

export interface LogicalLine {
  /** Text with prefixes removed and surrounding whitespace trimmed. */
  text: string;
  /** 1-based physical line in the input. */
  line: number;
  /** True when a log prefix or a JSON wrapper was removed (evidence of a log). */
  stripped: boolean;
}

/** RFC 3339 with a zone, as Go's and the container runtimes' loggers print it. */
const TS = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})`;
const LEVELS = 'debug|info|warn|warning|error|fatal|none';
/** Scopes Istio's iptables code logs under (istio-init, istio-cni plugin/agent, ambient). */
const KNOWN_SCOPES = 'cni|cni-agent|cni-plugin|cni-raw|ambient|iptables|default|repair|install|istio-iptables';

/** `<ts>\t<level>\t[<scope>\t]` exactly as istio's logger writes it. */
const ISTIO_TAB = new RegExp(`^${TS}\\t(?:${LEVELS})\\t(?:[a-z][a-z0-9_.-]*\\t)?`);
/** The same after a copy/paste turned the tabs into spaces: only known scopes, and only before a capitalised message. */
const ISTIO_SPACE = new RegExp(`^${TS}[ \\t]+(?:${LEVELS})[ \\t]+(?:(?:${KNOWN_SCOPES})[ \\t]+(?=[A-Z]))?`);
/** CRI log file line: `<ts> stdout F <text>` (P = partial, continued on the next line). */
const CRI = new RegExp(`^${TS}[ \\t]+(stdout|stderr)[ \\t]+([FP])(?: |\\t|$)`);
/** `kubectl logs --timestamps`. */
const BARE_TS = new RegExp(`^${TS}[ \\t]+`);
/** `kubectl logs --prefix`. */
const KUBECTL_PREFIX = /^\[pod\/[^\]\s]+\][ \t]+/;
/** stern-style or hand-added pod name of the istio-cni DaemonSet. */
const CNI_POD = /^istio-cni-node-[a-z0-9]+[ \t]+(?:install-cni[ \t]+)?/;
/**
 * journald and syslog (`journalctl -u istio`, /var/log/syslog): `May 07 02:28:03 node kubelet[1234]: `.
 * An empty message leaves nothing after the colon (the paste dropped the trailing blank).
 */
const JOURNAL = /^[A-Z][a-z]{2}[ \t]+\d{1,2}[ \t]+\d{2}:\d{2}:\d{2}(?:\.\d+)?[ \t]+\S+[ \t]+[\w.\/@-]+(?:\[\d+\])?:(?:[ \t]+|$)/;
/**
 * The other journalctl outputs: `-o short-full` (`Sun 2026-03-01 12:00:00 UTC host unit[pid]: `),
 * `-o short-unix` (`1772366400.123456 host unit[pid]: `), `-o short-monotonic` (`[ 1234.567890] host unit[pid]: `).
 */
const JOURNAL_OTHER =
  /^(?:[A-Z][a-z]{2}[ \t]+\d{4}-\d{2}-\d{2}[ \t]+\d{2}:\d{2}:\d{2}(?:\.\d+)?[ \t]+[A-Z][A-Za-z0-9+-]{1,5}|\d{9,11}\.\d+|\[[ \t]*\d+\.\d+\])[ \t]+\S+[ \t]+[\w.\/@-]+\[\d+\]:(?:[ \t]+|$)/;
/**
 * The same with an RFC 3339 time (`journalctl -o short-iso[-precise]`, rsyslog's high-precision format). The
 * `[pid]` is required: without it, `<ts> Istio config:` (kubectl --timestamps) would look like one.
 */
const JOURNAL_ISO = new RegExp(`^${TS}[ \\t]+\\S+[ \\t]+[\\w.\\/@-]+\\[\\d+\\]:(?:[ \\t]+|$)`);
/** RFC 5424 syslog: `<30>1 2026-03-01T12:00:00.1+00:00 host istio-start.sh 6717 - - `. */
const SYSLOG_5424 = new RegExp(`^<\\d{1,3}>1[ \\t]+${TS}[ \\t]+\\S+[ \\t]+\\S+[ \\t]+\\S+[ \\t]+\\S+[ \\t]+(?:-|\\[.*?\\])(?:[ \\t]+|$)`);
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
/** The end of a line made of colour codes and blanks only. */
const TRAILING_ANSI = /(?:\x1b\[[0-9;?]*[A-Za-z]|\s)+$/;

interface Stripped {
  text: string;
  stripped: boolean;
  /** CRI `P` tag: the record continues on the next physical line. */
  partial: boolean;
}

export function stripLogPrefixes(input: string): Stripped {
  let s = input;
  let stripped = false;
  let partial = false;
  for (let guard = 0; guard < 8; guard++) {
    let m: RegExpExecArray | null;
    if ((m = ISTIO_TAB.exec(s)) || (m = ISTIO_SPACE.exec(s))) {
      s = s.slice(m[0].length);
    } else if ((m = CRI.exec(s))) {
      partial = m[2] === 'P';
      s = s.slice(m[0].length);
    } else if (
      (m = KUBECTL_PREFIX.exec(s)) ||
      (m = CNI_POD.exec(s)) ||
      (m = JOURNAL.exec(s)) ||
      (m = JOURNAL_ISO.exec(s)) ||
      (m = JOURNAL_OTHER.exec(s)) ||
      (m = SYSLOG_5424.exec(s)) ||
      (m = BARE_TS.exec(s))
    ) {
      s = s.slice(m[0].length);
    } else {
      break;
    }
    stripped = true;
  }
  return { text: s, stripped, partial };
}

/**
 * A line's log prefixes removed, with the terminal colour codes (CSI sequences) of a
 * coloured log taken out of the prefix and off the ends of the text only. Codes inside
 * the rule text stay: they are part of it (a chain name or comment may hold any byte),
 * and the renderers show them escaped; removing them would show a name that is not
 * the real one.
 */
function stripColouredPrefixes(raw: string): Stripped {
  if (raw.indexOf('\x1b') < 0) return stripLogPrefixes(raw.replace(/^\s+/, ''));
  // The visible characters, and where each one is in the raw line.
  let visible = '';
  const at: number[] = [];
  let from = 0;
  for (const m of raw.matchAll(ANSI)) {
    for (let i = from; i < m.index; i++) at.push(i);
    visible += raw.slice(from, m.index);
    from = m.index + m[0].length;
  }
  for (let i = from; i < raw.length; i++) at.push(i);
  visible += raw.slice(from);
  const r = stripLogPrefixes(visible.replace(/^\s+/, ''));
  const consumed = visible.length - r.text.length;
  let text = consumed < visible.length ? raw.slice(at[consumed]) : '';
  // The codes at the end go; the blanks stay (a CRI partial record may end in the middle of a rule).
  const tail = TRAILING_ANSI.exec(text);
  if (tail) text = text.slice(0, tail.index) + tail[0].replace(ANSI, '');
  return { ...r, text };
}

/** The text carried by a JSON log record, or null when the line is not one. */
function jsonPayload(s: string): string | null {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const rec = v as Record<string, unknown>;
  // docker json-file driver: one physical output line per record, newline included.
  if (typeof rec.log === 'string') return rec.log.replace(/\r?\n$/, '');
  // istio --log_as_json: one record per log call; the message may span lines.
  if (typeof rec.msg === 'string') return rec.msg;
  return null;
}

function expand(text: string, line: number, stripped: boolean, depth: number, out: LogicalLine[]): void {
  const t = text.trim();
  if (depth < 3 && t.startsWith('{') && t.endsWith('}')) {
    const inner = jsonPayload(t);
    if (inner !== null) {
      for (const part of inner.split(/\r?\n/)) {
        const r = stripColouredPrefixes(part.trim());
        expand(r.text, line, true, depth + 1, out);
      }
      return;
    }
  }
  out.push({ text: t, line, stripped });
}

/**
 * Can `raw` carry no log prefix, ANSI escape or JSON record? True for the lines of a
 * save or restore file (`-A …`, `:CHAIN …`, `*table`, `# …`, `[p:b] -A …`): none of
 * the prefixes can start with these characters, so the line is its own text.
 */
function plainTableLine(raw: string): boolean {
  const c = raw.charCodeAt(0);
  if (c === 45 /* - */ || c === 58 /* : */ || c === 42 /* * */ || c === 35 /* # */) return true;
  if (c === 91 /* [ */) {
    const d = raw.charCodeAt(1);
    return d >= 48 && d <= 57;
  }
  return false;
}

/** Physical lines (without line terminators) to logical lines. */
export function toLogicalLines(physical: string[]): LogicalLine[] {
  const out: LogicalLine[] = [];
  let pending: { text: string; line: number } | null = null;
  physical.forEach((raw, idx) => {
    // Table text is its own text (what the general path gives such a line without escapes;
    // with them, the escapes are part of the rules, never a log's colours).
    if (pending === null && (raw === '' || plainTableLine(raw))) {
      out.push({ text: raw.trim(), line: idx + 1, stripped: false });
      return;
    }
    // Keep trailing blanks until the record is complete: a CRI `P` chunk may end in the middle of a rule.
    const r = stripColouredPrefixes(raw);
    let text = r.text;
    let line = idx + 1;
    if (pending) {
      text = pending.text + text;
      line = pending.line;
      pending = null;
    }
    if (r.partial) {
      pending = { text, line };
      return;
    }
    expand(text, line, r.stripped, 0, out);
  });
  if (pending) {
    const p: { text: string; line: number } = pending;
    expand(p.text, p.line, true, 0, out);
  }
  return out;
}
