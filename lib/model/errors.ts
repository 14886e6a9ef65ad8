/**
 * Errors for bad input. Every message names the file, the line (1-based) and the field, so a
 * researcher can open the dump and fix the row.
 */

/** Where in an input a problem is: the file (or a label such as "<string>"), line and field. */
export interface InputLocation {
  file: string;
  line?: number;
  field?: string;
}

/** A problem with user input: a dump, a manifest, a prompt file or a command-line value. */
export class InputError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(where: InputLocation, problem: string) {
    super(`${formatLocation(where)}: ${problem}`);
    this.name = "InputError";
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }
}

/** `file:line: field "x"` as used at the start of every InputError message. */
export function formatLocation(where: InputLocation): string {
  let s = where.file;
  if (where.line !== undefined) s += `:${where.line}`;
  if (where.field !== undefined) s += `: field "${where.field}"`;
  return s;
}
