/**
 * Child-process entry for tests: `node --import tsx test/support/runCommand.ts <judge|generate|greedy> ...args`
 * runs one experiment command as `bin/icl-workbench` does, through lib/cli/main.ts's top-level
 * handler (redaction, exit statuses), with the process's real stdout/stderr.
 */
import { runAsProcess } from "../../lib/cli/main";

runAsProcess(process.argv.slice(2));
