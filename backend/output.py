"""Writing a dump: `manifest.json` + `hidden.safetensors` (or `hidden-00001-of-0000N.safetensors`
when the tensors exceed --max-file-bytes), written into a temporary directory and renamed into
place so a reader never sees half a dump."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from typing import Any

import torch

from . import FORMAT_VERSION

DUMP_FORMAT = "icl-workbench.hidden-dump"
CONDITIONS = ["anchor", "icl", "it"]


def file_names(n_files: int) -> list[str]:
    if n_files == 1:
        return ["hidden.safetensors"]
    return [f"hidden-{k + 1:05d}-of-{n_files:05d}.safetensors" for k in range(n_files)]


def split_runs(run_bytes: list[int], max_file_bytes: int) -> list[tuple[int, int]]:
    """Consecutive runs grouped into files of at most max_file_bytes (a file holds >= 1 run)."""
    groups: list[tuple[int, int]] = []
    start, size = 0, 0
    for k, b in enumerate(run_bytes):
        if k > start and size + b > max_file_bytes:
            groups.append((start, k))
            start, size = k, 0
        size += b
    groups.append((start, len(run_bytes)))
    return groups


def run_tensor_bytes(result: dict[str, Any]) -> int:
    n = result["hidden"].numel() * 4 + 3 * 8
    for seq in result["losses"]:
        n += seq["before"].numel() * (4 + 4 + 1 + 8)
    return n + 3 * 8


def file_tensors(results: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
    """The tensors of one file, for the runs in `results` (in run order)."""
    hidden = torch.stack([r["hidden"] for r in results]).contiguous()  # [n, 3, L+1, H]
    last_ids = torch.tensor([[r["last_token_ids"][c] for c in CONDITIONS] for r in results], dtype=torch.int64)
    before, after, kind, tok, offsets, seq_run, seq_demo = [], [], [], [], [0], [], []
    for r in results:
        for j, seq in enumerate(r["losses"]):
            before.append(seq["before"])
            after.append(seq["after"])
            kind.append(torch.tensor(seq["kinds"], dtype=torch.uint8))
            tok.append(torch.tensor(seq["token_ids"], dtype=torch.int64))
            offsets.append(offsets[-1] + seq["before"].numel())
            seq_run.append(r["index"])
            seq_demo.append(j)

    def cat(xs: list[torch.Tensor], dtype: torch.dtype) -> torch.Tensor:
        return torch.cat(xs).to(dtype).contiguous() if xs else torch.zeros(0, dtype=dtype)

    return {
        "hidden": hidden.float(),
        "last_token_id": last_ids,
        "run_index": torch.tensor([r["index"] for r in results], dtype=torch.int64),
        "loss_before": cat(before, torch.float32),
        "loss_after": cat(after, torch.float32),
        "loss_kind": cat(kind, torch.uint8),
        "loss_token_id": cat(tok, torch.int64),
        "loss_offsets": torch.tensor(offsets, dtype=torch.int64),
        "loss_seq_run": torch.tensor(seq_run, dtype=torch.int64),
        "loss_seq_demo": torch.tensor(seq_demo, dtype=torch.int64),
    }


def canonical_header(path: str) -> None:
    """Rewrites a safetensors header in place with its `__metadata__` keys sorted: safetensors
    serialises the metadata from a hash map whose order changes from process to process, so the
    same tensors would otherwise give different bytes (and sha256) on every run."""
    with open(path, "r+b") as f:
        n = int.from_bytes(f.read(8), "little")
        raw = f.read(n)
        header = json.loads(raw)
        meta = header.pop("__metadata__", None)
        out = {} if meta is None else {"__metadata__": dict(sorted(meta.items()))}
        out.update(header)
        text = json.dumps(out, separators=(",", ":"), ensure_ascii=False).encode()
        if len(text) > n:
            raise RuntimeError(f"{path}: canonical header longer than the original")
        f.seek(8)
        f.write(text + b" " * (n - len(text)))


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def write_dump(
    out_dir: str,
    manifest: dict[str, Any],
    results: list[dict[str, Any]],
    max_file_bytes: int,
    overwrite: bool,
) -> list[str]:
    """Writes the manifest and tensor files for `results` into out_dir; returns the file names."""
    from safetensors.torch import save_file

    if os.path.exists(out_dir):
        if not overwrite and os.listdir(out_dir):
            raise FileExistsError(f"{out_dir} exists and is not empty (pass --overwrite to replace it)")
    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".hidden-tmp-", dir=parent)
    try:
        groups = split_runs([run_tensor_bytes(r) for r in results], max_file_bytes)
        names = file_names(len(groups))
        files = []
        for name, (a, b) in zip(names, groups, strict=True):
            tensors = file_tensors(results[a:b])
            meta = {
                "format": DUMP_FORMAT,
                "format_version": str(FORMAT_VERSION),
                "job_hash": manifest["job"]["hash"],
                "runs": f"{results[a]['index']}-{results[b - 1]['index'] + 1}",
            }
            p = os.path.join(tmp, name)
            save_file(tensors, p, metadata=meta)
            canonical_header(p)
            os.chmod(p, 0o644)
            files.append(
                {
                    "name": name,
                    "runs": [results[a]["index"], results[b - 1]["index"] + 1],
                    "bytes": os.path.getsize(p),
                    "sha256": sha256_file(p),
                    "tensors": {k: {"dtype": _st_dtype(v.dtype), "shape": list(v.shape)} for k, v in tensors.items()},
                }
            )
        manifest = dict(manifest)
        manifest["files"] = files
        with open(os.path.join(tmp, "manifest.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=1, ensure_ascii=False, allow_nan=False)
            f.write("\n")
        os.chmod(tmp, 0o755)  # mkdtemp makes it private
        if os.path.exists(out_dir):
            shutil.rmtree(out_dir)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return names


def _st_dtype(dt: torch.dtype) -> str:
    return {torch.float32: "F32", torch.int64: "I64", torch.uint8: "U8"}[dt]
