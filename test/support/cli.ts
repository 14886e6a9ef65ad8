/**
 * Runs the real `bin/icl-workbench` as a child process (node, the bin script, tsx), as a user
 * would: exit code, stdout and stderr. Asynchronous, so a fake server in the test process keeps
 * answering while the command runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "../../lib/paths";

export const BIN = path.join(repoRoot, "bin", "icl-workbench");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** stdout and stderr so far. */
  output(): { stdout: string; stderr: string };
}

/** Starts `icl-workbench ...args`; `env` is added to the process environment. */
export function startCli(args: readonly string[], env: Record<string, string> = {}, cwd = repoRoot): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => ({ stdout, stderr }) };
}

/** Runs `icl-workbench ...args` to the end. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/** The output has no raw JavaScript stack trace (no "    at fn (file:line:col)" frames). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]\d+:\d+\)?$/m.test(text) || /\n\s+at (?:async )?\S+ \(/.test(text);
}
