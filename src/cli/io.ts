/** The process surface the CLI needs, injectable so tests run it in-process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Buffer;
  readStdin: () => Buffer;
  stdoutIsTTY: boolean;
  /** Progress bars go to stderr, and only to a terminal. */
  stderrIsTTY: boolean;
  env: Record<string, string | undefined>;
  /** Directory holding the built-in profiles (rules/). */
  rulesDir: string;
  listDir: (path: string) => string[];
}
