/**
 * The exit statuses of `icl-workbench`, the same for every command (README "Running
 * experiments", each command's `--help`). A script can tell from them whether a rerun helps:
 * rerun as is on 4, raise the budget on 3, fix the key/quota/model on 5, fix the input on 1.
 */

/** Everything planned is done. */
export const EXIT_OK = 0;
/** Bad input (the message names the file, line and field), a locked output, or an internal error. */
export const EXIT_ERROR = 1;
/** A command-line error (printed with the usage). */
export const EXIT_USAGE = 2;
/** The `--budget-usd` ceiling stopped the run; finished items are kept, rerun with a higher budget. */
export const EXIT_BUDGET = 3;
/** Transient failures left (timeouts, 429/5xx after every attempt, item deadlines): rerun the same command to retry them. */
export const EXIT_INCOMPLETE = 4;
/** A fatal API error stopped the run (401/403 bad key, exhausted quota, unknown model or URL): fix it, then rerun. */
export const EXIT_FATAL_API = 5;

/** The text of the exit statuses for `--help`. */
export const EXIT_CODES_USAGE = `Exit status: 0 done; 1 bad input, locked output or internal error; 2 usage error;
  3 budget reached (rerun with a higher --budget-usd); 4 transient failures left (rerun the same
  command to retry them); 5 fatal API error: bad key, exhausted quota, unknown model (fix, rerun).
`;

/** The exit status of a finished run from its outcome. */
export function runExitCode(o: { stopKind: "budget" | "fatal" | "write" | null; failed: number }): number {
  if (o.stopKind === "budget") return EXIT_BUDGET;
  if (o.stopKind === "fatal") return EXIT_FATAL_API;
  if (o.stopKind === "write") return EXIT_ERROR;
  return o.failed > 0 ? EXIT_INCOMPLETE : EXIT_OK;
}

/** The most severe of several runs' exit statuses (fatal > write error > budget > incomplete > ok). */
export function worstExitCode(codes: readonly number[]): number {
  const order = [EXIT_FATAL_API, EXIT_ERROR, EXIT_BUDGET, EXIT_INCOMPLETE, EXIT_OK];
  for (const c of order) if (codes.includes(c)) return c;
  return EXIT_OK;
}
