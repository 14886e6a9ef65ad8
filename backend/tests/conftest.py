"""Shared fixtures: a tiny random Llama built offline, a 3-run job, and its dump (run once).
The torch stack is imported inside the fixtures, so job/prompt tests run without it."""
from __future__ import annotations

import json
import os

import pytest

from .jobs import make_job


def require_torch_stack() -> None:
    for mod in ("torch", "transformers", "peft", "safetensors"):
        pytest.importorskip(mod, reason=f"{mod} is not installed (run scripts/setup-backend.sh)")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    require_torch_stack()
    from backend.tiny import build_tiny_llama

    return build_tiny_llama(str(tmp_path_factory.mktemp("tiny-llama")), seed=0)


@pytest.fixture(scope="session")
def job_file(tiny_model, tmp_path_factory) -> str:
    p = tmp_path_factory.mktemp("job") / "job.json"
    p.write_text(json.dumps(make_job(tiny_model), indent=1))
    return str(p)


@pytest.fixture(scope="session")
def dump(job_file, tmp_path_factory):
    """(directory, manifest, tensors) of the whole job run in one process."""
    from safetensors.torch import load_file

    from backend.hidden_states import run_job
    from backend.job import parse_job

    with open(job_file, "rb") as f:
        job = parse_job(f.read(), job_file)
    out = str(tmp_path_factory.mktemp("dump") / "full")
    run_job(job, out, log=lambda s: None)
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    return out, manifest, load_file(os.path.join(out, "hidden.safetensors"))
