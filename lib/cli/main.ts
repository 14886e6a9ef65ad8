/**
 * `icl-workbench`: the command-line entry point. Each subcommand lives in its own module under
 * `lib/cli/commands/` and is loaded only when called, so a slow import in one command never
 * slows another.
 */
import { InputError } from "../model/errors";
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
    "Run `icl-workbench <command> --help` for a command's options.",
    "",
  ].join("\n");
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
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
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`icl-workbench ${name}: ${e.message}\n\n${command.usage}`);
      return 2;
    }
    if (e instanceof InputError) {
      io.stderr(`icl-workbench ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`icl-workbench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
