/**
 * The workbench's public API: what notebooks import (`import * as wb from "../lib"`).
 */
export * from "./paths";
export * from "./model/errors";
export * from "./model/mtbench";
export * from "./model/manifest";
export * from "./model/paper";
export * from "./model/table";
export * from "./io/jsonl";
export * from "./io/csv";
export * from "./io/atomic";
export * from "./io/mtbench";
export * from "./io/manifest";
export * from "./io/paperTables";
export * from "./analysis/mtbenchScores";
export * from "./analysis/coverage";
export * from "./analysis/urialVsInstruct";
export * from "./figures/types";
export * from "./figures/categoryBars";
export * from "./pipeline/mtbench";
export * from "./notebook/table";
