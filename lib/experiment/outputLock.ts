/**
 * One writer per output: before a run sends its first request it takes `<output>.lock`, a small
 * JSON file naming the holder (pid, host, start time, command). A second run on the same output
 * is refused with a message naming that process; a lock whose process is dead (same host, pid
 * gone: a run killed with `kill -9`) is stale and taken over. The lock is created atomically
 * (written to a temporary file, then hard-linked to its name, which fails if it exists), so a
 * kill never leaves a half-written lock. Within one process locks are reentrant (counted), so a
 * command can lock all its outputs up front while the logs it opens lock them again.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isProcessAlive } from "../io/atomic";

/** What a lock file holds. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO 8601 start time of the holding process's lock. */
  started: string;
  command: string;
}

/** A run refused because another live process writes the same output. */
export class OutputLockedError extends Error {
  constructor(
    readonly output: string,
    readonly holder: LockHolder | null,
    readonly lockFile: string,
  ) {
    super(
      holder === null
        ? `${output} is locked by ${lockFile}, which cannot be read; if no other run writes ${output}, remove ${lockFile} and rerun`
        : `${output} is being written by another run: pid ${holder.pid} on ${holder.host}, started ${holder.started} (${holder.command}). ` +
            `Wait for it to finish, or stop it and rerun${holder.host !== os.hostname() ? `; if that process is gone, remove ${lockFile}` : ""}`,
    );
    this.name = "OutputLockedError";
  }
}

export function lockPath(output: string): string {
  return `${output}.lock`;
}

const held = new Map<string, number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const file of held.keys()) fs.rmSync(file, { force: true });
    held.clear();
  });
}

function readHolder(file: string): LockHolder | null {
  try {
    const o = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockHolder>;
    if (typeof o.pid !== "number" || typeof o.host !== "string") return null;
    return { pid: o.pid, host: o.host, started: String(o.started ?? "?"), command: String(o.command ?? "?") };
  } catch {
    return null;
  }
}

/** A held lock; release it once (further releases do nothing). */
export interface OutputLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes the lock of `output` (see the module comment). Throws OutputLockedError when a live
 * process (or one on another host, whose liveness cannot be checked) holds it.
 */
export function acquireOutputLock(output: string, command = process.argv.slice(2).join(" ").slice(0, 200)): OutputLock {
  const file = path.resolve(lockPath(output));
  const count = held.get(file);
  if (count !== undefined) {
    held.set(file, count + 1);
    return once(file);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const me: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), command: command === "" ? "icl-workbench" : command };
  for (let attempt = 0; attempt < 3; attempt++) {
    const tmp = `${file}.${process.pid}.${attempt}.new`;
    fs.writeFileSync(tmp, JSON.stringify(me) + "\n");
    try {
      fs.linkSync(tmp, file);
      held.set(file, 1);
      installExitHook();
      return once(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    const holder = readHolder(file);
    const stale = holder !== null && holder.host === os.hostname() && !isProcessAlive(holder.pid);
    if (!stale) throw new OutputLockedError(output, holder, file);
    fs.rmSync(file, { force: true }); // a dead holder: take the lock over
  }
  throw new OutputLockedError(output, readHolder(file), file);
}

function once(file: string): OutputLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      const n = held.get(file) ?? 0;
      if (n <= 1) {
        held.delete(file);
        fs.rmSync(file, { force: true });
      } else held.set(file, n - 1);
    },
  };
}
