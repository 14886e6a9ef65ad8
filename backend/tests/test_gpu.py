"""GPU checks (bf16 on CUDA). They skip, with the reason shown (pytest -rs), where no GPU is
visible: CI and the CPU-only development machine. The benchmark's code path also runs on the
CPU with the tiny shape so it cannot rot."""
from __future__ import annotations

import json
import os

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (run scripts/setup-backend.sh)")

from backend.gpu_bench import main as bench_main  # noqa: E402
from backend.hidden_states import run_job  # noqa: E402
from backend.job import parse_job  # noqa: E402

from .jobs import make_job  # noqa: E402

needs_gpu = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device visible to torch (GPU-only test)")


def test_bench_code_path_on_cpu(tmp_path):
    assert bench_main(["--out", str(tmp_path), "--runs", "2", "--shape", "tiny", "--device", "cpu"]) == 0
    with open(tmp_path / "bench.json") as f:
        report = json.load(f)
    assert len(report["runs"]) == 2 and report["dtype"] == "float32"
    assert report["runs"][0]["peak_gpu_memory_gib"] is None


@needs_gpu
def test_bf16_job_on_gpu(tiny_model, tmp_path):
    raw = make_job(tiny_model)
    raw["model"] = {"path": tiny_model, "device": "cuda", "dtype": "auto"}
    out = str(tmp_path / "gpu")
    run_job(parse_job(json.dumps(raw).encode(), "job.json"), out, log=lambda s: None)
    from safetensors.torch import load_file

    t = load_file(os.path.join(out, "hidden.safetensors"))
    with open(os.path.join(out, "manifest.json")) as f:
        m = json.load(f)
    assert m["model"]["dtype"] == "bfloat16" and m["model"]["device"].startswith("cuda")
    assert torch.equal(t["hidden"][2, 2], t["hidden"][2, 0])  # untrained IT == anchor in bf16 too
    assert all(r["peak_gpu_memory_bytes"] > 0 for r in m["runs"])


@needs_gpu
def test_llama2_7b_shape_benchmark(tmp_path):
    assert bench_main(["--out", str(tmp_path), "--runs", "2", "--shape", "llama2-7b", "--device", "cuda"]) == 0
    with open(tmp_path / "bench.json") as f:
        report = json.load(f)
    assert report["dtype"] == "bfloat16"
    assert 6.5e9 < report["n_parameters"] < 7.0e9
