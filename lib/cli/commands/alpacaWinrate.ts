/** `icl-workbench alpaca-winrate`: AlpacaEval 2.0 win rates recomputed from annotations.json. */
import { type AlpacaWinRate, alpacaWinRate, winRateToJson } from "../../analysis/alpacaEval";
import {
  type AlpacaAnnotation,
  type AlpacaLeaderboardRow,
  type AlpacaModelOutput,
  loadGamedCsv,
  loadInstructionDifficulty,
  loadLeaderboardCsv,
  parseAlpacaAnnotations,
  parseModelOutputs,
} from "../../io/alpacaEval";
import { type AlpacaCoverage, type AlpacaInputFile, alpacaCoverage, checkAlpacaAnnotations, checkModelOutputs, describeCoverage, isFullCoverage, requireFullCoverage } from "../../io/alpacaEvalChecks";
import { readTextFile } from "../../io/jsonl";
import { type LengthControlledResult, lengthControlledWinRate } from "../../analysis/lengthControlled";
import { InputError } from "../../model/errors";
import { boolOpt, parseCommandLine, stringOpt } from "../args";
import { textTable } from "../format";
import { type CliIO, type Command, UsageError } from "../io";

const usage = `usage: icl-workbench alpaca-winrate --annotations FILE [--model-outputs FILE [--allow-partial]]
                                      [--leaderboard FILE] [--instruction-difficulty FILE [--gamed FILE]] [--json]

AlpacaEval 2.0 metrics of one model recomputed from alpaca_eval's annotations.json exactly as
alpaca_eval's get_winrate does: win rate, standard error, wins, baseline wins, draws, total,
discrete win rate and average output length (code points, truncated to an integer).
Inputs alpaca_eval would turn into a wrong row silently are errors naming file, line and field:
a preference outside [1, 2] (0 and 1.5 are draws, null is no preference), an instruction that
appears twice, model outputs of another generator than the annotations' generator_2, and
annotations and model outputs that do not cover the same instructions.

  --annotations FILE     alpaca_eval's annotations.json for one model against its baseline
  --model-outputs FILE   the model's model_outputs.json: alpaca_eval's avg_length comes from this
                         file; without it avg_length is measured on the annotations' output_2
  --allow-partial        accept annotations and model outputs that cover different instructions
                         (e.g. 100 of 805 outputs): the numbers are computed as alpaca_eval
                         would, and a coverage report goes to stderr ("coverage" in --json)
  --leaderboard FILE     a leaderboard CSV: print the model's row beside the recomputed values,
                         and its length-controlled win rate (read from the leaderboard, not
                         recomputed)
  --instruction-difficulty FILE
                         alpaca_eval's instruction_difficulty.csv: recompute the length-controlled
                         win rate as glm_winrate.py (length_controlled_v1) does: L1 logistic
                         regression without intercept on tanh(std length difference), instruction
                         difficulty and a not-gamed-baseline term, 5-fold CV over C; LC = mean
                         predicted preference with the length term at 0
  --gamed FILE           alpaca_eval's df_gamed.csv (gamed-baseline rows, weight 0.1): with it the
                         fit is the leaderboard's; without it the not-gamed term is a plain
                         penalised intercept and the LC can differ from the leaderboard's
  --json                 print {"win_rate", "standard_error", "n_wins", "n_wins_base", "n_draws",
                         "n_total", "discrete_win_rate", "avg_length"} (plus
                         "length_controlled_winrate" and "length_controlled_source":
                         "leaderboard" with --leaderboard, or "recomputed" /
                         "recomputed without gamed rows" with --instruction-difficulty only; with
                         both, the leaderboard's plus "recomputed_length_controlled_winrate");
                         without --model-outputs a note on stderr says where avg_length was
                         measured
`;

function num(x: number | null, digits: number): string {
  return x === null ? "-" : x.toFixed(digits);
}

function singleModel(annotations: readonly AlpacaAnnotation[], file: string): string {
  const models = [...new Set(annotations.map((a) => a.generator2))].sort();
  const m = models[0];
  if (m === undefined) throw new InputError({ file }, "no annotations");
  if (models.length > 1) {
    throw new InputError({ file, field: "generator_2" }, `annotations of several models (${models.join(", ")}); give one model's annotations`);
  }
  return m;
}

function lcSource(lc: LengthControlledResult): string {
  return lc.usedGamedRows ? "recomputed" : "recomputed without gamed rows";
}

function plain(model: string, w: AlpacaWinRate, row: AlpacaLeaderboardRow | undefined, leaderboardFile: string | undefined, lc: LengthControlledResult | undefined): string {
  const fields: [string, string, (r: AlpacaLeaderboardRow) => string][] = [
    ["win_rate", num(w.winRate, 6), (r) => num(r.winRate, 6)],
    ["standard_error", num(w.standardError, 6), (r) => num(r.standardError, 6)],
    ["n_wins", `${w.nWins}`, (r) => `${r.nWins}`],
    ["n_wins_base", `${w.nWinsBase}`, (r) => `${r.nWinsBase}`],
    ["n_draws", `${w.nDraws}`, (r) => `${r.nDraws}`],
    ["n_total", `${w.nTotal}`, (r) => `${r.nTotal}`],
    ["discrete_win_rate", num(w.discreteWinRate, 6), (r) => num(r.discreteWinRate, 6)],
    ["avg_length", w.avgLength === null ? "-" : `${w.avgLength}`, (r) => num(r.avgLength, 0)],
  ];
  let out = `model: ${model}; baseline: ${w.baselines.join(", ")}; ${w.nAnnotations} annotations\n`;
  out += `avg_length measured on ${w.avgLengthSource === "model_outputs" ? "the model outputs file" : "the annotations' output_2 (give --model-outputs for alpaca_eval's source)"}\n\n`;
  if (row === undefined) {
    out += textTable(["metric", "recomputed"], fields.map(([k, v]) => [k, v]));
  } else {
    out += textTable(["metric", "recomputed", `leaderboard (line ${row.line})`], fields.map(([k, v, f]) => [k, v, f(row)]));
    out += `\nlength_controlled_winrate (read from ${leaderboardFile}): ${num(row.lengthControlledWinRate, 6)}\n`;
  }
  if (lc !== undefined) {
    out += `\nlength_controlled_winrate (${lcSource(lc)}, glm_winrate.py length_controlled_v1, C = ${lc.C.toPrecision(4)}): ${num(lc.lengthControlledWinRate, 6)}\n`;
    if (!lc.usedGamedRows) out += "  (without --gamed the fit lacks alpaca_eval's gamed-baseline rows, so it can differ from the leaderboard's)\n";
  } else if (row !== undefined) out += "  (not recomputed: give --instruction-difficulty to recompute it)\n";
  if (w.nNullPreference > 0) out += `\n${w.nNullPreference} annotations without a preference (null) were dropped, as alpaca_eval does.\n`;
  if (w.nOutputsWithoutText > 0) out += `\n${w.nOutputsWithoutText} outputs without text (null) were left out of avg_length.\n`;
  return out;
}

export const command: Command = {
  summary: "AlpacaEval 2.0 win rate, standard error, counts and avg length from annotations.json",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, {
      annotations: { type: "string" },
      "model-outputs": { type: "string" },
      leaderboard: { type: "string" },
      json: { type: "boolean" },
      "instruction-difficulty": { type: "string" },
      gamed: { type: "string" },
      "allow-partial": { type: "boolean" },
    });
    const annotationsPath = stringOpt(p, "annotations", true);
    const outputsPath = stringOpt(p, "model-outputs");
    const leaderboardPath = stringOpt(p, "leaderboard");
    const difficultyPath = stringOpt(p, "instruction-difficulty");
    const gamedPath = stringOpt(p, "gamed");
    if (gamedPath !== undefined && difficultyPath === undefined) throw new UsageError("--gamed needs --instruction-difficulty");
    const allowPartial = boolOpt(p, "allow-partial");
    if (allowPartial && outputsPath === undefined) throw new UsageError("--allow-partial needs --model-outputs (it allows annotations and outputs of different instructions)");
    const annText = readTextFile(annotationsPath);
    const annFile: AlpacaInputFile<AlpacaAnnotation> = { file: annotationsPath, text: annText, rows: parseAlpacaAnnotations(annText, annotationsPath) };
    checkAlpacaAnnotations(annFile);
    const annotations = annFile.rows;
    let outputs: readonly AlpacaModelOutput[] | undefined;
    let coverage: AlpacaCoverage | undefined;
    const model = singleModel(annotations, annotationsPath);
    if (outputsPath !== undefined) {
      const outText = readTextFile(outputsPath);
      const outFile: AlpacaInputFile<AlpacaModelOutput> = { file: outputsPath, text: outText, rows: parseModelOutputs(outText, outputsPath) };
      checkModelOutputs(outFile, model, annotationsPath);
      coverage = alpacaCoverage(annotations, outFile.rows);
      if (!allowPartial) requireFullCoverage(annFile, outFile, coverage, "--allow-partial");
      else if (!isFullCoverage(coverage)) io.stderr(`alpaca-winrate: partial coverage (--allow-partial): ${describeCoverage(coverage)}\n`);
      outputs = outFile.rows;
    }
    const w = alpacaWinRate(annotations, outputs);
    const lc =
      difficultyPath === undefined
        ? undefined
        : lengthControlledWinRate(annotations, loadInstructionDifficulty(difficultyPath), {
            file: annotationsPath,
            ...(gamedPath === undefined ? {} : { gamedRows: loadGamedCsv(gamedPath) }),
          });
    let row: AlpacaLeaderboardRow | undefined;
    if (leaderboardPath !== undefined) {
      row = loadLeaderboardCsv(leaderboardPath).byName.get(model);
      if (row === undefined) throw new InputError({ file: leaderboardPath }, `no row for model "${model}"`);
    }
    if (boolOpt(p, "json")) {
      const o: Record<string, unknown> = winRateToJson(w);
      if (w.avgLengthSource === "annotations") {
        io.stderr("alpaca-winrate: avg_length measured on the annotations' output_2; give --model-outputs for alpaca_eval's source\n");
      }
      if (row !== undefined) {
        o["length_controlled_winrate"] = row.lengthControlledWinRate;
        o["length_controlled_source"] = "leaderboard";
        if (lc !== undefined) o["recomputed_length_controlled_winrate"] = lc.lengthControlledWinRate;
      } else if (lc !== undefined) {
        o["length_controlled_winrate"] = lc.lengthControlledWinRate;
        o["length_controlled_source"] = lcSource(lc);
      }
      if (coverage !== undefined && !isFullCoverage(coverage)) {
        o["coverage"] = { n_annotations: coverage.nAnnotations, n_model_outputs: coverage.nOutputs, annotations_without_output: coverage.annotationsWithoutOutput, outputs_without_annotation: coverage.outputsWithoutAnnotation };
      }
      io.stdout(JSON.stringify(o) + "\n");
    } else io.stdout(plain(model, w, row, leaderboardPath, lc));
    return 0;
  },
};
