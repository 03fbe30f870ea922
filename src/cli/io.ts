/** The process surface the CLI needs, injectable so tests run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  /** Encoded output, when the sink takes bytes (the real process): streamed batches write their cached bytes as they are, in order. */
  stdoutBytes?: (bytes: Buffer[]) => void;
  /** True once stdout's reader has gone (`| head`): a streamed batch stops tracing. */
  stdoutClosed?: () => boolean;
  stderr: (text: string) => void;
  /** Trusted files of the tool itself (built-in profiles). */
  readFile: (path: string) => Buffer;
  readStdin: () => Buffer;
  /**
   * Every input the user names ("-": stdin), in chunks, at most maxBytes: see
   * input-reader.ts. `what` and `label` name it in messages.
   */
  readInput: (path: string, what: string, label: string, maxBytes: number) => Iterable<Buffer>;
  stdoutIsTTY: boolean;
  /** Progress bars go to stderr, and only to a terminal. */
  stderrIsTTY: boolean;
  env: Record<string, string | undefined>;
  /** Directory holding the built-in profiles (rules/). */
  rulesDir: string;
  listDir: (path: string) => string[];
  /** The script a --jobs worker thread runs (the CLI's own entry); absent: --jobs runs in one thread. */
  workerScript?: string;
}
