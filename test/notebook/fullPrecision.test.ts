/**
 * Rounding happens only at display: a p-value of 1e-9 and a mean with 12 significant digits go
 * through every computed table layout and `show` and reach the written CSV unchanged (the CSV
 * cell is the value's shortest round-trip representation, `String(x)`, and reads back bit for
 * bit), while the displayed text rounds them. Before, `pairedGapLayout` rounded `wilcoxon_p` to 4
 * decimals (1e-9 was written as 0) and the means to 2.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { decodingReproductionLayout, decodingTableLayout } from "../../lib/analysis/decoding";
import { greedyStepsLayout, promptTableLayout } from "../../lib/analysis/greedy";
import { judgeNoiseLayout } from "../../lib/analysis/judgeNoise";
import { pairedGapLayout } from "../../lib/analysis/pairedGaps";
import { table3Layout } from "../../lib/analysis/qaMatching";
import { scalingPublishedLayout, scalingTableLayout } from "../../lib/analysis/scaling";
import { reproductionLayout } from "../../lib/analysis/urialVsInstruct";
import { parseCsv } from "../../lib/io/csv";
import type { TableView } from "../../lib/model/table";
import { show } from "../../lib/notebook/show";

const MEAN = 7.12345678901; // 12 significant digits
const MEAN_B = 6.98765432109;
const P = 1e-9;

function written(t: TableView, name: string, tt: { mock: { method: typeof import("node:test").mock.method } }): { csv: Record<string, string>[]; shown: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "icl-precision-"));
  const shown: string[] = [];
  tt.mock.method(console, "log", (...a: unknown[]) => void shown.push(a.map(String).join(" ")));
  show(t, name, { outDir: dir });
  const text = fs.readFileSync(path.join(dir, `${name}.csv`), "utf8");
  return { csv: parseCsv(text, name).rows.map((r) => r.values), shown: shown.join("\n") };
}

function exact(cell: string | undefined, value: number, what: string): void {
  assert.equal(cell, String(value), `${what}: CSV cell ${cell} is not ${String(value)}`);
  assert.equal(Number(cell), value, `${what} reads back bit for bit`);
}

test("pairedGapLayout → show: wilcoxon_p 1e-9 and 12-digit means reach the CSV; the display rounds", (t) => {
  const { csv, shown } = written(
    pairedGapLayout([
      { label: "URIAL − base", group: "M", turn: 1, nQuestions: 80, nRunsA: 1, nRunsB: 1, meanA: MEAN, meanB: MEAN_B, gap: MEAN_B - MEAN, ciLow: -MEAN, ciHigh: MEAN, level: 0.95, resamples: 1000, method: "paired bootstrap", wilcoxonP: P, published: MEAN },
    ]),
    "p-gaps",
    t,
  );
  const r = csv[0]!;
  exact(r["wilcoxon_p"], P, "wilcoxon_p");
  exact(r["mean_a"], MEAN, "mean_a");
  exact(r["mean_b"], MEAN_B, "mean_b");
  exact(r["gap"], MEAN_B - MEAN, "gap");
  exact(r["ci_low"], -MEAN, "ci_low");
  exact(r["published_gap"], MEAN, "published_gap");
  assert.match(shown, /7\.12 +6\.99 +-0\.14 .* 1\.00e-9/, "display: 2 decimals, p in significant digits");
});

test("decoding layouts → show: cell means and differences at full precision", (t) => {
  const grid = { baseModel: "M", setting: "urial" as const, repetitionPenalty: 1, temperatures: [0, 0.5], topPs: [1], score: [[MEAN], [null]], n: [[2], [0]], models: [[["a", "b"]], [[]]] };
  const cells = written(decodingTableLayout([grid]), "p-decoding", t).csv;
  assert.equal(cells.length, 1);
  exact(cells[0]!["turn1"], MEAN, "turn1");
  const rep = written(decodingReproductionLayout([grid], [{ baseModel: "M", setting: "urial", temperature: 0, topP: 1, repetitionPenalty: 1, turn1: 7, source: "§2.2" }]), "p-decoding-pub", t).csv;
  exact(rep[0]!["dump"], MEAN, "dump");
  exact(rep[0]!["difference"], MEAN - 7, "difference");
});

test("scaling layouts → show: mean, sd over seeds, CI and differences at full precision", (t) => {
  const res = {
    baseModels: ["M"],
    curves: [{ baseModel: "M", turn: 1 as const, key: { kind: "icl-random" as const, withUrialDemos: false, demoSource: null }, name: "ICL random", points: [{ x: 10, mean: MEAN, sd: MEAN_B, nRuns: 3, models: ["a"], fromUrialRuns: false, ciLow: MEAN - P, ciHigh: MEAN + 1 }] }],
    references: [{ baseModel: "M", turn: 1 as const, setting: "urial" as const, name: "URIAL (3 demos)", mean: MEAN_B, nRuns: 1, models: ["u"] }],
  };
  const pts = written(scalingTableLayout(res), "p-scaling", t).csv;
  exact(pts[0]!["mean"], MEAN, "mean");
  exact(pts[0]!["sd_seeds"], MEAN_B, "sd_seeds");
  exact(pts[0]!["ci_low"], MEAN - P, "ci_low");
  exact(pts[1]!["mean"], MEAN_B, "reference mean");
  const pub = written(scalingPublishedLayout(res, [], [{ rowLabel: "M + URIAL", baseModel: "M", setting: "urial", source: "this_paper", turn1: 6.9, turn2: 5.5, average: 6.2 }]), "p-scaling-pub", t).csv;
  exact(pub[0]!["dump"], MEAN_B, "dump");
  exact(pub[0]!["difference"], MEAN_B - 6.9, "difference");
});

test("greedy, judge-noise, Table 3 and reproduction layouts → show: full precision", (t) => {
  const steps = written(
    greedyStepsLayout([{ baseModel: "M", demoSource: "skillmix", urial: MEAN_B, steps: [{ baseModel: "M", demoSource: "skillmix", step: 1, candidates: [{ modelId: "c1", label: "c1", promptFile: null, turn1: MEAN }, { modelId: "c2", label: "c2", promptFile: null, turn1: MEAN + 1 }], chosen: { modelId: "c1", label: "c1", promptFile: null, turn1: MEAN }, chosenBy: "best score", best: null }] }]),
    "p-greedy",
    t,
  ).csv;
  exact(steps[0]!["min"], MEAN, "min");
  exact(steps[0]!["median"], (MEAN + MEAN + 1) / 2, "median");
  exact(steps[0]!["urial"], MEAN_B, "urial");
  exact(steps[0]!["chosen_score"], MEAN, "chosen_score");

  const prompts = written(
    promptTableLayout([{ baseModel: "M", demoSource: "skillmix", promptFrom: null, greedyExamples: 1, modelId: "g1", label: "g1", turn1: MEAN, nFailed: 0 }], [{ baseModel: "M", demoSource: "skillmix", greedyExamples: 1, mtbenchTurn1: 7, alpacaEvalLc: 8, promptFrom: null, table: "table1" }], new Map([["g1", { winRate: MEAN_B, lengthControlled: null, lengthControlledSource: null }]])),
    "p-prompts",
    t,
  ).csv;
  exact(prompts[0]!["mtbench_1st"], MEAN, "mtbench_1st");
  exact(prompts[0]!["difference"], MEAN - 7, "difference");
  exact(prompts[0]!["win_rate"], MEAN_B, "win_rate");

  const noise = written(judgeNoiseLayout([{ model: "m", judge: "gpt-4", nRepeatedCells: 10, nRepeatedRows: 20, withinSd: MEAN, meanRepeats: 2, exactAgreement: P, nQuestions: 80, seOfRunMean: MEAN_B }]), "p-noise", t);
  exact(noise.csv[0]!["within_sd"], MEAN, "within_sd");
  exact(noise.csv[0]!["exact_agreement"], P, "exact_agreement");
  exact(noise.csv[0]!["se_of_run_mean"], MEAN_B, "se_of_run_mean");
  assert.match(noise.shown, /10 +2\.00 +7\.123 +0\.000 +80 +6\.988/, "judge-noise columns display with 3 decimals (TableView.digits)");

  const t3 = written(table3Layout([{ baseModel: "M", demoSet: 3, ablation: "none", turn1: MEAN, models: ["a"], nFailed: 0 }], []), "p-table3", t).csv;
  exact(t3[0]!["3 demos · M"], MEAN, "Table 3 cell");

  const rep = written(reproductionLayout([{ baseModel: "M", setting: "urial", measure: "turn1", published: 7, reproduced: MEAN, difference: MEAN - 7, table: "table2" }]), "p-repro", t).csv;
  exact(rep[0]!["reproduced"], MEAN, "reproduced");
  exact(rep[0]!["difference"], MEAN - 7, "difference");
});
