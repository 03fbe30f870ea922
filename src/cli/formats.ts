/** Output formats per command, apart from the commands so help text never loads them. */
export const TRACE_FORMATS = ['table', 'path', 'json', 'yaml', 'jsonl', 'mermaid', 'dot'];
export const VERIFY_FORMATS = ['table', 'json', 'yaml'];
export const RULES_FORMATS = ['save', 'restore'];
export const CHECK_FORMATS = ['table', 'json', 'yaml'];
export const DIFF_FORMATS = ['table', 'json', 'yaml'];

/** Formats a --flows batch writes as it goes (cli/trace-stream.ts). */
export const STREAM_FORMATS = ['json', 'jsonl', 'yaml', 'path'];
