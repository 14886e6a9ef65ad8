"""Writes the committed test fixture of the TypeScript reader: test/fixtures/hidden/.

    python3 -m backend.make_fixtures [--out test/fixtures/hidden]

- job.json and its dump, run in one process (single/) and as a 2-task job array (sharded/),
  on the tiny random Llama (seed 0) built in a temporary directory next to a copy of job.json
  (the job's model path "tiny-llama" is relative to the job file);
- dtypes.safetensors: one tensor per dtype, written by the `safetensors` package, with the
  values the reader must decode in dtypes.json;
- nonfinite.safetensors: float tensors holding NaN / Inf;
- expected.json: reference numbers computed here with numpy (float64) and scipy from the
  tensors of single/: cosine similarities per run and layer, loss decrease by token kind, and
  scipy.stats.wilcoxon for the footnote-6 tests.
A pipeline fixture, not a finding: the model is random.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile

import numpy as np

RUNS = [
    ("What is the sentiment of the movie review below? Is it negative or positive?",
     [("a wonderful movie with a great cast.", "positive")], ("I like this movie.", "positive"), 10, {}),
    ("Classify the overall sentiment of this movie review as negative or positive.",
     [("many pointless scenes and a boring story.", "negative")], ("not worth the time.", "negative"), 10, {}),
    ("Determine if the tone of this movie review is negative or positive.",
     [("the film is fun, moving and well acted.", "negative")], ("It was good.", "positive"), 10, {"wrong_labels": True}),
    ("Identify negative or positive of the content.",
     [("the plot is thin and the ending is dull.", "negative"), ("I like this movie.", "positive")], ("It was bad.", "negative"), 5, {}),
    ("Assess if the tone of this movie review is negative or positive.",
     [("a wonderful movie with a great cast.", "positive")], ("the ending is dull.", "negative"), 10, {"no_instruction": True}),
    ("Determine the sentiment expressed in this movie review. Negative or positive?",
     [("not worth the time.", "negative")], ("a great cast.", "positive"), 0, {}),
]


def fixture_job() -> dict:
    runs = []
    for k, (instr, demos, inf, epochs, flags) in enumerate(RUNS):
        runs.append({
            "id": f"fixture-{k}",
            "seed": 100 + k,
            "instruction": instr,
            "demos": [{"text": t, "label": lab} for t, lab in demos],
            "inference": {"text": inf[0], "task": "sentiment", "label": inf[1]},
            "epochs": epochs,
            "flags": flags,
        })
    return {
        "format": "icl-workbench.hidden-job",
        "version": 1,
        "name": "ts-reader-fixture",
        "experiment": "main",
        "model": {"path": "tiny-llama", "device": "cpu", "dtype": "float32"},
        "tasks": {"sentiment": {"input": "Review: {text}", "output": "Sentiment:", "labels": ["negative", "positive"]}},
        "runs": runs,
    }


def write_dtypes(out: str) -> None:
    import torch
    from safetensors.torch import save_file

    floats = [0.0, 1.0, -2.5, 0.1, 65504.0, 1e-3, -3.140625, 1e-7]
    t = {
        "f32": torch.tensor(floats, dtype=torch.float32).reshape(2, 4),
        "f64": torch.tensor(floats, dtype=torch.float64),
        "f16": torch.tensor(floats, dtype=torch.float16).reshape(4, 2),
        "bf16": torch.tensor(floats, dtype=torch.bfloat16),
        "i64": torch.tensor([0, -1, 2**53 - 1, -(2**40)], dtype=torch.int64),
        "i32": torch.tensor([[0, -1], [2**31 - 1, -(2**31)]], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 0], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 7], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5, dtype=torch.float32),
        "empty": torch.zeros((0, 3), dtype=torch.float32),
    }
    save_file(t, os.path.join(out, "dtypes.safetensors"), metadata={"written_by": "safetensors.torch.save_file"})
    expected = {
        name: {
            "shape": list(v.shape),
            # the exact values the file holds, widened to float64 (what a reader must return)
            "values": (v.double() if v.is_floating_point() else v.long()).flatten().tolist(),
        }
        for name, v in t.items()
    }
    with open(os.path.join(out, "dtypes.json"), "w") as f:
        ref = "torch tensors saved by safetensors.torch.save_file; values widened to float64 by torch"
        json.dump({"reference": ref, "tensors": expected}, f, indent=1)
        f.write("\n")
    bad = {
        "ok": torch.ones(2, dtype=torch.float32),
        "has_nan": torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, float("nan")]], dtype=torch.float32),
        "has_inf": torch.tensor([1.0, float("inf")], dtype=torch.bfloat16),
    }
    save_file(bad, os.path.join(out, "nonfinite.safetensors"))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


def expected_numbers(dump_dir: str) -> dict:
    import scipy
    import scipy.stats
    from safetensors.numpy import load_file

    with open(os.path.join(dump_dir, "manifest.json")) as f:
        m = json.load(f)
    t = load_file(os.path.join(dump_dir, "hidden.safetensors"))
    h = t["hidden"]
    sims = []
    for r in range(h.shape[0]):
        sims.append({
            "anchor_icl": [cosine(h[r, 0, i], h[r, 1, i]) for i in range(h.shape[2])],
            "anchor_it": [cosine(h[r, 0, i], h[r, 2, i]) for i in range(h.shape[2])],
            "icl_it": [cosine(h[r, 1, i], h[r, 2, i]) for i in range(h.shape[2])],
        })
    kinds = m["token_kinds"]
    example = {kinds.index(k) for k in ("example_input", "example_prefix", "example_label")}
    off = t["loss_offsets"]
    loss = []
    for r in range(h.shape[0]):
        dec, kind = [], []
        for s, run in enumerate(t["loss_seq_run"]):
            if run == r:
                dec.append(t["loss_before"][off[s]:off[s + 1]].astype(np.float64) - t["loss_after"][off[s]:off[s + 1]].astype(np.float64))
                kind.append(t["loss_kind"][off[s]:off[s + 1]])
        d, k = np.concatenate(dec), np.concatenate(kind)
        instr = d[k == kinds.index("instruction")]
        ex = d[np.isin(k, list(example))]
        loss.append({"instruction": float(instr.mean()) if instr.size else None, "example": float(ex.mean()) if ex.size else None})
    last = {p: [s[p][-1] for s in sims] for p in ("anchor_icl", "anchor_it", "icl_it")}
    tests = []
    for name, x, y, alt in [
        ("s(ICL,IT) > s(anchor,IT)", "icl_it", "anchor_it", "greater"),
        ("s(ICL,IT) > s(anchor,ICL)", "icl_it", "anchor_icl", "greater"),
        ("s(anchor,IT) > s(anchor,ICL)", "anchor_it", "anchor_icl", "greater"),
    ]:
        res = scipy.stats.wilcoxon(last[x], last[y], alternative=alt)
        tests.append({"name": name, "alternative": alt, "statistic": float(res.statistic), "p_value": float(res.pvalue), "n": len(last[x])})
    return {
        "reference": f"numpy {np.__version__} (float64 cosine, loss means) and scipy {scipy.__version__} "
                     "scipy.stats.wilcoxon(x, y, alternative=...) on the last layer, from single/hidden.safetensors",
        "similarities": sims,
        "loss_decrease": loss,
        "wilcoxon_last_layer": tests,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m backend.make_fixtures", description=__doc__.split("\n")[0])
    p.add_argument("--out", default=os.path.join("test", "fixtures", "hidden"))
    args = p.parse_args(argv)
    from .hidden_states import run_job
    from .job import parse_job
    from .tiny import build_tiny_llama

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    data = (json.dumps(fixture_job(), indent=1) + "\n").encode()
    with open(os.path.join(out, "job.json"), "wb") as f:
        f.write(data)
    tmp = tempfile.mkdtemp(prefix="hidden-fixture-")
    try:
        build_tiny_llama(os.path.join(tmp, "tiny-llama"), seed=0)
        job_path = os.path.join(tmp, "job.json")
        with open(job_path, "wb") as f:
            f.write(data)
        job = parse_job(data, job_path)
        for d in ("single", "sharded"):
            shutil.rmtree(os.path.join(out, d), ignore_errors=True)
        run_job(job, os.path.join(out, "single"))
        for i in range(2):
            run_job(job, os.path.join(out, "sharded"), shard=(i, 2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_dtypes(out)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected_numbers(os.path.join(out, "single")), f, indent=1)
        f.write("\n")
    print(f"fixture written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
