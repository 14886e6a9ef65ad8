/**
 * Child-process entry for tests: `node --import tsx test/support/runCommand.ts <judge|generate|greedy> ...args`
 * runs one experiment command with the process's real stdout/stderr, as `icl-workbench` would.
 */
import { processIO, UsageError } from "../../lib/cli/io";
import type { Command } from "../../lib/cli/io";
import { InputError } from "../../lib/model/errors";
import { command as generate } from "../../lib/cli/commands/generate";
import { command as greedy } from "../../lib/cli/commands/greedy";
import { command as judge } from "../../lib/cli/commands/judge";

const commands: Record<string, Command> = { judge, generate, greedy };
const [name, ...args] = process.argv.slice(2);
const cmd = name === undefined ? undefined : commands[name];
if (cmd === undefined) {
  process.stderr.write(`runCommand: unknown command ${String(name)}\n`);
  process.exit(2);
}
cmd.run(args, processIO).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || e instanceof InputError) process.stderr.write(`${e.message}\n`);
    else process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
