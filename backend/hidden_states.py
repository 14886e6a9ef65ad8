"""The batch job: last-token hidden states of anchor / ICL / IT at every layer (Duan et al.).

    python3 -m backend.hidden_states --job job.json --out DIR [--shard i/n] [--max-file-bytes N]

With --shard i/n the job's runs are cut into n contiguous blocks and this process runs block i,
writing DIR/shard-<iii>-of-<nnn>/ (so a Slurm array `--array=0-(n-1)` passes
`--shard $SLURM_ARRAY_TASK_ID/n`); the TypeScript loader merges the shards. Without --shard the
dump is written to DIR itself. Per run: seeds, the three prompts, hidden states, LoRA tuning on
the demonstrations, the per-token loss of each training text before and after tuning, and label
scores. See backend/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from typing import Any

from . import FORMAT_VERSION
from .job import Job, JobError, Run, parse_job, parse_shard, shard_dir_name, shard_range
from .weights import WeightsError
from .prompts import EXAMPLE_LABEL, TOKEN_KINDS, Tokenized, build_prompts, label_token_ids, tokenize


def library_versions(portable: bool = False) -> dict[str, str | None]:
    import importlib.metadata as md

    import torch

    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in ["torch", "transformers", "peft", "safetensors", "tokenizers", "sentence-transformers", "numpy", "gguf"]:
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = None
    out["cuda"] = torch.version.cuda
    out["platform"] = f"{platform.system()}-{platform.machine()}" if portable else platform.platform()
    return out


LAYER_CONVENTION = {
    "states": "transformers output_hidden_states: L+1 states for L decoder layers",
    "index_0": "embedding output (input of decoder layer 1)",
    "index_i": "output of decoder layer i, for 1 <= i < L",
    "index_L": "output of decoder layer L after the final norm (model.norm); equals last_hidden_state",
    "token": "the last input token (position -1); no padding, one sequence per forward pass",
}


class Extractor:
    """Holds the model (wrapped once with LoRA) and runs one job run at a time."""

    def __init__(self, job: Job, device_override: str | None = None, dtype_override: str | None = None, portable: bool = False):
        import torch

        from .model_ops import load_model, lora_wrap, model_info, resolve_device, resolve_dtype

        self.job = job
        t0 = time.perf_counter()
        self.device = resolve_device(device_override or job.model.device)
        self.dtype = resolve_dtype(dtype_override or job.model.dtype, self.device)
        model, self.tokenizer, provenance = load_model(job.model, self.device, self.dtype)
        self.info = model_info(model, self.tokenizer, job.model, self.device, self.dtype, provenance, portable)
        n_states = int(model.config.num_hidden_layers) + 1
        self.state_indices = _state_indices(job.states, n_states)
        self.model = lora_wrap(model, job.training)
        self.load_s = time.perf_counter() - t0
        self.similarity = None
        self.similarity_info: dict[str, Any] | None = None
        if job.similarity_model is not None:
            from .similarity import SentenceSimilarity
            from .weights import WeightsSource, resolve_weights

            sm = job.similarity_model
            sim_path, sim_prov = resolve_weights(
                WeightsSource(path=sm.path, package=sm.package, file=sm.file, sha256=sm.sha256, path_in_job=sm.path_in_job),
                "similarity_model",
            )
            self.similarity = SentenceSimilarity(sim_path, str(self.device))
            self.similarity_info = {
                "source": f"{sm.package}:{sm.file}" if sm.package is not None else sm.path_in_job,
                "resolved_path": None if portable else sim_path,
                "provenance": sim_prov,
            }
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    def _states(self, tokens: Tokenized, adapter: bool):
        from .model_ops import last_token_states

        if adapter:
            return last_token_states(self.model, tokens.ids, self.device)
        with self.model.disable_adapter():
            return last_token_states(self.model, tokens.ids, self.device)

    def _label_scores(self, prompt: Tokenized, labels: tuple[str, ...], adapter: bool) -> list[float]:
        from .model_ops import continuation_logprob

        conts = [label_token_ids(self.tokenizer, prompt, self.job.template.label_sep, lab) for lab in labels]
        if adapter:
            return [continuation_logprob(self.model, prompt.ids, c, self.device) for c in conts]
        with self.model.disable_adapter():
            return [continuation_logprob(self.model, prompt.ids, c, self.device) for c in conts]

    def run(self, run: Run) -> dict[str, Any]:
        import torch

        from .model_ops import reset_lora, token_losses, train_lora

        job = self.job
        t_start = time.perf_counter()
        timings: dict[str, float] = {}
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
        random.seed(run.seed)
        torch.manual_seed(run.seed)

        prompts = build_prompts(job, run)
        anchor = tokenize(self.tokenizer, prompts.anchor)
        icl = tokenize(self.tokenizer, prompts.icl)
        train = [tokenize(self.tokenizer, segs) for segs in prompts.train]
        if anchor.ids[-1] != icl.ids[-1]:
            raise RuntimeError(
                f"run {run.id}: the last token differs between anchor ({anchor.ids[-1]}) and ICL "
                f"({icl.ids[-1]}); the template must end both prompts with the same query"
            )

        t = time.perf_counter()
        h_anchor = self._states(anchor, adapter=False)
        timings["anchor_s"] = time.perf_counter() - t
        t = time.perf_counter()
        h_icl = self._states(icl, adapter=False)
        timings["icl_s"] = time.perf_counter() - t

        reset_lora(self.model, run.seed)
        examples = []
        for tk in train:
            if job.training.loss_on == "label":
                labels = [i if k == EXAMPLE_LABEL else -100 for i, k in zip(tk.ids, tk.kinds, strict=True)]
            else:
                labels = list(tk.ids)
            labels[0] = -100  # the first token (BOS) is never predicted
            examples.append((tk.ids, labels))
        t = time.perf_counter()
        loss_before = [token_losses(self.model, tk.ids, self.device) for tk in train]
        timings["loss_before_s"] = time.perf_counter() - t
        t = time.perf_counter()
        tr = train_lora(self.model, examples, run.epochs, job.training, run.seed, self.device)
        timings["train_s"] = time.perf_counter() - t
        t = time.perf_counter()
        loss_after = [token_losses(self.model, tk.ids, self.device) for tk in train]
        timings["loss_after_s"] = time.perf_counter() - t
        t = time.perf_counter()
        h_it = self._states(anchor, adapter=True)
        timings["it_s"] = time.perf_counter() - t

        labels_info = None
        task = job.tasks[run.inference.task]
        if task.labels is not None:
            t = time.perf_counter()
            scores = {
                "anchor": self._label_scores(anchor, task.labels, adapter=False),
                "icl": self._label_scores(icl, task.labels, adapter=False),
                "it": self._label_scores(anchor, task.labels, adapter=True),
            }
            timings["labels_s"] = time.perf_counter() - t
            predicted = {c: task.labels[max(range(len(s)), key=lambda k: s[k])] for c, s in scores.items()}
            gold = run.inference.label
            labels_info = {
                "options": list(task.labels),
                "gold": gold,
                "logprob": scores,
                "predicted": predicted,
                "correct": {c: (p == gold) if gold is not None else None for c, p in predicted.items()},
            }

        similarity, sim_source = None, None
        if self.similarity is not None:
            similarity = self.similarity.to_one([d.text for d in run.demos], run.inference.text)
            sim_source = "model"
        elif run.similarity is not None:
            similarity, sim_source = list(run.similarity), "job"

        timings["total_s"] = time.perf_counter() - t_start
        peak = int(torch.cuda.max_memory_allocated(self.device)) if self.device.type == "cuda" else None
        hidden = torch.stack([h_anchor, h_icl, h_it])[:, list(self.state_indices), :].contiguous()  # [3, S, H]
        if not torch.isfinite(hidden).all():
            raise RuntimeError(f"run {run.id}: non-finite hidden states (dtype {self.dtype})")

        meta = {
            "index": run.index,
            "id": run.id,
            "seed": run.seed,
            "group": run.group,
            "flags": run.flags,
            "task": run.inference.task,
            "demo_tasks": [d.task for d in run.demos],
            "n_demos": len(run.demos),
            "epochs": run.epochs,
            "optimizer_steps": tr.steps,
            "instruction": run.instruction,
            "demos": [{"text": d.text, "label": d.label, "gold_label": d.gold_label, "task": d.task} for d in run.demos],
            "inference": {"text": run.inference.text, "label": run.inference.label},
            "prompts": {"anchor": anchor.text, "icl": icl.text, "it": anchor.text, "train": [tk.text for tk in train]},
            "prompt_tokens": {"anchor": len(anchor.ids), "icl": len(icl.ids), "it": len(anchor.ids)},
            "last_token_ids": {"anchor": anchor.ids[-1], "icl": icl.ids[-1], "it": anchor.ids[-1]},
            "last_token_text": self.tokenizer.convert_ids_to_tokens(anchor.ids[-1]),
            "train_epoch_loss": tr.epoch_loss,
            "mean_token_loss": {
                "before": float(torch.cat(loss_before).mean()),
                "after": float(torch.cat(loss_after).mean()),
            },
            "labels": labels_info,
            "similarity": similarity,
            "similarity_source": sim_source,
            "timings": timings,
            "peak_gpu_memory_bytes": peak,
        }
        losses = [
            {"before": b, "after": a, "kinds": tk.kinds[1:], "token_ids": tk.ids[1:]}
            for b, a, tk in zip(loss_before, loss_after, train, strict=True)
        ]
        return {
            "index": run.index,
            "hidden": hidden,
            "last_token_ids": meta["last_token_ids"],
            "losses": losses,
            "meta": meta,
        }


def _state_indices(states: tuple[int, ...] | None, n_states: int) -> tuple[int, ...]:
    """The stored states (job field output.states) as sorted indices into 0..L (-1 = L)."""
    if states is None:
        return tuple(range(n_states))
    out = set()
    for s in states:
        k = s + n_states if s < 0 else s
        if not 0 <= k < n_states:
            raise JobError(f"field output.states: {s} is not a state index of this model (0..{n_states - 1}, or -1 for the last)")
        out.add(k)
    return tuple(sorted(out))


def build_manifest(
    job: Job, ex: Extractor, shard: tuple[int, int], run_range: tuple[int, int], metas: list[dict[str, Any]], total_s: float,
    portable: bool = False,
) -> dict[str, Any]:
    cfg = ex.info["config"]
    n_layers = int(cfg["num_hidden_layers"])
    ru = resource.getrusage(resource.RUSAGE_SELF)
    if portable:
        metas = [{**m, "timings": {}} for m in metas]
    return {
        "format": "icl-workbench.hidden-dump",
        "version": FORMAT_VERSION,
        "created_by": "python3 -m backend.hidden_states",
        "job": {"hash": job.hash, "name": job.name, "experiment": job.experiment, "n_runs": len(job.runs)},
        "shard": {"index": shard[0], "count": shard[1], "runs": list(run_range)},
        "model": ex.info,
        "conditions": ["anchor", "icl", "it"],
        "n_states": len(ex.state_indices),
        # the layer index (0 = embeddings, L = after the final norm) of each stored state
        "state_layers": list(ex.state_indices),
        "n_layers": n_layers,
        "hidden_size": int(cfg["hidden_size"]),
        "layer_convention": LAYER_CONVENTION,
        "token_kinds": TOKEN_KINDS,
        "training": {
            "lora_r": job.training.lora_r,
            "lora_alpha": job.training.lora_alpha,
            "lora_dropout": job.training.lora_dropout,
            "target_modules": list(job.training.target_modules),
            "optimizer": "AdamW",
            "learning_rate": job.training.learning_rate,
            "weight_decay": job.training.weight_decay,
            "batch_size": 1,
            "lr_schedule": "constant",
            "default_epochs": job.training.epochs,
            "loss_on": job.training.loss_on,
        },
        "template": {
            "segment_sep": job.template.segment_sep,
            "label_sep": job.template.label_sep,
            "instruction_per_demo": job.template.instruction_per_demo,
            "tasks": {k: {"input": v.input, "output": v.output, "labels": list(v.labels) if v.labels else None} for k, v in job.tasks.items()},
        },
        "similarity_model": ex.similarity_info,
        "versions": library_versions(portable),
        # --portable (the bundled examples): no timings, RSS or machine paths, so that a rerun
        # writes the same bytes; they are measured and documented in backend/README.md instead
        "timings": {
            "load_model_s": None if portable else ex.load_s,
            "total_s": None if portable else total_s,
            "mean_run_s": None if portable or not metas else sum(m["timings"]["total_s"] for m in metas) / len(metas),
        },
        "peak_rss_bytes": None if portable else ru.ru_maxrss * 1024,
        "torch_threads": __import__("torch").get_num_threads(),
        "runs": metas,
    }


def run_job(job: Job, out_dir: str, shard: tuple[int, int] | None = None, max_file_bytes: int = 1 << 30,
            overwrite: bool = False, device: str | None = None, dtype: str | None = None,
            log=lambda s: print(s, file=sys.stderr), portable: bool = False) -> str:
    """Runs the job (or one shard of it) and writes the dump; returns the directory written."""
    from .output import write_dump

    i, n = shard if shard is not None else (0, 1)
    a, b = shard_range(len(job.runs), i, n)
    target = os.path.join(out_dir, shard_dir_name(i, n)) if shard is not None else out_dir
    if a == b:
        raise JobError(f"shard {i}/{n} holds no runs (the job has {len(job.runs)}); use at most {len(job.runs)} shards")
    if os.path.isdir(target) and os.listdir(target) and not overwrite:
        raise FileExistsError(f"{target} exists and is not empty (pass --overwrite to replace it)")
    t0 = time.perf_counter()
    ex = Extractor(job, device, dtype, portable)
    log(f"[hidden] model {ex.info['source']} on {ex.info['device']} ({ex.info['dtype']}), runs {a}..{b - 1} of {len(job.runs)}")
    results = []
    for run in job.runs[a:b]:
        res = ex.run(run)
        m = res["meta"]
        loss = m["mean_token_loss"]
        log(f"[hidden] run {run.index} {run.id}: {m['timings']['total_s']:.2f}s, loss {loss['before']:.4f} -> {loss['after']:.4f}")
        results.append(res)
    manifest = build_manifest(job, ex, (i, n), (a, b), [r["meta"] for r in results], time.perf_counter() - t0, portable)
    write_dump(target, manifest, results, max_file_bytes, overwrite)
    return target


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m backend.hidden_states", description=__doc__.split("\n")[0])
    p.add_argument("--job", required=True, help="job.json (written by lib/experiment/hiddenJob.ts)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--shard", help="i/n: run the i-th (0-based) of n contiguous blocks of runs")
    p.add_argument("--max-file-bytes", type=int, default=1 << 30, help="split tensors into files of at most this size (default 1 GiB)")
    p.add_argument("--device", help="override model.device (cpu, cuda, cuda:N)")
    p.add_argument("--dtype", help="override model.dtype (float32, bfloat16, float16)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing non-empty output directory")
    p.add_argument("--portable", action="store_true",
                   help="leave timings, peak RSS and this machine's paths out of the manifest (byte-identical reruns)")
    p.add_argument("--threads", type=int, help="torch.set_num_threads (CPU); recorded in the manifest")
    args = p.parse_args(argv)
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    try:
        with open(args.job, "rb") as f:
            data = f.read()
        job = parse_job(data, args.job)
        shard = parse_shard(args.shard) if args.shard else None
        target = run_job(job, args.out, shard, args.max_file_bytes, args.overwrite, args.device, args.dtype, portable=args.portable)
    except (JobError, WeightsError, FileNotFoundError, FileExistsError) as e:
        print(f"backend.hidden_states: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"out": target, "job_hash": job.hash}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
