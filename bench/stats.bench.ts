/**
 * lib/stats speed next to scipy / numpy on the same data: exact Wilcoxon signed-rank at n = 50
 * and n = 200 (first call builds and caches the BigInt null table; later calls are lookups), and
 * cosine similarity of every pair of the 3 conditions per run per layer over a
 * 30 × 3 × 33 × 4096 Float32 hidden-state array (2,970 cosines of 4,096-d vectors).
 * Python times itself (bench/stats_reference.py, time.perf_counter, after a warm-up call);
 * ratios are workbench / python (below 1: the workbench is faster).
 * Run only this one: `npm run bench -- stats`. Python: $PYTHON or python3 (needs scipy >= 1.14).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cosineSimilarity } from "../lib/stats/cosineSimilarity";
import { normalQuantile } from "../lib/stats/normal";
import { createRng } from "../lib/stats/rng";
import { wilcoxonSignedRank } from "../lib/stats/wilcoxon";

const SHAPE = [30, 3, 33, 4096] as const;
const WILCOXON_N = [50, 200];

function timed<T>(fn: () => T, minSeconds = 0.5, minReps = 3): { seconds: number; out: T } {
  let out = fn();
  let reps = 0;
  const t0 = performance.now();
  for (;;) {
    out = fn();
    reps++;
    const el = (performance.now() - t0) / 1000;
    if (el >= minSeconds && reps >= minReps) return { seconds: el / reps, out };
  }
}

function fmtTime(s: number): string {
  return s < 1e-3 ? `${(s * 1e6).toFixed(1)} µs` : s < 1 ? `${(s * 1e3).toFixed(2)} ms` : `${s.toFixed(2)} s`;
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "icl-wb-stats-bench-"));
  try {
    const rng = createRng(2026);
    const data: Record<number, Float64Array> = {};
    for (const n of WILCOXON_N) {
      // differences ~ N(0.3, 1): continuous, no ties, no zeros
      const d = new Float64Array(n);
      for (let i = 0; i < n; i++) d[i] = 0.3 + normalQuantile(Math.min(1 - 1e-12, Math.max(1e-12, rng.next())));
      data[n] = d;
      fs.writeFileSync(path.join(dir, `wilcoxon-${n}.f64`), Buffer.from(d.buffer));
    }
    const total = SHAPE.reduce((a, b) => a * b, 1);
    const hidden = new Float32Array(total);
    for (let i = 0; i < total; i++) hidden[i] = rng.next() * 2 - 1 + (i % 7) * 0.01;
    fs.writeFileSync(path.join(dir, "hidden.f32"), Buffer.from(hidden.buffer));
    fs.writeFileSync(path.join(dir, "meta.json"), JSON.stringify({ wilcoxon_n: WILCOXON_N, cos_shape: SHAPE }));

    const python = process.env["PYTHON"] ?? "python3";
    const py = spawnSync(python, [path.join(__dirname, "stats_reference.py"), dir], { encoding: "utf8", maxBuffer: 1 << 20 });
    let ref: Record<string, { seconds: number; pvalue?: number; checksum?: number }> & { scipy?: string; numpy?: string } = {};
    if (py.status === 0) ref = JSON.parse(py.stdout) as typeof ref;
    else console.log(`python reference unavailable (${python}): ${(py.stderr || py.error?.message || "").trim().split("\n").pop() ?? ""}`);

    console.log(`machine: ${os.cpus().length} cores, node ${process.version}; python: ${ref.scipy ? `scipy ${ref.scipy}, numpy ${ref.numpy}` : "n/a"}\n`);
    const header = `${"task".padEnd(44)}  ${"workbench".padStart(11)}  ${"python".padStart(11)}  ${"ratio".padStart(7)}  check`;
    console.log(header);
    console.log("-".repeat(header.length + 20));
    const row = (task: string, s: number, base: { seconds: number } | undefined, check: string) =>
      console.log(`${task.padEnd(44)}  ${fmtTime(s).padStart(11)}  ${(base ? fmtTime(base.seconds) : "n/a").padStart(11)}  ${(base ? `${(s / base.seconds).toFixed(3)}x` : "").padStart(7)}  ${check}`);

    for (const n of WILCOXON_N) {
      const x = Array.from(data[n] as Float64Array);
      // JIT warm-up on a different n, so "first call" measures building the table, not compiling the code
      wilcoxonSignedRank(x.slice(0, n - 7), null, { method: "exact", alternative: "greater" });
      const t0 = performance.now();
      const first = wilcoxonSignedRank(x, null, { method: "exact", alternative: "greater" });
      const cold = (performance.now() - t0) / 1000;
      const warm = timed(() => wilcoxonSignedRank(x, null, { method: "exact", alternative: "greater" }));
      const base = ref[`wilcoxon_${n}`];
      const check = base?.pvalue !== undefined ? `p ${first.pValue.toExponential(6)} vs scipy ${base.pvalue.toExponential(6)}` : `p ${first.pValue.toExponential(6)}`;
      row(`exact Wilcoxon n=${n}, first call (builds table)`, cold, base, check);
      row(`exact Wilcoxon n=${n}, later calls (cached)`, warm.seconds, base, "");
    }

    const [R, C, L, D] = SHAPE;
    const pairs: [number, number][] = [[0, 1], [0, 2], [1, 2]];
    const cos = timed(() => {
      const out = new Float64Array(R * L * pairs.length);
      let k = 0;
      for (let r = 0; r < R; r++) {
        for (let l = 0; l < L; l++) {
          for (const [i, j] of pairs) {
            const a = hidden.subarray(((r * C + i) * L + l) * D, ((r * C + i) * L + l + 1) * D);
            const b = hidden.subarray(((r * C + j) * L + l) * D, ((r * C + j) * L + l + 1) * D);
            out[k++] = cosineSimilarity(a, b);
          }
        }
      }
      return out;
    }, 1.0);
    let checksum = 0;
    for (const v of cos.out) checksum += v;
    const cb = ref["cosine"];
    row(`cosine, ${R}x${C}x${L}x${D} f32, all 3 pairs (${cos.out.length})`, cos.seconds, cb, cb?.checksum !== undefined ? `sum ${checksum.toFixed(9)} vs numpy ${cb.checksum.toFixed(9)}` : `sum ${checksum.toFixed(9)}`);
    console.log("\nratio = workbench time / python time (python: scipy.stats.wilcoxon(x, method='exact', alternative='greater') per call; numpy einsum over float64 copies for the cosines).");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
