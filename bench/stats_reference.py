"""Timing of scipy / numpy on the data written by bench/stats.bench.ts (time measured inside Python).

usage: python3 bench/stats_reference.py DIR   -> prints one JSON object
"""
import json
import sys
import time

import numpy as np
import scipy
import scipy.stats as st


def timed(fn, min_seconds=0.5, min_reps=3):
    fn()  # warm-up (imports, caches)
    reps = 0
    t0 = time.perf_counter()
    while True:
        out = fn()
        reps += 1
        el = time.perf_counter() - t0
        if el >= min_seconds and reps >= min_reps:
            return el / reps, out


def main():
    d = sys.argv[1]
    meta = json.load(open(f"{d}/meta.json"))
    res = {"scipy": scipy.__version__, "numpy": np.__version__}
    for n in meta["wilcoxon_n"]:
        x = np.fromfile(f"{d}/wilcoxon-{n}.f64", dtype=np.float64)
        s, r = timed(lambda: st.wilcoxon(x, method="exact", alternative="greater"))
        res[f"wilcoxon_{n}"] = {"seconds": s, "pvalue": float(r.pvalue), "statistic": float(r.statistic)}
    shape = tuple(meta["cos_shape"])  # runs, conditions, layers, dim
    h = np.fromfile(f"{d}/hidden.f32", dtype=np.float32).reshape(shape)

    def cos_all():
        h64 = h.astype(np.float64)
        norms = np.sqrt(np.einsum("rcld,rcld->rcl", h64, h64))
        out = []
        for i, j in [(0, 1), (0, 2), (1, 2)]:
            dot = np.einsum("rld,rld->rl", h64[:, i], h64[:, j])
            out.append(dot / (norms[:, i] * norms[:, j]))
        return np.stack(out, axis=-1)  # runs, layers, pairs

    s, c = timed(cos_all, min_seconds=1.0)
    res["cosine"] = {"seconds": s, "checksum": float(c.sum()), "first": float(c[0, 0, 0])}
    print(json.dumps(res))


if __name__ == "__main__":
    main()
