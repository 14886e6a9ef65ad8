/**
 * Paths come from one place: the repository root is resolved from this module's location,
 * never from the working directory, and a notebook's dump / results directories come from
 * environment variables with defaults under the repository.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The nearest directory at or above `start` that holds a package.json: the repository root
 * both from lib/ (the sources, run through tsx) and from build/lib/ (the compiled copy the
 * notebooks import, bin/build-lib.cjs).
 */
export function findRepoRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json in ${start} or any directory above it`);
  }
}

/** Absolute path of the repository root (the directory holding package.json). */
export const repoRoot: string = findRepoRoot(__dirname);

/** Resolve a path given relative to the repository root. */
export function fromRepo(...parts: string[]): string {
  return path.resolve(repoRoot, ...parts);
}

/**
 * Directory where notebooks and the CLI write figures, tables and executed notebooks:
 * `$ICL_RESULTS_DIR` if set, else `<repo>/results`.
 */
export function resultsDir(env: NodeJS.ProcessEnv = process.env): string {
  const v = env["ICL_RESULTS_DIR"];
  return v && v.length > 0 ? path.resolve(v) : fromRepo("results");
}

/**
 * The dump directory a notebook reads: `$ICL_DUMP_DIR` if set, else the given default
 * (a path relative to the repository root, e.g. a bundled example under `data/examples/`).
 */
export function dumpDir(defaultRelative: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env["ICL_DUMP_DIR"];
  return v && v.length > 0 ? path.resolve(v) : fromRepo(defaultRelative);
}
