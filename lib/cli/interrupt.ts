/**
 * Ctrl-C (SIGINT) for long resumable runs: the first one stops new items from starting, lets
 * the items in flight finish and their lines reach the file, then the command prints how to
 * resume and exits 130; a second one quits at once (every line already written is kept, and a
 * torn last line is removed by the rerun). Installed only when a command runs as the real
 * process, never inside tests that call a command in-process.
 */

/** Exit status after an interrupt (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

/** The stop reason a run reports after Ctrl-C. */
export const INTERRUPTED = "interrupted (Ctrl-C)";

/** POSIX-shell quoting of one argument (left bare when it is safe). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/** The command line that reruns `icl-workbench <command> argv...`. */
export function rerunCommand(command: string, argv: readonly string[]): string {
  return ["icl-workbench", command, ...argv].map(shellQuote).join(" ");
}

export interface InterruptOptions {
  /** Written once on the first Ctrl-C. */
  onFirst: () => void;
  /** Written on the second Ctrl-C, just before the process exits. */
  onSecond: () => void;
}

/** A SIGINT handler for one run; `reason()` is the run's stopReason hook. */
export class Interrupt {
  private interrupted = false;
  private readonly handler = (): void => {
    if (!this.interrupted) {
      this.interrupted = true;
      this.o.onFirst();
      return;
    }
    this.o.onSecond();
    process.exit(EXIT_INTERRUPTED);
  };

  constructor(private readonly o: InterruptOptions) {}

  /** Replaces node's default SIGINT behaviour (exit at once) until `dispose()`. */
  install(): this {
    process.on("SIGINT", this.handler);
    return this;
  }

  dispose(): void {
    process.off("SIGINT", this.handler);
  }

  /** INTERRUPTED once Ctrl-C was pressed, else null. */
  readonly reason = (): string | null => (this.interrupted ? INTERRUPTED : null);

  get wasInterrupted(): boolean {
    return this.interrupted;
  }
}
