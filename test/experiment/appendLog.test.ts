import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { AppendLog, readAppendLog } from "../../lib/experiment/appendLog";
import { tempDir } from "../helpers";

test("AppendLog: appends full lines, reopening sees them; concurrent appends are all written once", async () => {
  const file = path.join(tempDir(), "sub", "log.jsonl");
  const log = AppendLog.open(file);
  assert.equal(log.existing.length, 0);
  await Promise.all(Array.from({ length: 50 }, (_, i) => log.append({ i, text: `line\n${i}` })));
  await log.close();
  const text = fs.readFileSync(file, "utf8");
  assert.ok(text.endsWith("\n"));
  const again = AppendLog.open(file);
  assert.deepEqual(
    again.existing.map((r) => (r.value as { i: number }).i).sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
  await again.close();
});

test("AppendLog: a torn last line (kill -9 mid-write) is dropped and truncated before the next append", async () => {
  const file = path.join(tempDir(), "log.jsonl");
  fs.writeFileSync(file, '{"a":1}\n{"a":2}\n{"a":3,"tex');
  assert.deepEqual(readAppendLog(file).tornBytes, '{"a":3,"tex'.length);
  const log = AppendLog.open(file);
  assert.equal(log.truncatedBytes, '{"a":3,"tex'.length);
  assert.deepEqual(log.existing.map((r) => r.value), [{ a: 1 }, { a: 2 }]);
  await log.append({ a: 3 });
  await log.close();
  assert.equal(fs.readFileSync(file, "utf8"), '{"a":1}\n{"a":2}\n{"a":3}\n');
});

test("AppendLog: a whole last record without its newline is kept (newline added), not truncated", async () => {
  const file = path.join(tempDir(), "log.jsonl");
  fs.writeFileSync(file, '{"a":1}\n{"a":2}');
  const log = AppendLog.open(file);
  assert.equal(log.truncatedBytes, 0);
  assert.deepEqual(log.existing.map((r) => r.value), [{ a: 1 }, { a: 2 }]);
  await log.append({ a: 3 });
  await log.close();
  assert.equal(fs.readFileSync(file, "utf8"), '{"a":1}\n{"a":2}\n{"a":3}\n');
});

test("AppendLog: a corrupt line in the middle is an error naming the file and line", () => {
  const file = path.join(tempDir(), "log.jsonl");
  fs.writeFileSync(file, '{"a":1}\nnot json\n{"a":2}\n');
  assert.throws(() => AppendLog.open(file), (e: Error) => e.message.includes(`${file}:2`));
});
