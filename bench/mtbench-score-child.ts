/** Child process of bench/mtbench.bench.ts: streams and scores one file, prints time and peak RSS. */
import { scoreJudgmentStream, type DedupePolicy } from "../lib/analysis/mtbenchScores";
import { streamJudgments } from "../lib/io/mtbench";

async function run(): Promise<void> {
  const [file, policy] = process.argv.slice(2) as [string, DedupePolicy];
  const t0 = process.hrtime.bigint();
  const scores = await scoreJudgmentStream(streamJudgments(file), { dedupe: policy, file });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ wallS, maxRssMiB, rows: scores.nRows, models: scores.models.length }));
}
void run();
