/**
 * JSON snapshots for figure specs: numbers rounded to 4 significant decimals so that harmless
 * float noise does not break them. `UPDATE_SNAPSHOTS=1` rewrites them; a missing snapshot fails
 * under CI=true (so a snapshot test can never pass by writing its own expectation there).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

export function roundNumbers(v: unknown, decimals = 4): unknown {
  if (typeof v === "number") return Number.isFinite(v) ? Number(v.toFixed(decimals)) : v;
  if (Array.isArray(v)) return v.map((x) => roundNumbers(x, decimals));
  if (v !== null && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = roundNumbers(x, decimals);
    return o;
  }
  return v;
}

export function matchSnapshot(name: string, value: unknown): void {
  const file = path.join(__dirname, "snapshots", `${name}.json`);
  const actual = JSON.stringify(roundNumbers(value), null, 1) + "\n";
  if (process.env["UPDATE_SNAPSHOTS"] === "1" || (!fs.existsSync(file) && process.env["CI"] !== "true")) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.ok(fs.existsSync(file), `snapshot ${file} is missing (run the tests once with UPDATE_SNAPSHOTS=1 and commit it)`);
  assert.equal(actual, fs.readFileSync(file, "utf8"), `snapshot ${name} changed (UPDATE_SNAPSHOTS=1 to accept)`);
}
