/**
 * `-m comment --comment TEXT`: always matches. The kernel keeps 256 bytes including
 * the terminating NUL, so iptables accepts at most 255 (libxt_comment.t). Saved with
 * xtables_save_string quoting.
 */
import { RuleSyntaxError } from '../errors.js';
import { saveString } from '../ruleset/save-string.js';
import { defineMatch } from './define.js';
import { onlyOnce, valueOf } from './util.js';

/** XT_MAX_COMMENT_LEN (256) minus the NUL. */
export const MAX_COMMENT_BYTES = 255;

export interface CommentOptions {
  text: string;
}

export const commentMatch = defineMatch<CommentOptions>({
  name: 'comment',
  options: [{ name: 'comment', arg: true, invertible: false }],
  build(options) {
    onlyOnce('comment', options);
    const opt = options[0];
    if (!opt) throw new RuleSyntaxError('comment: --comment is required');
    const text = valueOf('comment', opt);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_COMMENT_BYTES) throw new RuleSyntaxError(`comment: --comment is ${bytes} bytes long; at most ${MAX_COMMENT_BYTES} are allowed`);
    return { text };
  },
  save(o) {
    return `--comment ${saveString(o.text)}`;
  },
  evaluate() {
    return 'yes';
  },
  explain(o) {
    return `comment "${o.text}" always matches`;
  },
});
