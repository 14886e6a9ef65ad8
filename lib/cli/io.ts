/** The streams a CLI command writes to; tests pass in-memory ones. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True for the process's own streams, also behind a redacting wrapper (signals, terminals). */
  isProcess?: boolean;
}

/** A subcommand of `icl-workbench`. */
export interface Command {
  /** One line shown by `icl-workbench --help`. */
  summary: string;
  /** Full usage text shown by `icl-workbench <command> --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Error in the command line itself (unknown flag, missing value); printed with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const processIO: CliIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isProcess: true,
};
