/**
 * A greedy search's work directory as one FastChat dump the notebooks read (paper Fig. 5/9,
 * Tables 1/5 via lib/analysis/greedy): every evaluated candidate becomes an `icl-greedy` run
 * with its `greedy_step`, and the prompt chosen at each step is written out as a prompt file.
 *
 *   WORK/dump/question.jsonl
 *   WORK/dump/model_answer/greedy-s<k>-<candidate>.jsonl          (turn-1 answers)
 *   WORK/dump/model_judgment/<judge>_single.jsonl                  (repeat 0 of every candidate)
 *   WORK/dump/model_judgment/<judge>_single.repeat-<r>.jsonl       (repeats r >= 1)
 *   WORK/dump/manifest.jsonl                                       (one icl-greedy row per candidate)
 *   WORK/dump/prompts/step-<k>.txt                                 (URIAL + the demos chosen up to step k)
 *
 * The dump is derived data: rebuilt from the candidates' own files on every call (each file
 * written atomically); the search's files are never modified.
 */
import { writeSecretFreeFile } from "./secrets";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../io/atomic";
import { formatManifest } from "../io/manifest";
import type { RunManifestRow } from "../model/manifest";
import { readAppendLog, requireObjectRow } from "./appendLog";
import type { DemoPair } from "./candidates";
import { answerFileName } from "./generation";
import { candidateDir, candidateModelId } from "./greedyPipeline";
import { judgmentFilePath } from "./judging";
import { emptyManifestRow } from "./manifestRows";
import { prependDemos, renderUrialPrompt, type UrialPrompt } from "./prompts";

export interface GreedyExportOptions {
  workDir: string;
  /** The questions file of the search (copied into the dump). */
  questionsFile: string;
  /** The URIAL prompt the demos were added to. */
  prompt: UrialPrompt;
  /** Every candidate, by id (for the chosen prompts). */
  candidates: ReadonlyMap<string, DemoPair>;
  judgeModel: string;
  baseModel: string;
  demoSource: string | null;
  temperature: number;
  topP: number;
  repetitionPenalty: number;
  seed: number | null;
}

export interface GreedyExportSummary {
  dir: string;
  runs: number;
  prompts: string[];
}

function readIfExists(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

/** Rebuilds WORK/dump from the search log and the candidates' files; see the module comment. */
export function exportGreedyDump(o: GreedyExportOptions): GreedyExportSummary {
  const logFile = path.join(o.workDir, "search_log.jsonl");
  const dir = path.join(o.workDir, "dump");
  const scored: { step: number; candidate: string }[] = [];
  const chosen = new Map<number, string[]>();
  for (const row of readAppendLog(logFile).rows) {
    const e = requireObjectRow(row, logFile);
    if (e["event"] === "score") scored.push({ step: e["step"] as number, candidate: e["candidate"] as string });
    else if (e["event"] === "chosen") chosen.set(e["step"] as number, e["prefix"] as string[]);
  }

  // The chosen prompts first (rows point at them).
  const prompts: string[] = [];
  const promptOfStep = new Map<number, string>();
  for (const [step, prefix] of [...chosen.entries()].sort((a, b) => a[0] - b[0])) {
    const demos = prefix.map((id) => {
      const d = o.candidates.get(id);
      if (d === undefined) throw new Error(`${logFile}: step ${step} chose "${id}", which is not among the candidates`);
      return d;
    });
    const rel = path.join("prompts", `step-${step}.txt`);
    writeSecretFreeFile(path.join(dir, rel), renderUrialPrompt(prependDemos(o.prompt, demos)));
    prompts.push(path.join(dir, rel));
    promptOfStep.set(step, rel);
  }

  const rows: RunManifestRow[] = [];
  const judgments = new Map<number, string[]>();
  for (const { step, candidate } of scored) {
    const modelId = candidateModelId(step, candidate);
    const cdir = candidateDir(o.workDir, step, candidate);
    const answers = readIfExists(path.join(cdir, "model_answer", answerFileName(modelId)));
    writeSecretFreeFile(path.join(dir, "model_answer", answerFileName(modelId)), answers);
    for (let r = 0; ; r++) {
      const f = judgmentFilePath(cdir, o.judgeModel, r);
      if (!fs.existsSync(f)) break;
      const list = judgments.get(r) ?? [];
      list.push(readIfExists(f));
      judgments.set(r, list);
    }
    const isChosen = chosen.get(step)?.at(-1) === candidate;
    rows.push({
      ...emptyManifestRow(modelId, o.baseModel, "icl-greedy"),
      label: `step ${step}: ${candidate}${isChosen ? " (chosen)" : ""}`,
      nDemos: o.prompt.demos.length + step,
      withUrialDemos: true,
      demoSource: o.demoSource,
      greedyStep: step,
      seed: o.seed,
      temperature: o.temperature,
      topP: o.topP,
      repetitionPenalty: o.repetitionPenalty,
      judge: o.judgeModel,
      promptFile: isChosen ? (promptOfStep.get(step) ?? null) : null,
    });
  }
  for (const [r, texts] of judgments) {
    writeSecretFreeFile(judgmentFilePath(dir, o.judgeModel, r), texts.map((t) => (t === "" || t.endsWith("\n") ? t : `${t}\n`)).join(""));
  }
  writeFileAtomic(path.join(dir, "question.jsonl"), fs.readFileSync(o.questionsFile));
  writeSecretFreeFile(path.join(dir, "manifest.jsonl"), rows.length === 0 ? "" : formatManifest(rows));
  return { dir, runs: rows.length, prompts };
}
