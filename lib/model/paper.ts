/** Numbers published in the papers (data/paper/), kept apart from anything computed. */

/** MT-Bench categories in the column order of Zhao et al. Table 7. */
export const MTBENCH_CATEGORIES = ["coding", "math", "reasoning", "extraction", "humanities", "roleplay", "stem", "writing"] as const;

/** A row of Zhao et al. Table 2 (MT-Bench 1st turn, 2nd turn, average). */
export interface PublishedTurnRow {
  rowLabel: string;
  baseModel: string;
  setting: "urial" | "instruct";
  /** `urial_repo` for rows the paper took from the URIAL repository (marked *). */
  source: "urial_repo" | "this_paper";
  turn1: number | null;
  turn2: number | null;
  average: number | null;
}

/** A row of Zhao et al. Table 7 (MT-Bench per category). */
export interface PublishedCategoryRow {
  rowLabel: string;
  baseModel: string;
  setting: "urial" | "instruct";
  source: "urial_repo" | "this_paper";
  byCategory: Record<string, number | null>;
  average: number | null;
}
