/**
 * The hand-off between input extraction (save files, restore files, istio-init
 * logs) and the table/chain loader: blocks of restore-syntax lines, each with
 * its family and the input line numbers it came from.
 */
import type { Family } from '../../core/types.js';
import type { RulesetFormat, SourceSetting } from '../../core/ruleset/model.js';

export interface SourceLine {
  /** restore/save syntax: `*nat`, `:CHAIN POLICY [p:b]`, `-N X`, `-A …`, `[p:b] -A …`, `-I X 2 …`, `COMMIT`. */
  text: string;
  /** 1-based line in the original input. */
  line: number;
}

export interface RuleBlock {
  /** null when nothing in or around the block says (the loader then infers it from the addresses, default IPv4). */
  family: Family | null;
  /** 'save' = iptables-save output (state after the fact); 'restore' = iptables-restore input (operations). */
  kind: 'save' | 'restore';
  lines: SourceLine[];
}

export interface ExtractedInput {
  format: RulesetFormat;
  blocks: RuleBlock[];
  notes: string[];
  /** What the log's banner printed (empty for a dump). */
  settings: SourceSetting[];
}
