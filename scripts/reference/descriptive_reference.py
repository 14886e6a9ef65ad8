#!/usr/bin/env python3
"""Reference values for the simple-statistics wrappers in lib/stats (mean, standard deviations,
quantile, median) from numpy.

Writes test/fixtures/descriptive-reference.json. Run:  python3 scripts/reference/descriptive_reference.py
(the pyenv python3 here: numpy 2.4.6; Debian's numpy 1.24 gives the same numbers to the last ulp
or so for these calls). Each stored quantity names its numpy call in "calls".
"""
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROBS = [0, 0.01, 0.025, 0.1, 0.25, 0.3333333333333333, 0.5, 0.75, 0.9, 0.975, 0.99, 1]


def datasets():
    rng = np.random.default_rng(20261201)
    yield "n=1", [3.25]
    yield "n=2", [1.0, 4.0]
    yield "MT-Bench scores with ties (1..10 integers)", [float(v) for v in rng.integers(1, 11, size=80)]
    yield "normal, n=37", [float(v) for v in rng.normal(6.5, 1.7, size=37)]
    yield "lognormal, n=500", [float(v) for v in rng.lognormal(0.0, 1.0, size=500)]
    yield "negative and positive gaps, n=101", [float(v) for v in rng.normal(-0.2, 2.0, size=101)]
    # an offset 200 times the spread; far worse conditioned data (1e9 + noise of 1e-3) are limited
    # by float64 itself: numpy and any two-pass algorithm then differ by ~1e-9 relative
    yield "offset (100 + noise of sd 0.5), n=64", [float(100 + v) for v in rng.normal(0.0, 0.5, size=64)]
    yield "tiny values (1e-12 scale), n=50", [float(v) for v in rng.normal(0.0, 1e-12, size=50)]
    yield "bootstrap-like replicates, n=2000", [float(v) for v in rng.normal(0.35, 0.12, size=2000)]


def main():
    out = {
        "generator": "scripts/reference/descriptive_reference.py",
        "numpy_version": np.__version__,
        "calls": {
            "mean": "numpy.mean(values)",
            "sample_sd": "numpy.std(values, ddof=1) (null for n < 2)",
            "population_sd": "numpy.std(values, ddof=0)",
            "median": "numpy.median(values)",
            "quantiles": "numpy.quantile(values, p, method='linear') for p in probs (Hyndman & Fan type 7, numpy's default)",
        },
        "probs": PROBS,
        "cases": [],
    }
    for name, values in datasets():
        x = np.asarray(values, dtype=np.float64)
        out["cases"].append(
            {
                "name": name,
                "values": values,
                "mean": float(np.mean(x)),
                "sample_sd": float(np.std(x, ddof=1)) if len(x) > 1 else None,
                "population_sd": float(np.std(x, ddof=0)),
                "median": float(np.median(x)),
                "quantiles": [float(np.quantile(x, p, method="linear")) for p in PROBS],
            }
        )
    path = os.path.join(ROOT, "test", "fixtures", "descriptive-reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: {len(out['cases'])} cases")


if __name__ == "__main__":
    main()
