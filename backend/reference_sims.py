"""Reference values for `icl-workbench hidden-sims` on the bundled SmolLM2 dumps, computed
independently of the TypeScript side: numpy cosines of the stored float32 hidden states (in
float64) and scipy.stats.wilcoxon (its defaults, one-tailed "greater") for footnote 6's tests.

    .venv/bin/python -m backend.reference_sims data/examples/hidden-smollm2 > data/examples/hidden-smollm2/reference-sims.json

test/hidden/smollm2.test.ts compares `hiddenSimsReport` on every dump with this file.
"""
from __future__ import annotations

import json
import os
import sys

import numpy as np
import scipy
import scipy.stats
from safetensors.numpy import load_file

FOOTNOTE6 = [
    ("s(ICL,IT) > s(anchor,IT)", "icl_it", "anchor_it"),
    ("s(ICL,IT) > s(anchor,ICL)", "icl_it", "anchor_icl"),
    ("s(anchor,IT) > s(anchor,ICL)", "anchor_it", "anchor_icl"),
]


def cos(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def _parts(dump_dir: str) -> list[str]:
    """The dump itself, or its shard-iii-of-nnn/ directories in order (merged like loadHiddenDump)."""
    if os.path.isfile(os.path.join(dump_dir, "manifest.json")):
        return [dump_dir]
    return [os.path.join(dump_dir, n) for n in sorted(os.listdir(dump_dir)) if n.startswith("shard-")]


def dump_reference(dump_dir: str) -> dict:
    mans, hiddens = [], []
    for part in _parts(dump_dir):
        with open(os.path.join(part, "manifest.json"), encoding="utf-8") as f:
            m = json.load(f)
        mans.append(m)
        hiddens.extend(load_file(os.path.join(part, e["name"]))["hidden"] for e in m["files"])
    man = {**mans[0], "runs": [r for m in mans for r in m["runs"]]}
    hidden = np.concatenate(hiddens)
    last = hidden.shape[2] - 1
    runs = []
    for i, r in enumerate(man["runs"]):
        a, c, t = hidden[i, 0, last], hidden[i, 1, last], hidden[i, 2, last]
        runs.append({"id": r["id"], "anchor_icl": cos(a, c), "anchor_it": cos(a, t), "icl_it": cos(c, t)})
    tests = []
    for name, x, y in FOOTNOTE6:
        xs = np.array([r[x] for r in runs])
        ys = np.array([r[y] for r in runs])
        if np.all(xs == ys):
            tests.append({"name": name, "statistic": None, "p_value": None})
            continue
        res = scipy.stats.wilcoxon(xs, ys, alternative="greater")
        tests.append({"name": name, "statistic": float(res.statistic), "p_value": float(res.pvalue)})
    return {"state_layer": man.get("state_layers", list(range(man["n_states"])))[last], "runs": runs, "tests": tests}


def main(argv: list[str]) -> int:
    root = argv[0]
    out = {"made_by": "python -m backend.reference_sims", "numpy": np.__version__, "scipy": scipy.__version__, "experiments": {}}
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name, "dump")
        if os.path.isdir(d) and _parts(d):
            out["experiments"][name] = dump_reference(d)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
