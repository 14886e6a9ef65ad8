/**
 * lib/stats barrel (for the CLI and tests; lib/index.ts re-exports each module by file), and
 * `ss`: the whole simple-statistics library as one namespace, for notebook cells (its functions
 * do not reject non-finite input; the wrappers here do).
 */
export * as ss from "simple-statistics";
export * from "./bootstrap";
export * from "./cosineSimilarity";
export * from "./gamma";
export * from "./finiteValues";
export * from "./mean";
export * from "./median";
export * from "./normal";
export * from "./pairedBootstrap";
export * from "./pairedScoreTest";
export * from "./populationStandardDeviation";
export * from "./quantile";
export * from "./rng";
export * from "./sampleStandardDeviation";
export * from "./signedRankDistribution";
export * from "./standardError";
export * from "./studentT";
export * from "./sumOfSquaredDeviations";
export * from "./tConfidenceInterval";
export * from "./wilcoxon";
