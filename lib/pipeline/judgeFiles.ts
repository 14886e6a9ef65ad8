/**
 * Dumps with several judges (e.g. the greedy search's GPT-4-Turbo judgments beside GPT-4's):
 * load a judge's file when the dump has it, so a section can show what it has.
 */
import { type LoadRunOptions, type MtBenchRun, loadMtBenchRun, locateDump } from "./mtbench";

/** The judges whose `<judge>_single.jsonl` the dump holds. */
export function dumpJudges(dir: string): string[] {
  return Object.keys(locateDump(dir).judgments).sort();
}

/** `loadMtBenchRun` for `opts.judge`, or null when the dump has no file for that judge. */
export async function loadMtBenchRunIfJudged(dir: string, opts: LoadRunOptions & { judge: string }): Promise<MtBenchRun | null> {
  if (!dumpJudges(dir).includes(opts.judge)) return null;
  return loadMtBenchRun(dir, opts);
}
