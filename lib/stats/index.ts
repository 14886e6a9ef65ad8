/** lib/stats barrel (for the CLI and tests; lib/index.ts re-exports each module by file). */
export * from "./bootstrap";
export * from "./cosineSimilarity";
export * from "./gamma";
export * from "./mean";
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
