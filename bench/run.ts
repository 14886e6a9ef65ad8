/**
 * `npm run bench`: runs every bench/*.bench.ts in its own process, one after another (so one
 * benchmark's memory never shows in another's peak). `npm run bench -- mtbench` runs only the
 * files whose name contains "mtbench". Benchmarks print their own reports.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const dir = __dirname;
const filters = process.argv.slice(2);
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts") && (filters.length === 0 || filters.some((s) => f.includes(s))))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", path.join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.log(`${f} exited with ${r.status}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
