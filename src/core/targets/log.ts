/**
 * `-j LOG` (kernel log): `--log-level`, `--log-prefix`, `--log-tcp-sequence`,
 * `--log-tcp-options`, `--log-ip-options`, `--log-uid`, `--log-macdecode`.
 * Non-terminating. Save form per libxt_LOG.c: prefix, then a non-default level
 * as a number, then the flags.
 */
import { RuleSyntaxError } from '../errors.js';
import { saveString } from '../ruleset/save-string.js';
import { onlyOnce, parseUInt, valueOf } from '../matches/util.js';
import { defineTarget } from './define.js';

export interface LogOptions {
  level: number;
  prefix: string;
  flags: string[];
}

const DEFAULT_LEVEL = 4; // LOG_WARNING

/** Names libxtables' XTTYPE_SYSLOGLEVEL accepts (error and panic are deprecated spellings). */
const LEVEL_NAMES: Record<string, number> = {
  emerg: 0, panic: 0, alert: 1, crit: 2, error: 3, warning: 4, notice: 5, info: 6, debug: 7,
};
const LEVEL_LABEL = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** In the order iptables-save prints them. */
const FLAGS = ['log-tcp-sequence', 'log-tcp-options', 'log-ip-options', 'log-uid', 'log-macdecode'];

/** xt_log_info.prefix is 30 bytes: longer prefixes are cut to 29 characters. */
const PREFIX_MAX = 29;

/** Shared with NFLOG: a non-empty, single-line prefix, cut to the kernel field's size. */
export function parsePrefix(text: string, option: string, max: number): string {
  if (text === '') throw new RuleSyntaxError(`--${option} must not be empty`);
  if (text.includes('\n')) throw new RuleSyntaxError(`newlines are not allowed in --${option}`);
  return text.slice(0, max);
}

export const logTarget = defineTarget<LogOptions>({
  name: 'LOG',
  options: [
    { name: 'log-level', arg: true },
    { name: 'log-prefix', arg: true },
    ...FLAGS.map((name) => ({ name, arg: false })),
  ],
  build(options) {
    onlyOnce('LOG', options);
    const o: LogOptions = { level: DEFAULT_LEVEL, prefix: '', flags: [] };
    for (const opt of options) {
      if (opt.name === 'log-level') {
        const text = valueOf('LOG', opt);
        const level = parseUInt(text, 7) ?? LEVEL_NAMES[text];
        if (level === undefined) throw new RuleSyntaxError(`log level "${text}" unknown: use 0-7 or ${Object.keys(LEVEL_NAMES).join(', ')}`);
        o.level = level;
      } else if (opt.name === 'log-prefix') {
        o.prefix = parsePrefix(valueOf('LOG', opt), opt.name, PREFIX_MAX);
      }
    }
    o.flags = FLAGS.filter((f) => options.some((opt) => opt.name === f));
    return o;
  },
  save(o) {
    const parts: string[] = [];
    if (o.prefix) parts.push(`--log-prefix ${saveString(o.prefix)}`);
    if (o.level !== DEFAULT_LEVEL) parts.push(`--log-level ${o.level}`);
    parts.push(...o.flags.map((f) => `--${f}`));
    return parts.join(' ');
  },
  apply(o) {
    const parts = ['log'];
    if (o.prefix) parts.push(`prefix ${JSON.stringify(o.prefix)}`);
    parts.push(`level ${LEVEL_LABEL[o.level]}`);
    return { verdict: 'continue', detail: parts.join(' ') };
  },
});
