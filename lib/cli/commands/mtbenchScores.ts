/** `icl-workbench mtbench-scores`: per-model MT-Bench scores of a FastChat judgment file. */
import { DEDUPE_POLICIES, DEFAULT_DEDUPE, dedupeJudgments } from "../../analysis/dedupe";
import { type ModelScores, type MtBenchScores, scoreColumns } from "../../analysis/mtbenchScores";
import { loadJudgmentColumns } from "../../io/judgmentColumns";
import { loadQuestions } from "../../io/mtbench";
import * as fs from "node:fs";
import * as path from "node:path";
import { manifestJudgmentGaps } from "../../analysis/coverage";
import { loadManifest } from "../../io/manifest";
import { boolOpt, choiceOpt, parseCommandLine, stringOpt } from "../args";
import { fmt, textTable } from "../format";
import type { CliIO, Command } from "../io";

const usage = `usage: icl-workbench mtbench-scores --judgments FILE [--questions FILE] [--dedupe all|last|first|error]
                                     [--judge-model NAME] [--manifest FILE] [--json]

Per-model MT-Bench single-grading scores: turn 1, turn 2, pooled average (FastChat
show_result.py), mean of the two turns, counts, failed judgments and duplicates; per category
(both turns) when --questions is given.

  --judgments FILE   model_judgment/<judge>_single.jsonl (read as a stream; any size)
  --questions FILE   question.jsonl, for per-category means
  --dedupe POLICY    duplicated (model, question, turn) rows: last (default, URIAL
                     show_results.py), all (FastChat show_result.py), first, error
  --judge-model NAME score only this judge's rows; the other judges' rows are dropped and
                     counted (a file with rows of several judges is refused without it)
  --manifest FILE    the dump's manifest.jsonl (default: manifest.jsonl of the dump holding
                     model_judgment/, when present): runs without any judgment and judged
                     models missing from the manifest are reported on stderr
  --json             print {"models": [...]} as JSON (plus "other_judges" with --judge-model)

A turn-1 row graded with a *-multi-turn judge prompt, or a turn-2 row with a single-turn one,
is refused with the file, line and field.
`;

/** --manifest, else DUMP/manifest.jsonl for a judgment file DUMP/model_judgment/<judge>_single.jsonl. */
function manifestPath(given: string | undefined, judgments: string): string | undefined {
  if (given !== undefined) return given;
  const beside = path.join(path.dirname(path.resolve(judgments)), "..", "manifest.jsonl");
  return path.basename(path.dirname(path.resolve(judgments))) === "model_judgment" && fs.existsSync(beside) ? path.normalize(beside) : undefined;
}

/** The stderr lines about manifest runs and judged models that do not meet ("" when they all do). */
function manifestReport(manifestFile: string, judgments: string, judged: readonly string[]): string {
  const gaps = manifestJudgmentGaps(loadManifest(manifestFile).rows.map((r) => r.modelId), judged);
  let out = "";
  if (gaps.runsWithoutJudgments.length > 0) out += `mtbench-scores: runs in ${manifestFile} without any judgment in ${judgments}: ${gaps.runsWithoutJudgments.join(", ")}\n`;
  if (gaps.judgedNotInManifest.length > 0) out += `mtbench-scores: judged models missing from ${manifestFile}: ${gaps.judgedNotInManifest.join(", ")}\n`;
  return out;
}

/** The JSON shape printed with --json (snake_case, as documented in the README). */
export function scoresToJson(s: MtBenchScores, withCategories: boolean, withOtherJudges = false): { models: Record<string, unknown>[]; other_judges?: Record<string, number> } {
  return {
    ...(withOtherJudges ? { other_judges: s.otherJudges } : {}),
    models: s.models.map((m: ModelScores) => {
      const o: Record<string, unknown> = {
        model: m.model,
        turn1: m.turn1,
        turn2: m.turn2,
        pooled: m.pooled,
        mean_of_turns: m.meanOfTurns,
        n_turn1: m.nTurn1,
        n_turn2: m.nTurn2,
        n_failed: m.nFailed,
        n_duplicates: m.nDuplicates,
      };
      if (withCategories && m.byCategory) o["by_category"] = m.byCategory;
      return o;
    }),
  };
}

function plain(s: MtBenchScores): string {
  const header = ["model", "turn1", "turn2", "pooled", "mean_of_turns", "n_turn1", "n_turn2", "failed", "duplicates"];
  const sorted = [...s.models].sort((a, b) => (b.pooled ?? -Infinity) - (a.pooled ?? -Infinity));
  let out = `dedupe policy: ${s.policy}; ${s.nRows} judgment rows\n\n`;
  out += textTable(
    header,
    sorted.map((m) => [m.model, fmt(m.turn1), fmt(m.turn2), fmt(m.pooled), fmt(m.meanOfTurns), `${m.nTurn1}`, `${m.nTurn2}`, `${m.nFailed}`, `${m.nDuplicates}`]),
  );
  if (s.categories.length > 0) {
    out += "\nper category (both turns):\n\n";
    out += textTable(
      ["model", ...s.categories],
      sorted.map((m) => [m.model, ...s.categories.map((c) => fmt(m.byCategory?.[c]))]),
    );
  }
  const failed = s.models.reduce((a, m) => a + m.nFailed, 0);
  if (failed > 0) out += `\n${failed} failed judgments (score -1 / $ERROR$) were left out of every mean.\n`;
  const other = Object.entries(s.otherJudges);
  if (other.length > 0) out += `\nrows of other judges left out: ${other.map(([j, n]) => `${j} (${n})`).join(", ")}\n`;
  return out;
}

export const command: Command = {
  summary: "per-model MT-Bench scores (turns, pooled, per category) of a judgment file",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, {
      judgments: { type: "string" },
      questions: { type: "string" },
      dedupe: { type: "string" },
      "judge-model": { type: "string" },
      json: { type: "boolean" },
      manifest: { type: "string" },
    });
    const judgments = stringOpt(p, "judgments", true);
    const questionsPath = stringOpt(p, "questions");
    const dedupe = choiceOpt(p, "dedupe", DEDUPE_POLICIES, DEFAULT_DEDUPE);
    const judge = stringOpt(p, "judge-model");
    const questions = questionsPath === undefined ? undefined : loadQuestions(questionsPath);
    // The same path as openDump (lib/dump.ts): checked columns, the one dedupe, the one scoring.
    const cols = await loadJudgmentColumns(judgments, { ...(questions ? { questions } : {}), ...(judge === undefined ? {} : { judge }) });
    const scores = scoreColumns(cols, dedupeJudgments(cols, dedupe));
    const manifestFile = manifestPath(stringOpt(p, "manifest"), judgments);
    if (manifestFile !== undefined) io.stderr(manifestReport(manifestFile, judgments, scores.models.map((m) => m.model)));
    if (boolOpt(p, "json")) io.stdout(JSON.stringify(scoresToJson(scores, questions !== undefined, judge !== undefined)) + "\n");
    else io.stdout(plain(scores));
    return 0;
  },
};
