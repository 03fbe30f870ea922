/** The canonical (iptables-save) spelling of an option value, which rule text is printed in. */

const BARE = /^[A-Za-z0-9_-]+$/;

/**
 * Quote a value for save output the way xtables_save_string does: only
 * [A-Za-z0-9_-] stays bare; anything else is double-quoted with " \ ' escaped.
 */
export function saveString(value: string): string {
  if (BARE.test(value)) return value;
  return `"${value.replace(/(["\\'])/g, '\\$1')}"`;
}
