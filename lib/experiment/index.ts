/**
 * The experiment side's entry (used by the CLI, not by notebooks): URIAL prompts, generation
 * against OpenAI-compatible servers, MT-Bench judging (also through the Batch API), greedy
 * search, hidden-state jobs, and the metering, retry and secret handling they share.
 */
export * from "./prompts";
export * from "./candidates";
export * from "./urialStyle";
export * from "./mtbenchJudge";
export * from "./judging";
export * from "./batchJudging";
export * from "./generation";
export * from "./alpacaGeneration";
export * from "./greedy";
export * from "./greedyPipeline";
export * from "./greedyExport";
export * from "./endpoints";
export * from "./usage";
export * from "./retry";
export * from "./appendLog";
export * from "./manifestRows";
export * from "./secrets";
export * from "./hiddenJob";
