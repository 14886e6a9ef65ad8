import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCandidates, type DemoPair } from "../../lib/experiment/candidates";
import { EndpointPool } from "../../lib/experiment/endpoints";
import type { PromptStyle } from "../../lib/experiment/generation";
import { type GreedyEvaluateRequest, greedySearch } from "../../lib/experiment/greedy";
import { candidateDir, greedyEvaluator } from "../../lib/experiment/greedyPipeline";
import { UsageMeter } from "../../lib/experiment/usage";
import { loadJudgePrompts, loadQuestions, loadReferenceAnswers } from "../../lib/io/mtbench";
import { chatCompletion, lastUserMessage, startFakeOpenAI, textCompletion } from "../support/fakeOpenAI";
import { writeSyntheticDump } from "../support/mtbenchFixture";
import { tempDir } from "../helpers";

type Cand = { id: string; demo: string };
const CANDS: Cand[] = ["a", "b", "c", "d", "e"].map((id) => ({ id, demo: `demo-${id}` }));

/** Score of a prompt: each demo has a value; the step's score is the sum over the prompt's demos. */
const VALUE: Record<string, number> = { "demo-a": 6.0, "demo-b": 6.5, "demo-c": 6.3, "demo-d": 5.0, "demo-e": 6.25 };
function scoreOf(req: GreedyEvaluateRequest<string>): number {
  return req.demos.reduce((s, d, i) => s + (VALUE[d] as number) / (i + 1), 0) / req.demos.length;
}

function readLog(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test("greedySearch: best candidate per step, prompt order prefix+candidate, threshold on the previous step, full log", async () => {
  const logFile = path.join(tempDir(), "search_log.jsonl");
  const seen: string[][] = [];
  const r = await greedySearch<string>({
    candidates: CANDS,
    steps: 3,
    threshold: 6.2,
    repeats: (s) => (s === 1 ? 1 : 2),
    evaluate: async (req) => {
      seen.push([...req.demos]);
      const x = scoreOf(req);
      return { scores: Array.from({ length: req.repeats }, (_, k) => x + (k === 0 ? 0.01 : -0.01)), nJudged: Array.from({ length: req.repeats }, () => 80) };
    },
    logFile,
  });
  // Step 1: b (6.5). Step 2 pool: above 6.2 at step 1 and not chosen = c (6.3), e (6.25).
  // Scores at step 2: [b, c] = (6.5 + 6.3/2)/2 = 4.825, [b, e] = (6.5 + 3.125)/2 = 4.8125 -> c.
  // Step 3 pool: candidates above 6.2 at step 2 = none -> the search ends early.
  assert.deepEqual(r.chosen.map((c) => c.id), ["b", "c"]);
  assert.match(r.endedEarly ?? "", /no candidate left for step 3/);
  assert.deepEqual(seen, [["demo-a"], ["demo-b"], ["demo-c"], ["demo-d"], ["demo-e"], ["demo-b", "demo-c"], ["demo-b", "demo-e"]]);
  const log = readLog(logFile);
  assert.equal(log.filter((e) => e["event"] === "score").length, 7);
  const step2c = log.find((e) => e["event"] === "score" && e["step"] === 2 && e["candidate"] === "c");
  const x = (6.5 + 6.3 / 2) / 2;
  assert.deepEqual(step2c?.["scores"], [x + 0.01, x - 0.01]);
  assert.equal(step2c?.["mean"], (x + 0.01 + (x - 0.01)) / 2);
  assert.deepEqual(step2c?.["n_judged"], [80, 80]);
  assert.deepEqual(log.filter((e) => e["event"] === "chosen").map((e) => [e["step"], e["candidate"], e["prefix"]]), [
    [1, "b", ["b"]],
    [2, "c", ["b", "c"]],
  ]);
});

test("greedySearch resumes from its log: logged evaluations and choices are not redone", async () => {
  const logFile = path.join(tempDir(), "search_log.jsonl");
  let calls = 0;
  const evaluate = async (req: GreedyEvaluateRequest<string>) => {
    calls++;
    if (calls === 7) throw new Error("killed"); // dies during step 2
    return { scores: [scoreOf(req)] };
  };
  const opts = { candidates: CANDS, steps: 2, threshold: null, repeats: () => 1, logFile };
  await assert.rejects(greedySearch<string>({ ...opts, evaluate }), /killed/);
  const logged = readLog(logFile).length; // 5 step-1 scores + 1 choice + 1 step-2 score
  assert.equal(logged, 7);
  let resumedCalls = 0;
  const r = await greedySearch<string>({
    ...opts,
    evaluate: async (req) => {
      resumedCalls++;
      assert.equal(req.step, 2, "step 1 is entirely in the log");
      return { scores: [scoreOf(req)] };
    },
  });
  assert.equal(resumedCalls, 3, "only the 3 step-2 candidates not yet logged are evaluated");
  assert.deepEqual(r.chosen.map((c) => c.id), ["b", "c"]);
  const log = readLog(logFile);
  assert.equal(new Set(log.map((e) => `${e["event"]}/${e["step"]}/${e["candidate"]}`)).size, log.length, "no duplicate log rows");
});

test("greedy pipeline over real HTTP: generates turn-1 answers per candidate prompt, judges k times, picks the best; rerun is free", async () => {
  const dir = tempDir();
  writeSyntheticDump(dir, 4, []);
  const questions = loadQuestions(path.join(dir, "question.jsonl"));
  // The base model "answers" with the first demo's marker; the judge likes GOOD answers.
  const gen = await startFakeOpenAI((req) => {
    const prompt = String((req.body as { prompt: string }).prompt);
    const marker = /DEMO\[(\w+)\]/.exec(prompt)?.[1] ?? "none";
    return { kind: "json", body: textCompletion(`My answer in the style of ${marker}.\n\`\`\`\n`) };
  });
  const judge = await startFakeOpenAI((req) => {
    const u = lastUserMessage(req.body);
    return { kind: "json", body: chatCompletion(u.includes("style of GOOD") ? "Rating: [[8]]" : "Rating: [[4]]") };
  });
  try {
    const candidates = parseCandidates(
      ['{"id": "bad", "query": "q1", "answer": "DEMO[BAD]"}', '{"id": "good", "instruction": "q2", "output": "DEMO[GOOD]"}', '{"query": "q3", "response": "DEMO[MEH]"}'].join("\n"),
    );
    assert.deepEqual(candidates.map((c) => c.id), ["bad", "good", "line-3"]);
    const styleFor = (demos: readonly DemoPair[]): PromptStyle => ({
      kind: "completion",
      turn1: (q) => `${demos.map((d) => `# Query:\n${d.query}\n# Answer:\n${d.answer}\n`).join("")}# Query:\n${q.turns[0]}\n# Answer:\n`,
      turn2: () => {
        throw new Error("turn 2 is never generated in the search");
      },
      clean: (raw) => raw.replace(/\s*```\s*$/, ""),
    });
    const mk = (url: string) => new EndpointPool({ baseUrls: [url], apiKey: "EMPTY", timeoutMs: 2000 });
    const workDir = path.join(dir, "greedy");
    const evaluate = greedyEvaluator<DemoPair>({
      workDir,
      questions,
      styleFor,
      generation: { pool: mk(gen.url), concurrency: 4, meter: new UsageMeter(null, null), servedModel: "base", sampling: { temperature: 0, maxTokens: 64 } },
      judging: {
        pool: mk(judge.url),
        concurrency: 4,
        meter: new UsageMeter(null, null),
        judgeModel: "gpt-4-turbo",
        judgePrompts: loadJudgePrompts(path.join(dir, "judge_prompts.jsonl")),
        references: loadReferenceAnswers(path.join(dir, "reference_answer", "gpt-4.jsonl")),
      },
    });
    const logFile = path.join(workDir, "search_log.jsonl");
    const run = () => greedySearch<DemoPair>({ candidates, steps: 1, threshold: 6.2, repeats: () => 2, evaluate, logFile });
    const r = await run();
    assert.deepEqual(r.chosen.map((c) => c.id), ["good"]);
    const scores = readLog(logFile).filter((e) => e["event"] === "score");
    assert.deepEqual(scores.map((e) => [e["candidate"], e["scores"], e["mean"], e["n_judged"]]), [
      ["bad", [4, 4], 4, [4, 4]],
      ["good", [8, 8], 8, [4, 4]],
      ["line-3", [4, 4], 4, [4, 4]],
    ]);
    // 3 candidates x 4 questions x turn 1 only; 2 judging repeats each.
    assert.equal(gen.requests.length, 12);
    assert.equal(judge.requests.length, 24);
    const cdir = candidateDir(workDir, 1, "good");
    assert.ok(fs.existsSync(path.join(cdir, "model_judgment", "gpt-4-turbo_single.jsonl")));
    assert.ok(fs.existsSync(path.join(cdir, "model_judgment", "gpt-4-turbo_single.repeat-1.jsonl")));

    const again = await run();
    assert.deepEqual(again.chosen.map((c) => c.id), ["good"]);
    assert.equal(gen.requests.length + judge.requests.length, 36, "a finished search makes no request when rerun");
  } finally {
    await Promise.all([gen.close(), judge.close()]);
  }
});
