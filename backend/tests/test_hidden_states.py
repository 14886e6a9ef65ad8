"""Acceptance checks of the batch job on the tiny random Llama (CPU)."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (run scripts/setup-backend.sh)")

from backend.job import parse_job  # noqa: E402

from .jobs import make_job  # noqa: E402

ANCHOR, ICL, IT = 0, 1, 2
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_shapes(dump):
    _, manifest, t = dump
    n_layers = manifest["model"]["config"]["num_hidden_layers"]
    assert n_layers == 2
    assert manifest["n_states"] == n_layers + 1
    assert t["hidden"].shape == (3, 3, n_layers + 1, 64)
    assert t["hidden"].dtype == torch.float32
    assert t["last_token_id"].shape == (3, 3)
    assert t["run_index"].tolist() == [0, 1, 2]
    assert torch.isfinite(t["hidden"]).all()


def test_it_equals_anchor_before_training(dump):
    """Run 3 has 0 epochs: LoRA's B is zero, so IT is the anchor bit for bit at every layer."""
    _, manifest, t = dump
    assert manifest["runs"][2]["optimizer_steps"] == 0
    assert torch.equal(t["hidden"][2, IT], t["hidden"][2, ANCHOR])


def test_it_differs_from_anchor_after_training(dump):
    _, manifest, t = dump
    for r in (0, 1):
        assert manifest["runs"][r]["optimizer_steps"] == 10
        # layer 0 is the embedding output: LoRA on q/v cannot change it
        assert torch.equal(t["hidden"][r, IT, 0], t["hidden"][r, ANCHOR, 0])
        for layer in (1, 2):
            diff = (t["hidden"][r, IT, layer] - t["hidden"][r, ANCHOR, layer]).abs().max().item()
            assert diff > 1e-5, (r, layer, diff)


def test_icl_differs_from_anchor(dump):
    _, _, t = dump
    for r in range(3):
        assert not torch.allclose(t["hidden"][r, ICL, -1], t["hidden"][r, ANCHOR, -1])


def test_last_token_ids_equal_across_conditions(dump, tiny_model):
    from transformers import AutoTokenizer

    _, manifest, t = dump
    tok = AutoTokenizer.from_pretrained(tiny_model, local_files_only=True)
    colon = tok("Sentiment:", add_special_tokens=False)["input_ids"][-1]
    for r, run in enumerate(manifest["runs"]):
        ids = run["last_token_ids"]
        assert ids["anchor"] == ids["icl"] == ids["it"] == colon
        assert t["last_token_id"][r].tolist() == [colon] * 3
        for cond in ("anchor", "icl", "it"):
            assert run["prompts"][cond].endswith("Sentiment:")
            assert tok(run["prompts"][cond])["input_ids"][-1] == colon
            assert len(tok(run["prompts"][cond])["input_ids"]) == run["prompt_tokens"][cond]


def test_losses_drop_after_tuning(dump):
    _, manifest, t = dump
    off = t["loss_offsets"].tolist()
    seq_run = t["loss_seq_run"].tolist()
    assert seq_run == [0, 1, 1, 2]  # one training text per demonstration
    for s, r in enumerate(seq_run):
        before = t["loss_before"][off[s]:off[s + 1]]
        after = t["loss_after"][off[s]:off[s + 1]]
        if manifest["runs"][r]["optimizer_steps"] > 0:
            assert after.mean() < before.mean(), (s, before.mean(), after.mean())
        else:
            assert torch.equal(after, before)
    for r in (0, 1):
        m = manifest["runs"][r]["mean_token_loss"]
        assert m["after"] < m["before"]
        e = manifest["runs"][r]["train_epoch_loss"]
        assert e[-1] < e[0]


def test_token_kinds_split_instruction_and_example(dump):
    _, manifest, t = dump
    kinds = manifest["token_kinds"]
    off = t["loss_offsets"].tolist()
    k = t["loss_kind"]
    first = k[off[0]:off[1]].tolist()
    assert kinds.index("instruction") in first and kinds.index("example_label") in first
    # the supervised-learning run (no_instruction) trains without instruction tokens
    sl = k[off[1]:off[3]].tolist()
    assert kinds.index("instruction") not in sl
    assert manifest["runs"][1]["prompts"]["train"][0].startswith("Review: ")
    # the label token of the first demo is "positive"
    assert manifest["runs"][0]["prompts"]["train"][0].endswith("Sentiment: positive")
    assert first[-1] == kinds.index("example_label")


def test_manifest_matches_tensors(dump, job_file):
    out, manifest, t = dump
    assert manifest["format"] == "icl-workbench.hidden-dump"
    with open(job_file, "rb") as f:
        assert manifest["job"]["hash"] == "sha256:" + hashlib.sha256(f.read()).hexdigest()
    assert manifest["job"]["n_runs"] == 3
    assert manifest["shard"] == {"index": 0, "count": 1, "runs": [0, 3]}
    assert [r["index"] for r in manifest["runs"]] == [0, 1, 2]
    assert [r["id"] for r in manifest["runs"]] == ["one-demo", "two-demos-wrong-sl", "other-task-untrained"]
    (f,) = manifest["files"]
    assert f["name"] == "hidden.safetensors" and f["runs"] == [0, 3]
    p = os.path.join(out, f["name"])
    assert f["bytes"] == os.path.getsize(p)
    with open(p, "rb") as fh:
        assert f["sha256"] == "sha256:" + hashlib.sha256(fh.read()).hexdigest()
    for name, spec in f["tensors"].items():
        assert list(t[name].shape) == spec["shape"], name
    for r, run in enumerate(manifest["runs"]):
        assert t["last_token_id"][r].tolist() == [run["last_token_ids"][c] for c in ("anchor", "icl", "it")]
    assert manifest["hidden_size"] == t["hidden"].shape[-1]
    assert manifest["versions"]["torch"] == torch.__version__
    assert manifest["runs"][1]["flags"] == {"wrong_labels": True, "no_instruction": True}


def test_label_predictions_recorded(dump):
    _, manifest, _ = dump
    for run in manifest["runs"]:
        lab = run["labels"]
        assert lab["options"] == ["negative", "positive"]
        for c in ("anchor", "icl", "it"):
            assert lab["predicted"][c] in lab["options"]
            assert lab["correct"][c] == (lab["predicted"][c] == lab["gold"])
            s = lab["logprob"][c]
            assert lab["predicted"][c] == lab["options"][s.index(max(s))]
    # untrained IT scores equal the anchor's
    assert manifest["runs"][2]["labels"]["logprob"]["it"] == manifest["runs"][2]["labels"]["logprob"]["anchor"]


def test_last_state_is_after_final_norm(tiny_model):
    """Layer convention: index 0 = embeddings, index L = after model.norm (feeds lm_head)."""
    from backend.job import ModelSpec
    from backend.model_ops import last_token_states, load_model

    spec = ModelSpec(path=tiny_model, tokenizer_path=None, random_config=None, random_seed=0, dtype="float32", device="cpu")
    model, tok, _provenance = load_model(spec, torch.device("cpu"), torch.float32)
    ids = tok("Review: a great cast.\nSentiment:")["input_ids"]
    h = last_token_states(model, ids, torch.device("cpu"))
    with torch.no_grad():
        x = torch.tensor([ids])
        logits = model(input_ids=x).logits[0, -1]
        emb = model.model.embed_tokens(x)[0, -1]
    assert h.shape == (3, 64)
    assert torch.equal(h[0], emb)
    assert torch.allclose(model.lm_head(h[-1]), logits, atol=1e-5)


def test_shards_match_the_whole_job(dump, job_file, tmp_path):
    """Shard 1/2 through the real command line, shard 0/2 in process: same numbers as one process."""
    from safetensors.torch import load_file

    from backend.hidden_states import run_job

    _, manifest, t = dump
    out = str(tmp_path / "sharded")
    with open(job_file, "rb") as f:
        job = parse_job(f.read(), job_file)
    run_job(job, out, shard=(0, 2), log=lambda s: None)
    r = subprocess.run(
        [sys.executable, "-m", "backend.hidden_states", "--job", job_file, "--out", out, "--shard", "1/2"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["out"].endswith("shard-001-of-002")
    assert sorted(os.listdir(out)) == ["shard-000-of-002", "shard-001-of-002"]
    merged = []
    for name, runs in (("shard-000-of-002", [0]), ("shard-001-of-002", [1, 2])):
        with open(os.path.join(out, name, "manifest.json")) as f:
            m = json.load(f)
        assert m["job"]["hash"] == manifest["job"]["hash"]
        assert [x["index"] for x in m["runs"]] == runs
        st = load_file(os.path.join(out, name, "hidden.safetensors"))
        assert st["run_index"].tolist() == runs
        merged.append(st["hidden"])
    assert torch.allclose(torch.cat(merged), t["hidden"], rtol=0, atol=1e-6)


def test_split_into_several_files(job_file, tmp_path):
    from safetensors.torch import load_file

    from backend.hidden_states import run_job

    with open(job_file, "rb") as f:
        job = parse_job(f.read(), job_file)
    out = str(tmp_path / "split")
    run_job(job, out, max_file_bytes=1, log=lambda s: None)
    with open(os.path.join(out, "manifest.json")) as f:
        m = json.load(f)
    names = [x["name"] for x in m["files"]]
    assert names == [f"hidden-{k:05d}-of-00003.safetensors" for k in (1, 2, 3)]
    assert [x["runs"] for x in m["files"]] == [[0, 1], [1, 2], [2, 3]]
    for k, name in enumerate(names):
        st = load_file(os.path.join(out, name))
        assert st["hidden"].shape[0] == 1 and st["run_index"].tolist() == [k]


def test_refuses_to_overwrite(job_file, tmp_path):
    out = tmp_path / "exists"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    from backend.hidden_states import main

    assert main(["--job", job_file, "--out", str(out)]) == 2
    assert (out / "keep.txt").exists()


def test_similarity_from_sentence_model(tiny_model, tmp_path):
    pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed")
    from backend.hidden_states import run_job
    from backend.tiny import build_tiny_sentence_model

    st_dir = build_tiny_sentence_model(str(tmp_path / "st"))
    raw = make_job(tiny_model, similarity_model={"path": st_dir})
    raw["runs"] = [dict(raw["runs"][0], epochs=0, demos=[
        {"text": "I like this movie.", "label": "positive"},
        {"text": "the weather is nice today.", "label": "negative"},
    ])]
    job = parse_job(json.dumps(raw).encode(), "job.json")
    out = str(tmp_path / "sim")
    run_job(job, out, log=lambda s: None)
    with open(os.path.join(out, "manifest.json")) as f:
        run = json.load(f)["runs"][0]
    assert run["similarity_source"] == "model"
    assert run["similarity"][0] == pytest.approx(1.0, abs=1e-5)  # the demo text is the inference text
    assert run["similarity"][1] < run["similarity"][0]


def test_similarity_from_job(tiny_model, tmp_path):
    from backend.hidden_states import run_job

    raw = make_job(tiny_model)
    raw["runs"] = [dict(raw["runs"][0], epochs=0, similarity=0.35, flags={"similarity_level": 3})]
    out = str(tmp_path / "simjob")
    run_job(parse_job(json.dumps(raw).encode(), "job.json"), out, log=lambda s: None)
    with open(os.path.join(out, "manifest.json")) as f:
        run = json.load(f)["runs"][0]
    assert run["similarity"] == [0.35] and run["similarity_source"] == "job"
