/**
 * `icl-workbench generate`: MT-Bench answers (FastChat layout) or AlpacaEval outputs
 * (alpaca_eval's model_outputs.json) from OpenAI-compatible servers (vLLM), over a decoding
 * grid, resumable, into a dump with its manifest rows.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../io/atomic";
import { loadAlpacaEvalInstructions } from "../../io/alpacaEvalInstructions";
import { loadQuestions } from "../../io/mtbench";
import { InputError } from "../../model/errors";
import { ABLATIONS, type RunManifestRow, SETTINGS, type Setting } from "../../model/manifest";
import type { Question } from "../../model/mtbench";
import {
  answerFileName,
  decodingGrid,
  type DecodingPoint,
  DEFAULT_MAX_TOKENS,
  type GenerateSummary,
  gridModelId,
  type PromptStyle,
  runGeneration,
  URIAL_STOP,
} from "../../experiment/generation";
import { alpacaLogFile, runAlpacaGeneration } from "../../experiment/alpacaGeneration";
import { emptyManifestRow, upsertManifestRows } from "../../experiment/manifestRows";
import { redactSecrets } from "../../experiment/secrets";
import { boolOpt, choiceOpt, numberListOpt, numberOpt, type OptionSpec, type Parsed, parseCommandLine, stringOpt } from "../args";
import type { CliIO, Command } from "../io";
import { UsageError } from "../io";
import { API_FLAGS, apiFlagsUsage, apiSetup, isTerminal, makeProgress, safeWriter, summaryLine } from "./judge";
import { EXIT_CODES_USAGE, EXIT_OK, runExitCode, worstExitCode } from "../exitCodes";
import { cleanStaleTempFiles } from "../../io/atomic";
import { acquireOutputLock, type OutputLock } from "../../experiment/outputLock";
import { SlotPool } from "../../experiment/runner";

const usage = `usage: icl-workbench generate --dump DIR --base-url URL[,URL...] --model NAME [options]
       icl-workbench generate --benchmark alpaca_eval --instructions FILE --dump DIR ... [options]

Generates MT-Bench answers with an OpenAI-compatible server (vLLM) and writes them in FastChat's
layout: DIR/model_answer/<model-id>.jsonl (one fsynced line per question; rerunning skips the
questions already answered) plus one row per run in DIR/manifest.jsonl. With --benchmark
alpaca_eval it answers every instruction of alpaca_eval's evaluation set (--instructions: a JSON
array or JSONL of {"instruction", "dataset"?, ...}; all rows, in order; duplicates are refused)
and writes DIR/alpaca_eval/<model-id>/model_outputs.json (generator = the model id) once all
are done; DIR/alpaca_eval/<model-id>/model_outputs.log.jsonl makes the run resumable.

Base models use the legacy completions API with a URIAL-format prompt (--prompt): stop at
"# Query" / "# User", the answer block's closing fence removed (code fences inside answers are
kept), turn 2 prompted with turn 1's cleaned answer. Instruct models use the chat API
(--mode chat).

  --dump DIR               output dump directory
  --benchmark B            mt_bench (default) or alpaca_eval
  --instructions FILE      alpaca_eval's evaluation set (alpaca_eval only)
  --model NAME             model name the server serves (sent with every request)
  --model-id ID            model id written in answers and manifest (default: --model with
                           "/" and other odd characters replaced by "_"); with a grid,
                           _t<T>_p<P>_rp<R> is appended
  --mode completion|chat   completion (base models; default when --prompt is given) or chat
  --prompt FILE            URIAL-format prompt file (completion mode); a file without
                           demonstrations (prompt --ablation no_demos) is a base run
  --base-prompt rules|none the paper's "base (no ICL)" runs, no demonstrations (completion
                           mode, manifest setting base, n_demos 0): rules = the rules preamble of
                           --prompt FILE only; none = no prompt, each query sent as URIAL's
                           "# Query:" block followed by an open "# Answer:" block
  --questions FILE         default DIR/question.jsonl (copied into DIR when taken from elsewhere;
                           mt_bench only)
  --temperature LIST       e.g. 0 or 0,0.5,1 (default 0)
  --top-p LIST             e.g. 1 or 0.9,1 (default 1)
  --repetition-penalty LIST  vLLM's repetition_penalty, e.g. 1.15 (default 1 = off)
                           The grid temperature x top-p x repetition penalty runs as one command.
  --max-tokens N           default ${DEFAULT_MAX_TOKENS}
  --stop STRING            stop sequence (repeatable; default "# Query" and "# User" in
                           completion mode, none in chat mode)
  --turns N                turns to generate per question (default 2; 1 for turn-1 only; mt_bench only)
  --seed N                 sampling seed sent to the server (and recorded in the manifest)
  --first-n N              only the first N questions (mt_bench only: AlpacaEval always runs every
                           instruction, a partial model_outputs.json is not a result)
  --regenerate-changed     answers in the output made with another prompt or other decoding
                           parameters are moved to <output>.stale-<time> and generated again;
                           without it the run refuses (use a new --model-id for new settings)
${apiFlagsUsage({ concurrency: 16, timeoutS: 300, deadlineS: 600, keyDefault: ["--gen-api-key-env is the same flag. Default: OPENAI_API_KEY for api.openai.com", "only; no key for any other server (the judge's key never goes there)."] })}
  The grid's points run side by side and share the --concurrency request slots. Finished turn 1
  of an unfinished two-turn question is kept (<answer file>.partial) and not paid for again.
  One run per output (<output>.lock names the running one; a dead one's lock is taken over).
${EXIT_CODES_USAGE}
manifest (DIR/manifest.jsonl, merged by model id; see data/README.md):
  --manifest FILE          default DIR/manifest.jsonl;  --no-manifest to skip
  --base-model NAME        base_model (default: --model)
  --setting S              ${SETTINGS.join(", ")} (default: urial with --prompt, instruct in chat mode)
  --with-urial-demos yes|no  whether URIAL's 3 demos are in the prompt (required with --setting
                           icl-random; default yes for urial and icl-greedy)
  --label, --demo-source, --greedy-step N, --ablation A, --prompt-from M, --judge J, --notes TEXT
  --replace-manifest-row   replace a row with the same model id but other settings

Example:
  icl-workbench generate --dump runs/llama3 --base-url http://gpu1:8000/v1,http://gpu2:8000/v1 \\
      --model meta-llama/Meta-Llama-3.1-8B --model-id llama3.1-8b-urial --prompt urial.txt \\
      --temperature 0 --top-p 1 --repetition-penalty 1.0,1.15 --concurrency 64
  icl-workbench generate --benchmark alpaca_eval --instructions alpaca_eval.json --dump runs/llama3 \
      --base-url http://gpu1:8000/v1 --model meta-llama/Meta-Llama-3.1-8B --model-id llama3.1-8b-urial \
      --prompt urial.txt --concurrency 64
`;

const FLAGS: OptionSpec = {
  ...API_FLAGS,
  dump: { type: "string" },
  benchmark: { type: "string" },
  instructions: { type: "string" },
  model: { type: "string" },
  "model-id": { type: "string" },
  mode: { type: "string" },
  prompt: { type: "string" },
  "base-prompt": { type: "string" },
  questions: { type: "string" },
  temperature: { type: "string" },
  "top-p": { type: "string" },
  "repetition-penalty": { type: "string" },
  "max-tokens": { type: "string" },
  stop: { type: "string", multiple: true },
  turns: { type: "string" },
  seed: { type: "string" },
  "first-n": { type: "string" },
  manifest: { type: "string" },
  "no-manifest": { type: "boolean" },
  "base-model": { type: "string" },
  setting: { type: "string" },
  label: { type: "string" },
  "demo-source": { type: "string" },
  "with-urial-demos": { type: "string" },
  "greedy-step": { type: "string" },
  ablation: { type: "string" },
  "prompt-from": { type: "string" },
  judge: { type: "string" },
  notes: { type: "string" },
  "replace-manifest-row": { type: "boolean" },
  "gen-api-key-env": { type: "string" },
  "regenerate-changed": { type: "boolean" },
};

interface UrialModule {
  readUrialPrompt(file: string): unknown;
  basePrompt(kind: "rules" | "none", prompt: unknown): unknown;
  demoCount(prompt: unknown): number;
  urialPromptStyle(prompt: unknown): PromptStyle;
}

/** Loads the URIAL bridge only when a prompt file is used. */
function loadUrial(): UrialModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only --prompt needs the prompts module
  return require("../../experiment/urialStyle") as UrialModule;
}

const BASE_PROMPTS = ["rules", "none"] as const;

/** Which prompt flags go together: completion mode needs a prompt, --base-prompt rules reads one, none takes none. */
function checkPromptFlags(mode: "completion" | "chat", promptFile: string | undefined, baseKind: (typeof BASE_PROMPTS)[number] | undefined): void {
  if (mode === "chat") {
    if (promptFile !== undefined) throw new UsageError("--prompt is for completion mode (base models); chat mode sends the questions as messages");
    if (baseKind !== undefined) throw new UsageError("--base-prompt is for completion mode (base models)");
    return;
  }
  if (baseKind === "rules" && promptFile === undefined) throw new UsageError("--base-prompt rules keeps the rules preamble of --prompt FILE (e.g. URIAL's urial.txt): give --prompt");
  if (baseKind === "none" && promptFile !== undefined) throw new UsageError("--base-prompt none sends no prompt at all: drop --prompt (or use --base-prompt rules to keep its preamble)");
  if (promptFile === undefined && baseKind === undefined) {
    throw new UsageError("completion mode needs --prompt FILE (a URIAL-format prompt), or --base-prompt none|rules for a base run without demonstrations");
  }
}

function stopOpt(p: Parsed): string[] | undefined {
  const v = p.values["stop"];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).map(String);
}

function loadAndPlaceQuestions(p: Parsed, dump: string): Question[] {
  const own = path.join(dump, "question.jsonl");
  const from = stringOpt(p, "questions") ?? own;
  const questions = loadQuestions(from);
  if (questions.length === 0) throw new InputError({ file: from }, "no questions: nothing to generate (is this the right question.jsonl?)");
  if (path.resolve(from) !== path.resolve(own) && !fs.existsSync(own)) writeFileAtomic(own, fs.readFileSync(from));
  const firstN = numberOpt(p, "first-n", { integer: true, min: 1 });
  return firstN === undefined ? questions : questions.slice(0, firstN);
}

function labelFor(label: string | undefined, modelId: string, point: DecodingPoint, gridSize: number): string {
  if (label === undefined) return modelId;
  return gridSize <= 1 ? label : `${label} (T=${point.temperature}, top-p=${point.topP}, rp=${point.repetitionPenalty})`;
}

export const command: Command = {
  summary: "generate MT-Bench answers or AlpacaEval outputs on OpenAI-compatible servers (vLLM), decoding grids, resumable",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, FLAGS);
    const dump = stringOpt(p, "dump", true);
    const benchmark = choiceOpt(p, "benchmark", ["mt_bench", "alpaca_eval"] as const, "mt_bench");
    const instructionsFile = stringOpt(p, "instructions");
    if (benchmark === "alpaca_eval") {
      if (instructionsFile === undefined) throw new UsageError("--benchmark alpaca_eval needs --instructions FILE (alpaca_eval's evaluation set, JSON or JSONL)");
      for (const f of ["questions", "turns", "first-n"]) {
        if (p.values[f] !== undefined) throw new UsageError(`--${f} is for --benchmark mt_bench (AlpacaEval answers every instruction, one turn each)`);
      }
    } else if (instructionsFile !== undefined) throw new UsageError("--instructions is for --benchmark alpaca_eval");
    const servedModel = stringOpt(p, "model", true);
    const promptFile = stringOpt(p, "prompt");
    const baseKind = p.values["base-prompt"] === undefined ? undefined : choiceOpt(p, "base-prompt", BASE_PROMPTS, "none");
    const mode = choiceOpt(p, "mode", ["completion", "chat"] as const, promptFile !== undefined || baseKind !== undefined ? "completion" : "chat");
    checkPromptFlags(mode, promptFile, baseKind);
    const baseId = stringOpt(p, "model-id") ?? answerFileName(servedModel).slice(0, -".jsonl".length);
    // FastChat names a model by its answer file, so the id must be a plain file name.
    if (answerFileName(baseId) !== `${baseId}.jsonl`) throw new UsageError(`--model-id "${baseId}": use letters, digits and . _ + - only (it names model_answer/<id>.jsonl)`);
    const temps = numberListOpt(p, "temperature") ?? [0];
    const topPs = numberListOpt(p, "top-p") ?? [1];
    const reps = numberListOpt(p, "repetition-penalty") ?? [1];
    for (const t of temps) if (t < 0) throw new UsageError(`--temperature: ${t} is negative`);
    for (const t of topPs) if (t <= 0 || t > 1) throw new UsageError(`--top-p: ${t} is not in (0, 1]`);
    for (const r of reps) if (r <= 0) throw new UsageError(`--repetition-penalty: ${r} must be > 0`);
    const grid = decodingGrid(temps, topPs, reps);
    const maxTokens = numberOpt(p, "max-tokens", { integer: true, min: 1 }) ?? DEFAULT_MAX_TOKENS;
    const stop = stopOpt(p) ?? (mode === "completion" ? [...URIAL_STOP] : []);
    const turns = numberOpt(p, "turns", { integer: true, min: 1 }) ?? 2;
    if (turns > 2) throw new UsageError("--turns: MT-Bench has at most 2 turns");
    const seed = numberOpt(p, "seed", { integer: true });

    let style: PromptStyle = { kind: "chat" };
    let nDemos: number | null = null;
    if (promptFile !== undefined || baseKind !== undefined) {
      const urial = loadUrial();
      const file = promptFile === undefined ? null : urial.readUrialPrompt(promptFile);
      const prompt = baseKind === undefined ? file : urial.basePrompt(baseKind, file);
      nDemos = urial.demoCount(prompt);
      style = urial.urialPromptStyle(prompt);
    }
    const questions = benchmark === "mt_bench" ? loadAndPlaceQuestions(p, dump) : [];
    const instructions = instructionsFile === undefined ? [] : loadAlpacaEvalInstructions(instructionsFile);
    const nItems = benchmark === "mt_bench" ? questions.length : instructions.length;

    // Manifest rows first: a model id already used with other settings stops here, before any request.
    const manifestFile = boolOpt(p, "no-manifest") ? null : (stringOpt(p, "manifest") ?? path.join(dump, "manifest.jsonl"));
    const defaultSetting: Setting = mode === "chat" ? "instruct" : nDemos === 0 ? "base" : "urial";
    const setting = choiceOpt(p, "setting", SETTINGS, defaultSetting);
    const ablation = choiceOpt(p, "ablation", ABLATIONS, "none");
    // Random-demo runs with and without URIAL's demos are different curves (paper Fig. 2 vs 6):
    // never guess which one a run is.
    const withUrialFlag = stringOpt(p, "with-urial-demos");
    if (withUrialFlag === undefined && setting === "icl-random") throw new UsageError("--setting icl-random needs --with-urial-demos yes|no");
    const withUrialDemos: boolean | null =
      withUrialFlag === undefined ? (setting === "urial" || setting === "icl-greedy" ? true : null) : choiceOpt(p, "with-urial-demos", ["yes", "no"] as const, "yes") === "yes";
    const runs = grid.map((point) => {
      const modelId = gridModelId(baseId, point, grid.length);
      const row: RunManifestRow = {
        ...emptyManifestRow(modelId, stringOpt(p, "base-model") ?? servedModel, setting),
        label: labelFor(stringOpt(p, "label"), modelId, point, grid.length),
        nDemos,
        withUrialDemos,
        demoSource: stringOpt(p, "demo-source") ?? (setting === "urial" ? "urial" : null),
        greedyStep: numberOpt(p, "greedy-step", { integer: true, min: 0 }) ?? null,
        seed: seed ?? null,
        temperature: point.temperature,
        topP: point.topP,
        repetitionPenalty: point.repetitionPenalty,
        ablation,
        promptFrom: stringOpt(p, "prompt-from") ?? null,
        judge: stringOpt(p, "judge") ?? "gpt-4",
        promptFile: promptFile === undefined ? null : path.relative(path.resolve(dump), path.resolve(promptFile)),
        notes: stringOpt(p, "notes") ?? (baseKind === "rules" ? "base run: rules preamble of prompt_file only, no demonstrations" : baseKind === "none" ? "base run: no prompt, no demonstrations" : null),
      };
      const output = benchmark === "mt_bench" ? path.join(dump, "model_answer", answerFileName(modelId)) : path.join(dump, "alpaca_eval", modelId, "model_outputs.json");
      return { point, modelId, row, output };
    });
    if (manifestFile !== null) {
      const replace = boolOpt(p, "replace-manifest-row");
      upsertManifestRows(manifestFile, runs.map((r) => r.row), replace); // a conflict throws before writing
    }

    const api = apiSetup(p, {
      priceModel: servedModel,
      defaultConcurrency: 16,
      defaultTimeoutS: 300,
      defaultDeadlineS: 600,
      defaultKeyEnv: "openai-only",
      keyFlags: ["api-key-env", "gen-api-key-env"],
    });
    const err = safeWriter(io, api.secrets);
    // One writer per output, taken before any request; then temporary files of killed runs go.
    const locks: OutputLock[] = [];
    try {
      for (const run of runs) locks.push(acquireOutputLock(benchmark === "mt_bench" ? run.output : alpacaLogFile(run.output)));
      const removed = cleanStaleTempFiles(dump, true);
      if (removed.length > 0) err(`removed ${removed.length} temporary file(s) left by killed runs under ${dump}\n`);
    } catch (e) {
      for (const l of locks) l.release();
      throw e;
    }
    err(`generate ${servedModel} (${mode}) at ${api.describe}; ${grid.length} decoding point(s), ${nItems} ${benchmark === "mt_bench" ? "questions" : "AlpacaEval instructions"}\n`);
    let lengthCut = 0;
    // The grid's points run side by side over one pool of --concurrency request slots.
    const slots = new SlotPool(api.concurrency);
    const onChanged = boolOpt(p, "regenerate-changed") ? ("redo" as const) : ("refuse" as const);
    const runPoint = async (run: (typeof runs)[number]): Promise<number> => {
      const progress = makeProgress(io, run.modelId, nItems, api.meter, api.secrets);
      const request = {
        servedModel,
        style,
        sampling: {
          temperature: run.point.temperature,
          topP: run.point.topP,
          repetitionPenalty: run.point.repetitionPenalty,
          maxTokens,
          stop,
          ...(seed !== undefined ? { seed } : {}),
        },
        pool: api.pool,
        concurrency: api.concurrency,
        slots,
        meter: api.meter,
        retry: api.retry,
        itemDeadlineMs: api.itemDeadlineMs,
        progress,
        onFinishReason: (r: string | null) => {
          if (r === "length") lengthCut++;
        },
      };
      const nl = isTerminal(io) ? "\n" : "";
      let s: GenerateSummary;
      if (benchmark === "mt_bench") {
        s = await runGeneration({
          ...request,
          questions,
          modelId: run.modelId,
          maxTurns: turns,
          output: run.output,
          onChanged,
          onFailure: (job, msg) => err(`${nl}failed: ${run.modelId} question ${job.question.questionId}: ${msg}\n`),
        });
        progress.finish();
        if (s.truncatedBytes > 0) err(`${run.output}: removed a torn last line (${s.truncatedBytes} bytes) left by an interrupted run\n`);
        if (s.changed !== undefined) err(`${run.output}: ${s.changed.count} answer(s) made with other settings moved to ${s.changed.movedTo}; generating them again\n`);
        if ((s.resumedTurns ?? 0) > 0) err(`${run.output}: ${s.resumedTurns} question(s) resumed from their finished turn 1\n`);
        io.stdout(redactSecrets(summaryLine(`${run.modelId} -> ${run.output}`, s), api.secrets));
      } else {
        const a = await runAlpacaGeneration({
          ...request,
          instructions,
          generator: run.modelId,
          output: run.output,
          onChanged,
          onFailure: (job, msg) => err(`${nl}failed: instruction ${job.item.index} (${instructionsFile} line ${job.item.line}): ${msg}\n`),
        });
        s = a;
        progress.finish();
        if (a.truncatedBytes > 0) err(`${a.log}: removed a torn last line (${a.truncatedBytes} bytes) left by an interrupted run\n`);
        io.stdout(redactSecrets(summaryLine(`${run.modelId} -> ${a.log}`, a), api.secrets));
        const outcome = a.wroteOutputs
          ? `${run.output}: ${instructions.length} outputs written\n`
          : `${run.output}: not written, ${a.missing} of ${instructions.length} instructions still without an output; rerun to finish\n`;
        io.stdout(redactSecrets(outcome, api.secrets));
      }
      return runExitCode(s);
    };
    let codes: number[];
    try {
      codes = [EXIT_OK, ...(await Promise.all(runs.map(runPoint)))];
    } finally {
      for (const l of locks) l.release();
    }
    if (lengthCut > 0) io.stdout(`${lengthCut} turn(s) stopped at --max-tokens ${maxTokens}\n`);
    io.stdout(`usage: ${api.meter.summary()}\n`);
    return worstExitCode(codes);
  },
};
