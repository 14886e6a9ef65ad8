#!/usr/bin/python3
"""Execute the workbench's notebooks headless with the tslab-based icl-workbench kernel (nbclient).

Usage (from anywhere; paths resolve from this file):
  /usr/bin/python3 bin/run_notebooks.py [--out DIR] [--only 01,02] [--check] [--dumps DIR]
                                        [--notebooks DIR]

- Default: executes every notebooks/*.ipynb on the bundled data; writes the executed notebooks
  and an HTML rendering under <out>/notebooks/, figures under <out>/figures/, tables under
  <out>/tables/ (out defaults to results/).
- --check (the test suite): writes into a temporary directory, then verifies the figures each
  notebook declares in its metadata (icl_workbench.figures) exist and are valid SVG/PDF/PNG.
- --dumps DIR: passed to the notebooks as ICL_DUMP_DIR.
- --notebooks DIR: run the *.ipynb of DIR instead of notebooks/ (the benchmark's one-cell floor).
A failing cell stops that notebook; its source and the kernel's real error are printed, the
other notebooks still run, and the exit status is 1.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def check_figure(path: Path) -> str | None:
    if not path.exists():
        return "missing"
    data = path.read_bytes()
    if path.suffix == ".pdf" and not data.startswith(b"%PDF-"):
        return "not a PDF"
    if path.suffix == ".png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "not a PNG"
    if path.suffix == ".svg" and b"<svg" not in data[:2000]:
        return "no <svg> root"
    if len(data) < 200:
        return f"suspiciously small ({len(data)} bytes)"
    return None


def failing_cell_report(nb, err) -> str:
    """The failing cell's source and the kernel's own words: tslab reports compile errors on
    stderr and runtime errors as an error output, so both are shown."""
    executed = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count")]
    errored = [c for c in nb.cells if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    cell = errored[0] if errored else (executed[-1] if executed else None)
    if cell is None:
        return ANSI.sub("", str(err))
    parts = [f"--- failing cell (execution {cell.get('execution_count')}) ---", cell.source, "--- kernel output ---"]
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(ANSI.sub("", out.get("text", "")).rstrip())
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {ANSI.sub('', out.get('evalue', ''))}")
            parts.append(ANSI.sub("", "\n".join(out.get("traceback", []))))
    return "\n".join(parts)


def run_one(path: Path, out: Path, timeout: int) -> tuple[bool, float, list[str]]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="icl-workbench",
        timeout=timeout,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.monotonic()
    ok = True
    problems: list[str] = []
    try:
        client.execute()
    except (CellExecutionError, DeadKernelError) as err:
        ok = False
        problems.append(failing_cell_report(nb, err))
    elapsed = time.monotonic() - start
    dest = out / "notebooks"
    dest.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest / path.name)
    try:
        from nbconvert import HTMLExporter

        html, _ = HTMLExporter().from_notebook_node(nb)
        (dest / (path.stem + ".html")).write_text(html, encoding="utf-8")
    except Exception as err:  # an HTML failure must not hide the notebook's own result
        problems.append(f"HTML rendering failed: {err}")
    if ok:
        for name in nb.metadata.get("icl_workbench", {}).get("figures", []):
            for ext in ("svg", "pdf", "png"):
                why = check_figure(out / "figures" / f"{name}.{ext}")
                if why:
                    ok = False
                    problems.append(f"figure {name}.{ext}: {why}")
    return ok, elapsed, problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--only", default="", help="comma-separated notebook prefixes, e.g. 01,02")
    ap.add_argument("--check", action="store_true", help="test mode: temporary output, verify declared figures")
    ap.add_argument("--dumps", type=Path, default=None, help="dump directory for the notebooks (ICL_DUMP_DIR)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    ap.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="directory of the notebooks to run (default: notebooks/)")
    args = ap.parse_args()

    out = args.out or (Path(tempfile.mkdtemp(prefix="icl-notebooks-")) if args.check else ROOT / "results")
    out = out.resolve()
    os.environ["ICL_RESULTS_DIR"] = str(out)
    # the kernel spec may point at another checkout's bin/tslab-kernel: run this one's lib
    os.environ["ICL_WORKBENCH_ROOT"] = str(ROOT)
    if args.dumps:
        os.environ["ICL_DUMP_DIR"] = str(args.dumps.resolve())
    only = [s for s in args.only.split(",") if s]
    books = sorted(p for p in args.notebooks.resolve().glob("*.ipynb") if not only or any(p.name.startswith(o) for o in only))
    if not books:
        print("run_notebooks: no notebooks matched", file=sys.stderr)
        return 1
    # the compiled library the notebooks import (build/lib), rebuilt here once if lib/ changed,
    # so that its build is not counted in the first notebook's time (the kernel would do it)
    built = subprocess.run(["node", str(ROOT / "bin" / "build-lib.cjs"), "--root", str(ROOT)])
    if built.returncode != 0:
        print(f"run_notebooks: bin/build-lib.cjs failed (exit {built.returncode})", file=sys.stderr)
        return 1
    print(f"executing {len(books)} notebook(s) with the icl-workbench (tslab) kernel; outputs under {out}", flush=True)
    failed = 0
    for i, path in enumerate(books, 1):
        print(f"[{i}/{len(books)}] {path.name} ...", end=" ", flush=True)
        ok, elapsed, problems = run_one(path, out, args.timeout)
        print(f"{'ok' if ok else 'FAILED'} ({elapsed:.1f} s)", flush=True)
        for p in problems:
            print(p, file=sys.stderr if not ok else sys.stdout, flush=True)
        failed += 0 if ok else 1
    print(f"notebooks: {len(books) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
