/**
 * The section example dumps (notebooks 02-07): each generator and the directory under
 * data/examples/ it fills. scripts/make-example-dumps.ts writes them all:
 *
 *   for (const s of SECTION_EXAMPLES) { rm -r data/examples/<s.dir>; write s.make() }
 */
import { DECODING_SEED, decodingExample } from "./decoding";
import { GREEDY_SEED, greedyExample } from "./greedy";
import { ICL_VS_IFT_SEED, iclVsIftExample } from "./iclVsIft";
import { QA_MATCHING_SEED, qaMatchingExample } from "./qaMatching";
import { SCALING_SEED, scalingExample } from "./scaling";
import { TRANSFER_SEED, transferExample } from "./transfer";

export interface SectionExample {
  /** Directory under data/examples/. */
  dir: string;
  notebook: string;
  seed: number;
  /** Relative path -> content. */
  make: (seed?: number) => Record<string, string>;
}

export const SECTION_EXAMPLES: readonly SectionExample[] = [
  { dir: "decoding", notebook: "02-decoding.ipynb", seed: DECODING_SEED, make: decodingExample },
  { dir: "scaling", notebook: "03-scaling.ipynb", seed: SCALING_SEED, make: scalingExample },
  { dir: "greedy", notebook: "04-greedy-search.ipynb", seed: GREEDY_SEED, make: greedyExample },
  { dir: "qa-matching", notebook: "05-qa-matching.ipynb", seed: QA_MATCHING_SEED, make: qaMatchingExample },
  { dir: "icl-vs-ift", notebook: "06-icl-vs-ift.ipynb", seed: ICL_VS_IFT_SEED, make: iclVsIftExample },
  { dir: "transfer", notebook: "07-transferability.ipynb", seed: TRANSFER_SEED, make: transferExample },
];
