/** Shared test helpers: the location of ../shared and capturing CLI io. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../lib/paths";

/** `<repo>/../shared/<parts>`: reference data that tests may read but never copy. */
export function sharedPath(...parts: string[]): string {
  return path.resolve(repoRoot, "..", "shared", ...parts);
}

/** A reason to skip when the shared reference data is absent (on a user's machine). */
export function sharedMissing(...parts: string[]): string | false {
  const p = sharedPath(...parts);
  return fs.existsSync(p) ? false : `reference data ${p} is not present (tests read it from ../shared)`;
}

export function captureIO() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}

/** Fresh temporary directory under the OS temp dir. */
export function tempDir(prefix = "icl-wb-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
