/**
 * AlpacaEval outputs on OpenAI-compatible servers: one single-turn request per instruction of
 * alpaca_eval's evaluation set (all of them, in file order), with the prompting, sampling,
 * retries, stop sequences and answer cleaning of the MT-Bench path ({@link generateTurns}).
 *
 * Resumable like every long run: each finished instruction is appended (one fsynced line) to
 * `model_outputs.log.jsonl` beside the output; rerunning skips the instructions already there,
 * so none is requested twice. Once every instruction has its output, alpaca_eval's
 * `model_outputs.json` (`[{"instruction", "output", "generator", "dataset"?}]`, the input's
 * order, `generator` = the model id) is written atomically; a run with failures or a budget
 * stop leaves it unwritten and a rerun finishes it.
 */
import { writeSecretFreeFile } from "./secrets";
import * as path from "node:path";
import type { AlpacaEvalInstruction } from "../io/alpacaEvalInstructions";
import type { Question } from "../model/mtbench";
import { AppendLog, moveRowsAside, readAppendLog, requireObjectRow } from "./appendLog";
import { type GenerateSummary, generateTurns, generationInputHash, type OnChanged, type TurnRequestOptions } from "./generation";
import { acquireOutputLock } from "./outputLock";
import { InputError } from "../model/errors";
import { type MeteredRunOptions, runMeteredJobs } from "./runner";

/** One element of alpaca_eval's `model_outputs.json`, keys in alpaca_eval's order. */
export interface AlpacaOutputRecord {
  instruction: string;
  output: string;
  generator: string;
  dataset?: string;
}

export interface AlpacaGenerationJob {
  key: string;
  item: AlpacaEvalInstruction;
}

export interface AlpacaGenerateOptions extends TurnRequestOptions, MeteredRunOptions<AlpacaGenerationJob> {
  /** The whole evaluation set, in file order (lib/io/alpacaEvalInstructions.ts). */
  instructions: readonly AlpacaEvalInstruction[];
  /** `generator` of every output: the run's model id (its manifest row, its alpaca_eval/ folder). */
  generator: string;
  /** The `model_outputs.json` to write, e.g. `DUMP/alpaca_eval/<model_id>/model_outputs.json`. */
  output: string;
  /** The append log (default {@link alpacaLogFile} of `output`). */
  log?: string;
  /** Outputs made with another prompt or decoding (their `gen_hash`): refuse (default) or move aside and redo. */
  onChanged?: OnChanged;
}

export interface AlpacaGenerateSummary extends GenerateSummary {
  log: string;
  /** Instructions without an output yet (0 once model_outputs.json is written). */
  missing: number;
  /** Whether `output` (model_outputs.json) was written by this run. */
  wroteOutputs: boolean;
}

/** The append log beside a `model_outputs.json`: `model_outputs.log.jsonl`. */
export function alpacaLogFile(output: string): string {
  return path.join(path.dirname(output), `${path.basename(output, ".json")}.log.jsonl`);
}

/** The resume key of an instruction for a generator. */
export function alpacaKey(instruction: string, generator: string): string {
  return JSON.stringify([instruction, generator]);
}

/** Outputs already in an opened log, by key (a later line for the same key wins). */
export function finishedAlpacaOutputs(log: AppendLog): Map<string, string> {
  const out = new Map<string, string>();
  for (const row of log.existing) {
    const o = requireObjectRow(row, log.file);
    const { instruction, generator, output } = o;
    if (typeof instruction === "string" && typeof generator === "string" && typeof output === "string") out.set(alpacaKey(instruction, generator), output);
  }
  return out;
}

/** An instruction as a one-turn question, so the MT-Bench prompt styles apply unchanged. */
function asQuestion(item: AlpacaEvalInstruction): Question {
  return { questionId: item.index, category: item.dataset ?? "alpaca_eval", turns: [item.instruction] };
}

/** `model_outputs.json` text: a JSON array, 2-space indented, final newline. */
export function formatModelOutputs(rows: readonly AlpacaOutputRecord[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** Generates the outputs not yet in the log, then writes model_outputs.json when all are done. */
export async function runAlpacaGeneration(o: AlpacaGenerateOptions): Promise<AlpacaGenerateSummary> {
  const now = o.now ?? Date.now;
  const logFile = o.log ?? alpacaLogFile(o.output);
  const jobs: AlpacaGenerationJob[] = o.instructions.map((item) => ({ key: alpacaKey(item.instruction, o.generator), item }));
  const hashes = new Map(jobs.map((j) => [j.key, generationInputHash(o, asQuestion(j.item), 1)]));
  const lock = acquireOutputLock(logFile);
  try {
    // Outputs made with another prompt or decoding never pass for this run's (see generation.ts).
    const stale: number[] = [];
    for (const row of readAppendLog(logFile).rows) {
      const r = requireObjectRow(row, logFile);
      const want = typeof r["instruction"] === "string" && typeof r["generator"] === "string" ? hashes.get(alpacaKey(r["instruction"], r["generator"])) : undefined;
      if (want !== undefined && typeof r["gen_hash"] === "string" && r["gen_hash"] !== want) stale.push(row.line);
    }
    if (stale.length > 0) {
      if ((o.onChanged ?? "refuse") === "refuse") {
        throw new InputError(
          { file: logFile, line: stale[0] as number, field: "gen_hash" },
          `${stale.length} output(s) of ${o.generator} were generated with another prompt or other decoding parameters than this run's. ` +
            `Use a new --model-id for the new settings, or rerun with --regenerate-changed to move them to ${logFile}.stale-<time> and generate them again`,
        );
      }
      moveRowsAside(logFile, new Set(stale), now());
    }
    return await alpacaRun(o, logFile, jobs, hashes, now);
  } finally {
    lock.release();
  }
}

async function alpacaRun(
  o: AlpacaGenerateOptions,
  logFile: string,
  jobs: AlpacaGenerationJob[],
  hashes: ReadonlyMap<string, string>,
  now: () => number,
): Promise<AlpacaGenerateSummary> {
  const log = AppendLog.open(logFile);
  try {
    const outputs = finishedAlpacaOutputs(log);
    const done = new Set(outputs.keys());
    const execute = async (job: AlpacaGenerationJob): Promise<Record<string, unknown>> => {
      const [text] = await generateTurns(o, job.key, asQuestion(job.item), 1);
      const output = text ?? "";
      outputs.set(job.key, output);
      return {
        instruction: job.item.instruction,
        output,
        generator: o.generator,
        ...(job.item.dataset !== null ? { dataset: job.item.dataset } : {}),
        index: job.item.index,
        tstamp: now() / 1000,
        gen_hash: hashes.get(job.key),
      };
    };
    const summary = await runMeteredJobs(o, { jobs, done, log, execute });
    // `done` holds exactly the keys whose line is on disk (existing or appended by this run).
    const missing = jobs.filter((j) => !done.has(j.key)).length;
    if (missing === 0) {
      const rows: AlpacaOutputRecord[] = jobs.map((j) => ({
        instruction: j.item.instruction,
        output: outputs.get(j.key) as string,
        generator: o.generator,
        ...(j.item.dataset !== null ? { dataset: j.item.dataset } : {}),
      }));
      writeSecretFreeFile(o.output, formatModelOutputs(rows));
    }
    return { ...summary, output: o.output, truncatedBytes: log.truncatedBytes, log: logFile, missing, wroteOutputs: missing === 0 };
  } finally {
    await log.close();
  }
}
