/**
 * Zhao et al. §4 and App. C (Fig. 3 and 7): ICL vs instruction fine-tuning (IFT) on the same
 * data, against the dataset size (3 to 4000 examples), for SkillMix and Evol-Instruct, 1st and
 * 2nd turn, with the base and instruct models as reference lines.
 *
 * ICL curves are the `icl-random` runs without URIAL's demos (the prompt holds exactly the N
 * examples IFT trains on; URIAL's rules stay); IFT curves are the `ift` runs, x = `n_train`. Both
 * are grouped by `demo_source`. Built on lib/analysis/scaling.ts.
 */
import type { CurveGridInput } from "../figures/scalingCurves";
import { type Curve, type ScalingResult, scalingCurveInput, scalingResult } from "./scaling";
import type { GapSpec } from "./pairedGaps";
import type { ScoredRun } from "./runJoin";

/** Curves and reference lines of the ICL-vs-IFT comparison for every base model. */
export function iclVsIftResult(runs: readonly ScoredRun[]): ScalingResult {
  return scalingResult(runs, { kinds: ["icl-random", "ift"], withUrialDemos: false, references: ["base", "instruct"] });
}

/** Figure input: rows = base models, columns = turns, x = dataset size (log axis in the notebook). */
export function iclVsIftCurveInput(res: ScalingResult): CurveGridInput {
  return scalingCurveInput(res, "dataset size (demonstrations or fine-tuning examples)");
}

/** A size where both ICL and IFT on the same source have runs: "IFT − ICL". */
export interface IclIftComparison {
  baseModel: string;
  turn: 1 | 2;
  demoSource: string | null;
  size: number;
  /** A = ICL runs (seeds), B = IFT runs (seeds). */
  modelsA: string[];
  modelsB: string[];
}

export function iclVsIftComparisons(res: ScalingResult): IclIftComparison[] {
  const out: IclIftComparison[] = [];
  const find = (c: Curve, kind: string) => c.key.kind === kind;
  for (const ift of res.curves.filter((c) => find(c, "ift"))) {
    const icl = res.curves.find((c) => find(c, "icl-random") && c.baseModel === ift.baseModel && c.turn === ift.turn && c.key.demoSource === ift.key.demoSource);
    if (icl === undefined) continue;
    for (const p of ift.points) {
      const q = icl.points.find((x) => x.x === p.x);
      if (q === undefined || q.models.length === 0 || p.models.length === 0) continue;
      out.push({ baseModel: ift.baseModel, turn: ift.turn, demoSource: ift.key.demoSource, size: p.x, modelsA: q.models, modelsB: p.models });
    }
  }
  return out;
}

/** Gap specs "IFT − ICL" at each shared size, source and turn (crossed bootstrap over seeds). */
export function iclVsIftGapSpecs(comparisons: readonly IclIftComparison[]): GapSpec[] {
  return comparisons.map((c) => ({
    label: `${c.demoSource ?? "?"} N=${c.size}: IFT − ICL (turn ${c.turn})`,
    group: c.baseModel,
    modelsA: c.modelsA,
    modelsB: c.modelsB,
    turn: c.turn,
  }));
}
