/**
 * Child process of bench/mtbench.bench.ts: reads and scores one file the way `mtbench-scores`
 * does (checked columns, the one dedupe, the one scoring), or opens a dump directory with
 * `openDump` (the same plus the arquero tables); prints time and peak RSS.
 */
import { type DedupePolicy, dedupeJudgments } from "../lib/analysis/dedupe";
import { scoreColumns } from "../lib/analysis/mtbenchScores";
import { loadJudgmentColumns } from "../lib/io/judgmentColumns";

async function run(): Promise<void> {
  const [mode, target, policy] = process.argv.slice(2) as ["scores" | "open", string, DedupePolicy];
  const t0 = process.hrtime.bigint();
  let rows: number;
  let models: number;
  if (mode === "open") {
    // imported here so that the "scores" measurement does not carry arquero's code
    const { openDump } = await import("../lib/dump");
    const dump = await openDump(target, { dedupe: policy, env: {} });
    rows = dump.judgments.numRows();
    models = dump.scores.numRows();
  } else {
    const cols = await loadJudgmentColumns(target);
    const scores = scoreColumns(cols, dedupeJudgments(cols, policy));
    rows = scores.nRows;
    models = scores.models.length;
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const usage = process.resourceUsage();
  const maxRssMiB = usage.maxRSS / 1024;
  // CPU time (user + system, whole process) is the steadier number on a shared machine.
  const cpuS = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  console.log(JSON.stringify({ wallS, cpuS, maxRssMiB, rows, models }));
}
void run();
