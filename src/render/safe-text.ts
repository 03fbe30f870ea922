/**
 * Text that came from input (chain names, comments, file names, flow names) shown on a
 * terminal: control characters escaped, so a rule set cannot drive the terminal (OSC 52
 * writes the clipboard, CSI moves the cursor or hides text) and the name shown is the
 * real name, byte for byte, with its controls spelled out. JSON and YAML keep the exact
 * text; only what a person reads goes through here.
 */

/**
 * C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, and the
 * bidirectional overrides and isolates (text that displays in an order other than its
 * bytes, "Trojan Source").
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control character written as an escape (`\x1b`, `\x07`, `\x9b`, `\x7f`, `\n`, `\u202e`). */
export function showable(s: string): string {
  UNSAFE.lastIndex = 0;
  // Nearly every string is clean: test once, copy only when needed.
  if (!UNSAFE.test(s)) return s;
  UNSAFE.lastIndex = 0;
  return s.replace(UNSAFE, escapeOne);
}

const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text as JSON.stringify writes it, with the characters it leaves raw that a
 * terminal may still act on (DEL, C1 controls such as \x9b, line separators, bidi
 * overrides) written as \u escapes: the same value when parsed, inert when printed.
 */
export function terminalSafeJson(json: string): string {
  RAW_IN_JSON.lastIndex = 0;
  if (!RAW_IN_JSON.test(json)) return json;
  RAW_IN_JSON.lastIndex = 0;
  return json.replace(RAW_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * YAML text with the characters a terminal may act on that the YAML writer leaves raw
 * written as escapes (`\x9b`, `\u202e`). Valid only where they stand in double-quoted
 * scalars: yamlDoc() makes sure they do.
 */
export function escapeRawControls(text: string): string {
  RAW_IN_JSON.lastIndex = 0;
  return text.replace(RAW_IN_JSON, escapeOne);
}

/** Does this text hold a character JSON and YAML writers leave raw that a terminal may act on? */
export function hasRawControls(text: string): boolean {
  RAW_IN_JSON.lastIndex = 0;
  return RAW_IN_JSON.test(text);
}
