/**
 * Atomic file writes: write a sibling temporary file, fsync it, then rename over the target,
 * so a reader (or a crash) never sees a half-written result. Parent directories are created.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** True when a process with this pid exists on this machine (signal 0; EPERM means it exists). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The temporary-file names writeFileAtomic uses: `<target>.tmp-<pid>-<milliseconds>`. */
const TEMP_NAME = /\.tmp-(\d+)-\d+$/;

/**
 * Removes the temporary files that killed writers left behind (`<target>.tmp-<pid>-<ms>` whose
 * pid is no longer alive), under `dir` and, with `recursive`, its subdirectories. Files of a
 * live process (a writer running now) are left alone. Returns the removed paths. A missing
 * directory is nothing to clean. Cost: one readdir per directory.
 */
export function cleanStaleTempFiles(dir: string, recursive = true): string[] {
  const removed: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return removed;
    throw e;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) removed.push(...cleanStaleTempFiles(p, true));
      continue;
    }
    const m = TEMP_NAME.exec(e.name);
    if (m === null || !e.isFile()) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    fs.rmSync(p, { force: true });
    removed.push(p);
  }
  return removed;
}
