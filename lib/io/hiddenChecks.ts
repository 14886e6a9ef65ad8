/**
 * Checks of a loaded hidden-state dump before similarities are computed: a state vector that
 * is all zeros (cosine undefined) or holds NaN / infinity is an InputError naming the shard
 * that holds it, the run (index and id), the situation and the state index, instead of a
 * RangeError from deep inside the cosine code.
 *
 * Complexity: O(runs · 3 · states checked · hidden size), one pass over the checked states.
 */
import * as path from "node:path";
import { InputError } from "../model/errors";
import { HIDDEN_CONDITIONS, type HiddenDump, hiddenVector } from "./hiddenDump";

/** The shard directory's manifest that holds run `run` (the dump directory when unknown). */
function shardFileOf(dump: Pick<HiddenDump, "dir" | "shards">, run: number): string {
  const s = dump.shards.find((x) => run >= x.runs[0] && run < x.runs[1]);
  return s === undefined ? dump.dir : s.file;
}

/**
 * Throws on the first zero or non-finite state among the states `layers` ("last": the final
 * one only, as `hidden-sims` uses by default; "all": every state).
 */
export function checkHiddenStates(dump: HiddenDump, layers: "last" | "all"): void {
  const states = layers === "last" ? [dump.nStates - 1] : Array.from({ length: dump.nStates }, (_, l) => l);
  for (let run = 0; run < dump.runs.length; run++) {
    for (const condition of HIDDEN_CONDITIONS) {
      for (const layer of states) {
        const v = hiddenVector(dump, run, condition, layer);
        let zero = true;
        for (let i = 0; i < v.length; i++) {
          const x = v[i] as number;
          if (!Number.isFinite(x)) throw stateError(dump, run, condition, layer, `element ${i} is ${String(x)}`);
          if (x !== 0) zero = false;
        }
        if (zero) throw stateError(dump, run, condition, layer, "is all zeros, so its cosine similarity is undefined (a failed forward pass? rerun this run's shard)");
      }
    }
  }
}

function stateError(dump: HiddenDump, run: number, condition: string, layer: number, problem: string): InputError {
  const meta = dump.runs[run];
  const file = shardFileOf(dump, run);
  return new InputError(
    { file, field: "hidden" },
    `the ${condition} hidden state of run ${run}${meta !== undefined ? ` (id ${meta.id}, seed ${meta.seed})` : ""} at state ${layer} of 0..${dump.nStates - 1} ${problem}; data in ${path.dirname(file)}`,
  );
}
