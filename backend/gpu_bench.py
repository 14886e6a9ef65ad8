"""Benchmark: the job on a Llama-2-7B-shaped model with random weights (bf16 on a GPU).

    python3 -m backend.gpu_bench --out DIR [--runs 4] [--shape llama2-7b] [--device cuda]

No weights are downloaded: the model is built from the Llama-2-7B config on the device with
random weights (`model.random_init` in the job) and the tokenizer is the tiny offline one, so
prompt lengths are in the tiny tokenizer's tokens. Prints per-run time and peak GPU memory and
writes the dump and `bench.json` under DIR. Record the numbers in backend/README.md.
`--shape tiny --device cpu` runs the same code path in seconds (the test suite does).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from .job import parse_job
from .tiny import build_tokenizer, shape_config

REVIEWS = [
    ("a wonderful movie with a great cast.", "positive"),
    ("many pointless scenes and a boring story.", "negative"),
    ("the film is fun, moving and well acted.", "positive"),
    ("the plot is thin and the ending is dull.", "negative"),
    ("I like this movie.", "positive"),
    ("not worth the time.", "negative"),
]


def bench_job(tokenizer_dir: str, shape: str, n_runs: int, device: str, dtype: str) -> dict:
    runs = []
    for k in range(n_runs):
        demo = REVIEWS[k % len(REVIEWS)]
        inf = REVIEWS[(k + 3) % len(REVIEWS)]
        runs.append({
            "id": f"bench-{k}",
            "seed": 1000 + k,
            "instruction": "What is the sentiment of the movie review below? Is it negative or positive?",
            "demos": [{"text": demo[0], "label": demo[1]}],
            "inference": {"text": inf[0], "task": "sentiment", "label": inf[1]},
        })
    return {
        "format": "icl-workbench.hidden-job",
        "version": 1,
        "name": f"gpu-bench-{shape}",
        "experiment": "benchmark",
        "model": {
            "random_init": {"config": shape_config(shape), "seed": 0},
            "tokenizer_path": tokenizer_dir,
            "device": device,
            "dtype": dtype,
        },
        "tasks": {"sentiment": {"input": "Review: {text}", "output": "Sentiment:", "labels": ["negative", "positive"]}},
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m backend.gpu_bench", description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--runs", type=int, default=4)
    p.add_argument("--shape", default="llama2-7b", choices=["tiny", "llama2-7b"])
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtype", default="auto")
    args = p.parse_args(argv)
    from .hidden_states import run_job

    os.makedirs(args.out, exist_ok=True)
    tok_dir = os.path.join(args.out, "tokenizer")
    build_tokenizer().save_pretrained(tok_dir)
    raw = bench_job(tok_dir, args.shape, args.runs, args.device, args.dtype)
    job_path = os.path.join(args.out, "job.json")
    data = json.dumps(raw, indent=1).encode()
    with open(job_path, "wb") as f:
        f.write(data)
    dump = run_job(parse_job(data, job_path), os.path.join(args.out, "dump"), overwrite=True)
    with open(os.path.join(dump, "manifest.json")) as f:
        m = json.load(f)
    rows = [
        {
            "run": r["id"],
            "prompt_tokens": r["prompt_tokens"],
            "total_s": round(r["timings"]["total_s"], 3),
            "train_s": round(r["timings"]["train_s"], 3),
            "peak_gpu_memory_gib": None if r["peak_gpu_memory_bytes"] is None else round(r["peak_gpu_memory_bytes"] / 2**30, 2),
        }
        for r in m["runs"]
    ]
    report = {
        "device": m["model"]["device_name"],
        "dtype": m["model"]["dtype"],
        "n_parameters": m["model"]["n_parameters"],
        "load_model_s": round(m["timings"]["load_model_s"], 2),
        "runs": rows,
        "versions": m["versions"],
    }
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
