/**
 * Built-in rule sets live as files in rules/, each opening with a header:
 *   # sidecar-trace profile: NAME
 *   # title: …   # versions: …   # source: …   # assumes: …
 * This module reads that header; the CLI does the file I/O.
 */
import { NEWEST_LAYOUT } from './generator/version.js';

/** The profile of the newest known release's layout (a layout stands for every release up to the next: same default rules). */
export const DEFAULT_PROFILE = `istio-${NEWEST_LAYOUT}`;

/** Friendly names that point at a profile. */
export const PROFILE_ALIASES: Record<string, string> = {
  current: DEFAULT_PROFILE,
  default: DEFAULT_PROFILE,
  'istio-main': DEFAULT_PROFILE,
  'kernel-traces': 'istio-1.10',
};

export interface ProfileInfo {
  name: string;
  title: string;
  versions: string;
  source: string;
  assumes: string;
}

export function readProfileHeader(name: string, text: string): ProfileInfo {
  const info: ProfileInfo = { name, title: '', versions: '', source: '', assumes: '' };
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const m = /^#\s*(title|versions|source|assumes):\s*(.*)$/.exec(line);
    if (m) info[m[1] as 'title' | 'versions' | 'source' | 'assumes'] = m[2]!.trim();
  }
  return info;
}

export function resolveProfileName(name: string): string {
  return PROFILE_ALIASES[name] ?? name;
}
