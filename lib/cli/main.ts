/**
 * `icl-workbench`: the command-line entry point. Each subcommand lives in its own module under
 * `lib/cli/commands/` and is loaded only when called, so a slow import in one command never
 * slows another.
 *
 * The top-level error handler: everything printed goes through the redaction of every key the
 * run read (lib/experiment/secrets.ts) plus the values of key-like environment variables; an
 * error prints one line naming the command and the problem, with its stack only under
 * `--debug` (a global flag, taken out before the command parses its options). The exit
 * statuses are lib/cli/exitCodes.ts.
 */
import { InputError } from "../model/errors";
import { OutputLockedError } from "../experiment/outputLock";
import { RetriesExhaustedError } from "../experiment/retry";
import { redactKnownSecrets, registerEnvSecrets } from "../experiment/secrets";
import { EXIT_CODES_USAGE, EXIT_ERROR, EXIT_FATAL_API, EXIT_OK, EXIT_USAGE } from "./exitCodes";
import { type CliIO, type Command, UsageError, processIO } from "./io";

type Loader = () => Command;

/* eslint-disable @typescript-eslint/no-require-imports -- lazy, synchronous loading of subcommands */
/** The command table: name -> lazy loader (a command's imports load only when it runs). */
export const commands: Record<string, Loader> = {
  "mtbench-scores": () => (require("./commands/mtbenchScores") as typeof import("./commands/mtbenchScores")).command,
  "alpaca-winrate": () => (require("./commands/alpacaWinrate") as typeof import("./commands/alpacaWinrate")).command,
  "hidden-sims": () => (require("./commands/hiddenSims") as typeof import("./commands/hiddenSims")).command,
  "hidden-job": () => (require("./commands/hiddenJob") as typeof import("./commands/hiddenJob")).command,
  reproduce: () => (require("./commands/reproduce") as typeof import("./commands/reproduce")).command,
  wilcoxon: () => (require("./commands/wilcoxon") as typeof import("./commands/wilcoxon")).command,
  generate: () => (require("./commands/generate") as typeof import("./commands/generate")).command,
  judge: () => (require("./commands/judge") as typeof import("./commands/judge")).command,
  greedy: () => (require("./commands/greedy") as typeof import("./commands/greedy")).command,
  prompt: () => (require("./commands/prompt") as typeof import("./commands/prompt")).command,
};
/* eslint-enable @typescript-eslint/no-require-imports */

function topUsage(summaries: [string, string][]): string {
  const width = Math.max(...summaries.map(([n]) => n.length));
  return [
    "usage: icl-workbench <command> [options]",
    "",
    "commands:",
    ...summaries.map(([n, s]) => `  ${n.padEnd(width)}  ${s}`),
    "",
    "Run `icl-workbench <command> --help` for a command's options. --debug (any command)",
    "prints stack traces of internal errors.",
    "",
    EXIT_CODES_USAGE,
  ].join("\n");
}

/** `io` with every registered secret redacted from what is written (looked up at write time). */
export function redactingIO(io: CliIO): CliIO {
  return { stdout: (t) => io.stdout(redactKnownSecrets(t)), stderr: (t) => io.stderr(redactKnownSecrets(t)), ...(io.isProcess === true ? { isProcess: true } : {}) };
}

/** The exit status and the printed lines for an error that reached the top level. */
export function describeTopLevelError(name: string, e: unknown, debug: boolean): { code: number; text: string } {
  const stack = debug && e instanceof Error && e.stack !== undefined ? `\n${e.stack}` : "";
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof InputError || e instanceof OutputLockedError) return { code: EXIT_ERROR, text: `icl-workbench ${name}: ${message}${stack}\n` };
  if (e instanceof RetriesExhaustedError && e.fatal) return { code: EXIT_FATAL_API, text: `icl-workbench ${name}: API error: ${message}${stack}\n` };
  if (e instanceof RetriesExhaustedError) return { code: EXIT_ERROR, text: `icl-workbench ${name}: API error: ${message}${stack}\n` };
  const hint = debug ? "" : " (rerun with --debug for the stack trace)";
  const kind = e instanceof Error && e.name !== "Error" ? `${e.name}: ` : "";
  return { code: EXIT_ERROR, text: `icl-workbench ${name}: internal error: ${kind}${message}${hint}${stack}\n` };
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], rawIO: CliIO = processIO): Promise<number> {
  registerEnvSecrets(process.env);
  const io = redactingIO(rawIO);
  const debug = argv.includes("--debug");
  const [name, ...rest] = argv.filter((a) => a !== "--debug");
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const rows: [string, string][] = [];
    for (const [n, load] of Object.entries(commands)) rows.push([n, load().summary]);
    io.stdout(topUsage(rows));
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (load === undefined) {
    io.stderr(`icl-workbench: unknown command "${name}". Known: ${Object.keys(commands).join(", ")}\n`);
    return 2;
  }
  const command = load();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.usage);
    return EXIT_OK;
  }
  if (rawIO === processIO) installProcessHandlers(name, debug);
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`icl-workbench ${name}: ${e.message}${debug && e.stack ? `\n${e.stack}` : ""}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    const d = describeTopLevelError(name, e, debug);
    io.stderr(d.text);
    return d.code;
  }
}

let handlersInstalled = false;
/** Errors outside the command's promise (an emitter's error, a stray rejection) are printed the same way, redacted. */
function installProcessHandlers(name: string, debug: boolean): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const fail = (e: unknown): void => {
    process.stderr.write(redactKnownSecrets(describeTopLevelError(name, e, debug).text));
    process.exit(EXIT_ERROR);
  };
  process.on("uncaughtException", fail);
  process.on("unhandledRejection", fail);
}

/** Runs the CLI as a process: exit status from {@link main}; nothing unredacted reaches stderr. */
export function runAsProcess(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(redactKnownSecrets(describeTopLevelError(argv[0] ?? "", e, argv.includes("--debug")).text));
      process.exitCode = EXIT_ERROR;
    },
  );
}

if (require.main === module) runAsProcess(process.argv.slice(2));
