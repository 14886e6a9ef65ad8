/**
 * `icl-workbench greedy`: the greedy demonstration search of Zhao et al. §3.2 / App. A.3,
 * resumable, with a per-candidate search log.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadCandidates } from "../../experiment/candidates";
import type { PromptStyle } from "../../experiment/generation";
import { DEFAULT_MAX_TOKENS, URIAL_STOP } from "../../experiment/generation";
import { greedySearch, type GreedyChosenEvent, type GreedyScoreEvent } from "../../experiment/greedy";
import { greedyEvaluator, GreedyIncompleteError } from "../../experiment/greedyPipeline";
import { redactSecrets } from "../../experiment/secrets";
import { loadCheckedJudgePrompts } from "../../experiment/judgeInputs";
import { loadQuestions, loadReferenceAnswers } from "../../io/mtbench";
import { writeFileAtomic } from "../../io/atomic";
import { numberListOpt, numberOpt, type OptionSpec, parseCommandLine, stringOpt } from "../args";
import type { CliIO, Command } from "../io";
import { UsageError } from "../io";
import { apiSetup, isTerminal, safeWriter } from "./judge";
import { EXIT_BUDGET, EXIT_CODES_USAGE, EXIT_FATAL_API, EXIT_INCOMPLETE } from "../exitCodes";
import { cleanStaleTempFiles } from "../../io/atomic";
import { acquireOutputLock } from "../../experiment/outputLock";
import { SlotPool } from "../../experiment/runner";
import { Progress } from "../../experiment/progress";
import type { DemoPair } from "../../experiment/candidates";
import type { UrialPrompt } from "../../experiment/prompts";

const usage = `usage: icl-workbench greedy --work-dir DIR --prompt URIAL.txt --candidates FILE --questions FILE
                           --judge-prompts FILE --references FILE --base-url URL --model NAME [options]

Greedy search for in-context demonstrations (Zhao et al. §3.2, App. A.3). Step k tries every
candidate as one more demonstration: prompt = the demos chosen so far + the candidate + URIAL's
demos; turn-1 answers for every question are generated, judged (--repeats times), and the best
mean turn-1 score is kept. From step 2 on only candidates whose previous-step mean is above
--threshold stay in the pool. DIR/search_log.jsonl records every candidate's score per step
(one line each: step, candidate, scores per repeat, mean) and each step's choice; rerunning the
same command resumes (answers and judgments are resumable files under DIR/step-<k>/).

  --work-dir DIR           search directory (log, per-candidate dumps, chosen.jsonl)
  --prompt FILE            the URIAL prompt the demos are added to
  --candidates FILE        JSONL pool: {"id", "query", "answer"} per line
  --questions FILE         MT-Bench question.jsonl
  --judge-prompts FILE     FastChat judge_prompts.jsonl
  --references FILE        FastChat reference_answer/gpt-4.jsonl (math, reasoning, coding)
  --steps N                demonstrations to add (default 3: the 4th, 5th, 6th)
  --threshold X            pool filter from step 2 on (default 6.2, the paper's; "none" to keep all)
  --repeats LIST           judging repeats per step, e.g. 1,3,3 (default 1; the last entry
                           applies to later steps)
  --parallel-candidates N  candidates evaluated at once (default 1)
  --first-n N              only the first N questions (for a cheap trial)

generation (vLLM serving the base model):
  --base-url URL[,URL...]  --model NAME  --concurrency N (default 16)
  --gen-api-key-env NAME (or --api-key-env; default: none, unless --base-url is api.openai.com;
                           the judge's key is never sent to a generation server)
  --timeout SECONDS (default 300)  --item-deadline SECONDS (600)  --temperature X (0)  --top-p X (1)
  --repetition-penalty X (1)  --max-tokens N (${DEFAULT_MAX_TOKENS})  --seed N
judging:
  --judge-model NAME (default gpt-4-turbo, the paper's search judge)
  --judge-base-url URL (default https://api.openai.com/v1)  --judge-api-key-env NAME (OPENAI_API_KEY)
  --judge-concurrency N (8)  --judge-timeout SECONDS (120)  --judge-item-deadline SECONDS (300)
  --max-attempts N (8)  --price-in USD  --price-out USD  --budget-usd USD   (judge cost, a hard
  ceiling; see icl-workbench judge --help)
  With --parallel-candidates N, all candidates share the --concurrency / --judge-concurrency slots.

notebooks:
  Every run (also an incomplete one) rebuilds DIR/dump, a FastChat dump the notebooks read: one
  icl-greedy manifest row per evaluated candidate (greedy_step, judge), their answers and
  judgments, and DIR/dump/prompts/step-<k>.txt, URIAL with the demos chosen up to step k (feed it
  to generate --prompt to re-judge the chosen prompt with GPT-4).
  --base-model NAME        base_model of the rows (default: --model)
  --demo-source NAME       demo_source of the rows, e.g. skillmix

One search per work directory (DIR/search_log.jsonl.lock names the running one).
${EXIT_CODES_USAGE}
Example:
  OPENAI_API_KEY=... icl-workbench greedy --work-dir runs/greedy-llama3 --prompt urial.txt \\
      --candidates skillmix-100.jsonl --questions question.jsonl --judge-prompts judge_prompts.jsonl \\
      --references reference_answer/gpt-4.jsonl --base-url http://gpu1:8000/v1 \\
      --model meta-llama/Meta-Llama-3.1-8B --repetition-penalty 1.15 --repeats 1,3,3 --budget-usd 200
`;

const FLAGS: OptionSpec = {
  "work-dir": { type: "string" },
  prompt: { type: "string" },
  candidates: { type: "string" },
  questions: { type: "string" },
  "judge-prompts": { type: "string" },
  references: { type: "string" },
  steps: { type: "string" },
  threshold: { type: "string" },
  repeats: { type: "string" },
  "parallel-candidates": { type: "string" },
  "first-n": { type: "string" },
  "base-url": { type: "string" },
  model: { type: "string" },
  "api-key-env": { type: "string" },
  "gen-api-key-env": { type: "string" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  "item-deadline": { type: "string" },
  "judge-item-deadline": { type: "string" },
  temperature: { type: "string" },
  "top-p": { type: "string" },
  "repetition-penalty": { type: "string" },
  "max-tokens": { type: "string" },
  seed: { type: "string" },
  "judge-model": { type: "string" },
  "judge-base-url": { type: "string" },
  "judge-api-key-env": { type: "string" },
  "judge-concurrency": { type: "string" },
  "judge-timeout": { type: "string" },
  "max-attempts": { type: "string" },
  "price-in": { type: "string" },
  "price-out": { type: "string" },
  "budget-usd": { type: "string" },
  "base-model": { type: "string" },
  "demo-source": { type: "string" },
};

interface UrialBridge {
  readUrialPrompt(file: string): UrialPrompt;
  urialStyleWithDemos(prompt: UrialPrompt, demos: readonly DemoPair[]): PromptStyle;
}

export const command: Command = {
  summary: "greedy search for in-context demonstrations (paper §3.2), resumable search log",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const p = parseCommandLine(argv, FLAGS);
    const workDir = stringOpt(p, "work-dir", true);
    const promptFile = stringOpt(p, "prompt", true);
    const candidates = loadCandidates(stringOpt(p, "candidates", true));
    let questions = loadQuestions(stringOpt(p, "questions", true));
    const firstN = numberOpt(p, "first-n", { integer: true, min: 1 });
    if (firstN !== undefined) questions = questions.slice(0, firstN);
    const judgePrompts = loadCheckedJudgePrompts(stringOpt(p, "judge-prompts", true), questions, [1]);
    const references = loadReferenceAnswers(stringOpt(p, "references", true));
    const servedModel = stringOpt(p, "model", true);
    const steps = numberOpt(p, "steps", { integer: true, min: 1 }) ?? 3;
    const thresholdRaw = stringOpt(p, "threshold");
    const threshold = thresholdRaw === "none" ? null : (numberOpt(p, "threshold") ?? 6.2);
    const repeatsList = numberListOpt(p, "repeats") ?? [1];
    for (const r of repeatsList) if (!Number.isInteger(r) || r < 1) throw new UsageError(`--repeats: ${r} is not a positive integer`);
    const repeats = (step: number): number => repeatsList[Math.min(step, repeatsList.length) - 1] as number;
    const parallel = numberOpt(p, "parallel-candidates", { integer: true, min: 1 }) ?? 1;
    const judgeModel = stringOpt(p, "judge-model") ?? "gpt-4-turbo";
    const seed = numberOpt(p, "seed", { integer: true });

    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the prompts module is loaded on use
    const urial = require("../../experiment/urialStyle") as UrialBridge;
    const prompt = urial.readUrialPrompt(promptFile);

    const gen = apiSetup(p, {
      priceModel: servedModel,
      defaultConcurrency: 16,
      defaultTimeoutS: 300,
      defaultDeadlineS: 600,
      defaultKeyEnv: "openai-only",
      keyFlags: ["api-key-env", "gen-api-key-env"],
      withCost: false,
    });
    const judge = apiSetup(p, {
      prefix: "judge-",
      defaultBaseUrl: "https://api.openai.com/v1",
      priceModel: judgeModel,
      defaultConcurrency: 8,
      defaultTimeoutS: 120,
      defaultDeadlineS: 300,
      defaultKeyEnv: "OPENAI_API_KEY",
    });
    const secrets = [...gen.secrets, ...judge.secrets];
    const err = safeWriter(io, secrets);
    err(`generation: ${servedModel} at ${gen.describe}\njudge: ${judgeModel} at ${judge.describe}\n`);
    err(`${candidates.length} candidates, ${questions.length} questions, ${steps} step(s), threshold ${threshold ?? "none"}\n`);

    const evaluate = greedyEvaluator<DemoPair>({
      workDir,
      questions,
      styleFor: (demos) => urial.urialStyleWithDemos(prompt, demos),
      generation: {
        pool: gen.pool,
        concurrency: gen.concurrency,
        slots: new SlotPool(gen.concurrency),
        itemDeadlineMs: gen.itemDeadlineMs,
        meter: gen.meter,
        retry: gen.retry,
        servedModel,
        sampling: {
          temperature: numberOpt(p, "temperature", { min: 0 }) ?? 0,
          topP: numberOpt(p, "top-p", { min: 0 }) ?? 1,
          repetitionPenalty: numberOpt(p, "repetition-penalty", { min: 0 }) ?? 1,
          maxTokens: numberOpt(p, "max-tokens", { integer: true, min: 1 }) ?? DEFAULT_MAX_TOKENS,
          stop: [...URIAL_STOP],
          ...(seed !== undefined ? { seed } : {}),
        },
      },
      judging: {
        pool: judge.pool,
        concurrency: judge.concurrency,
        slots: new SlotPool(judge.concurrency),
        itemDeadlineMs: judge.itemDeadlineMs,
        meter: judge.meter,
        retry: judge.retry,
        judgeModel,
        judgePrompts,
        references,
      },
      progress: (label, total) => new Progress({ label, total, write: err, isTTY: isTerminal(io) }),
      onFailure: (m) => err(`failed: ${m}\n`),
    });

    const logFile = path.join(workDir, "search_log.jsonl");
    fs.mkdirSync(workDir, { recursive: true });
    const exportDump = (): void => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on use, like the prompts module
      const { exportGreedyDump } = require("../../experiment/greedyExport") as typeof import("../../experiment/greedyExport");
      const d = exportGreedyDump({
        workDir,
        questionsFile: stringOpt(p, "questions", true),
        prompt,
        candidates: new Map(candidates.map((c) => [c.id, c.demo])),
        judgeModel,
        baseModel: stringOpt(p, "base-model") ?? servedModel,
        demoSource: stringOpt(p, "demo-source") ?? null,
        temperature: numberOpt(p, "temperature", { min: 0 }) ?? 0,
        topP: numberOpt(p, "top-p", { min: 0 }) ?? 1,
        repetitionPenalty: numberOpt(p, "repetition-penalty", { min: 0 }) ?? 1,
        seed: seed ?? null,
      });
      io.stdout(`dump for the notebooks: ${d.dir} (${d.runs} candidate runs, ${d.prompts.length} chosen prompt(s))\n`);
    };
    // One search per work directory, taken before any request; then temporary files of killed runs go.
    const lock = acquireOutputLock(logFile);
    try {
      const removed = cleanStaleTempFiles(workDir, true);
      if (removed.length > 0) err(`removed ${removed.length} temporary file(s) left by killed runs under ${workDir}\n`);
      return await search();
    } finally {
      lock.release();
    }

    async function search(): Promise<number> {
      try {
        const result = await greedySearch<DemoPair>({
          candidates,
          steps,
          threshold,
          repeats,
          evaluate,
          logFile,
          parallel,
          onEvent: (e: GreedyScoreEvent | GreedyChosenEvent) =>
            io.stdout(
              e.event === "score"
                ? `step ${e.step} ${e.candidate}: mean ${e.mean === null ? "n/a" : e.mean.toFixed(3)} (${e.scores.map((s) => (s === null ? "n/a" : s.toFixed(3))).join(", ")})\n`
                : `step ${e.step}: chose ${e.candidate} (mean ${e.mean.toFixed(3)}); prompt demos: ${e.prefix.join(", ")} + URIAL\n`,
            ),
        });
        writeFileAtomic(path.join(workDir, "chosen.jsonl"), result.chosen.map((c, i) => JSON.stringify({ step: i + 1, id: c.id, ...c.demo })).join("\n") + (result.chosen.length ? "\n" : ""));
        io.stdout(`chosen: ${result.chosen.map((c) => c.id).join(", ") || "none"}${result.endedEarly ? ` (${result.endedEarly})` : ""}\n`);
        io.stdout(`log: ${logFile}; judge usage: ${judge.meter.summary()}\n`);
        exportDump();
        return 0;
      } catch (e) {
        if (!(e instanceof GreedyIncompleteError)) throw e;
        io.stdout(redactSecrets(`stopped: ${e.message}\n`, secrets));
        io.stdout(`judge usage: ${judge.meter.summary()}\n`);
        exportDump();
        return e.stopKind === "budget" || judge.meter.budgetStop() !== null ? EXIT_BUDGET : e.stopKind === "fatal" ? EXIT_FATAL_API : EXIT_INCOMPLETE;
      }
    }
  },
};
