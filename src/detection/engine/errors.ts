/** Why a rules file could not be loaded; the message always names the file and, when known, the line. */
export class RuleLoadError extends Error {
  readonly file: string;
  readonly line?: number;

  constructor(file: string, line: number | undefined, problem: string) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
    this.name = 'RuleLoadError';
    this.file = file;
    this.line = line;
  }
}

/** A problem found while compiling a condition or output; the loader adds the file and line. */
export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}
