/**
 * Input problems are values, not crashes: every one names where it happened
 * so the CLI can print `file:line: message` and exit 2.
 */
export class InputError extends Error {
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
  constructor(message: string, file: string, line: number | null = null, column: number | null = null) {
    super(message);
    this.name = 'InputError';
    this.file = file;
    this.line = line;
    this.column = column;
  }
  /** One line, `file:line[:col]: message`, as compilers print it. */
  format(): string {
    const where = [this.file, this.line ?? undefined, this.column ?? undefined].filter((p) => p !== undefined).join(':');
    return `${where}: ${this.message}`;
  }
}

/** Raised by module parsers; the rule parser adds file and line. */
export class RuleSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSyntaxError';
  }
}

/** A bad command-line value: printed as `sidecar-trace: message`, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
