/**
 * `-j NFLOG` (log to userspace over nfnetlink): `--nflog-group`, `--nflog-prefix`,
 * `--nflog-size` (or the legacy `--nflog-range`), `--nflog-threshold`.
 * Non-terminating. Save form per libxt_NFLOG.c: defaults (group 0, threshold 0,
 * no length) are left out.
 */
import { saveString } from '../ruleset/save-string.js';
import { onlyOnce, UINT32_MAX, valueOf } from '../matches/util.js';
import { defineTarget } from './define.js';
import { parsePrefix } from './log.js';
import { parseUintOption, requireExclusive } from './options.js';

export interface NflogOptions {
  group: number;
  prefix: string;
  /** Copy length: from --nflog-size (`size: true`) or the broken legacy --nflog-range. */
  len: number;
  size: boolean;
  threshold: number;
}

/** xt_nflog_info.prefix is 64 bytes: longer prefixes are cut to 63 characters. */
const PREFIX_MAX = 63;

export const nflogTarget = defineTarget<NflogOptions>({
  name: 'NFLOG',
  options: ['nflog-group', 'nflog-prefix', 'nflog-range', 'nflog-size', 'nflog-threshold'].map((name) => ({ name, arg: true })),
  build(options) {
    onlyOnce('NFLOG', options);
    requireExclusive('NFLOG', options, ['nflog-range', 'nflog-size']);
    const o: NflogOptions = { group: 0, prefix: '', len: 0, size: false, threshold: 0 };
    for (const opt of options) {
      switch (opt.name) {
        case 'nflog-group':
          o.group = parseUintOption('NFLOG', opt, 0xffff);
          break;
        case 'nflog-prefix':
          o.prefix = parsePrefix(valueOf('NFLOG', opt), opt.name, PREFIX_MAX);
          break;
        case 'nflog-range':
          o.len = parseUintOption('NFLOG', opt, UINT32_MAX);
          break;
        case 'nflog-size':
          o.len = parseUintOption('NFLOG', opt, UINT32_MAX);
          o.size = true;
          break;
        case 'nflog-threshold':
          o.threshold = parseUintOption('NFLOG', opt, 0xffff);
          break;
      }
    }
    return o;
  },
  save(o) {
    const parts: string[] = [];
    if (o.prefix) parts.push(`--nflog-prefix ${saveString(o.prefix)}`);
    if (o.group) parts.push(`--nflog-group ${o.group}`);
    if (o.size) parts.push(`--nflog-size ${o.len}`);
    else if (o.len) parts.push(`--nflog-range ${o.len}`);
    if (o.threshold) parts.push(`--nflog-threshold ${o.threshold}`);
    return parts.join(' ');
  },
  apply(o) {
    const prefix = o.prefix ? ` prefix ${JSON.stringify(o.prefix)}` : '';
    return { verdict: 'continue', detail: `nflog group ${o.group}${prefix}` };
  },
});
