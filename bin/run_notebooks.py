#!/usr/bin/python3
"""Execute the workbench's notebooks headless with this checkout's icl-workbench (tslab) kernel.

The one run path: `bash bin/main ...` and `icl-workbench reproduce ...` both end here.

Usage (from anywhere; paths resolve from this file):
  /usr/bin/python3 bin/run_notebooks.py [--dumps DIR [--manifest FILE]] [--out DIR] [--only 01,02]
                                        [--dry-run] [--check]

- Without --dumps: every notebook on the bundled example data (data/examples/, not results);
  outputs under results/.
- --dumps DIR: only the sections the dump can feed run (the plan comes from
  `icl-workbench reproduce --plan-json`: lib/pipeline/runPlan.ts); each skipped one is named with
  its reasons. Nothing falls back to bundled example data. Outputs default to
  results/dumps/<dump name>-<hash of its absolute path>/, so two dumps never share a folder.
- --out DIR: the output folder. Before a run the runner clears what it owns there (notebooks/,
  figures/ and tables/ files named "NN-...", index.html, index.md), so no stale output of a
  skipped section survives. It writes the executed notebooks and their HTML renderings
  (notebooks/), figures (figures/NN-*.svg/.pdf/.png), tables (tables/NN-*.csv) and, at the root,
  index.html and index.md: the dump, its content hash, the dedupe policy, versions, sections run
  and skipped with reasons, failed judgments and coverage, each section's figures and tables, and
  the reproduction headline.
- --check (the test suite): a temporary output folder; every figure a notebook declares in its
  metadata (icl_workbench.figures) must exist as valid SVG/PDF/PNG.
- --dry-run: print the plan, run nothing.
After a run, scripts/check-rendered.ts opens every HTML rendering and the index in headless
Chromium: each figure must have a rendered size and painted pixels, and no request may fail.
Progress is shown per cell ("cell k of n"). One headless Chromium (CDP on 127.0.0.1) serves the
figure export of every notebook (ICL_CHROMIUM_ENDPOINT). A failing cell stops that notebook; its
source and the kernel's real error are printed, the other notebooks still run, and the exit
status is 1.
"""
import argparse
import base64
import csv
import hashlib
import html
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
JUPYTER_SHARE = ROOT / "share" / "jupyter"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
OWNED_NAME = re.compile(r"^\d\d-")
OWNED_DIRS = ("notebooks", "figures", "tables")
EXAMPLE_MARK = re.compile(r"example data|not a finding", re.IGNORECASE)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# ------------------------------------------------------------------------------------ checks
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


def output_text(nb) -> str:
    """Everything the notebook printed (stdout streams and text/plain results)."""
    parts = []
    for c in nb.cells:
        for o in c.get("outputs", []) if c.cell_type == "code" else []:
            if o.get("output_type") == "stream":
                parts.append(o.get("text", ""))
            elif "data" in o and isinstance(o["data"].get("text/plain"), str):
                parts.append(o["data"]["text/plain"])
    return ANSI.sub("", "\n".join(parts))


def not_written_reason(text: str, name: str) -> str | None:
    """The line where the notebook says why a declared figure was not written."""
    for line in text.splitlines():
        if name in line and ("not written" in line or "not drawn" in line):
            return line.strip()
    return None


# ------------------------------------------------------------------------------------ plan
def load_plan(args) -> dict:
    cmd = [str(ROOT / "bin" / "icl-workbench"), "reproduce", "--plan-json"]
    if args.dumps:
        cmd += ["--dumps", str(args.dumps)]
    if args.manifest:
        cmd += ["--manifest", str(args.manifest)]
    if args.only:
        cmd += ["--only", args.only]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        sys.stderr.write(r.stderr or r.stdout)
        sys.exit(r.returncode or 1)
    return json.loads(r.stdout)


def default_out(dumps: Path | None) -> Path:
    """results/ for the bundled examples; results/dumps/<name>-<10 hex of sha256(abs path)>/
    for a dump, so two dumps (even two with the same folder name) never share a folder."""
    if dumps is None:
        return ROOT / "results"
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", dumps.name) or "dump"
    return ROOT / "results" / "dumps" / f"{name}-{hashlib.sha256(str(dumps).encode()).hexdigest()[:10]}"


def clear_owned(out: Path) -> int:
    """Removes what a previous run left in the output folder (only the runner's own files)."""
    n = 0
    for sub in OWNED_DIRS:
        d = out / sub
        if not d.is_dir():
            continue
        for f in d.iterdir():
            if f.is_file() and OWNED_NAME.match(f.name):
                f.unlink()
                n += 1
    for f in ("index.html", "index.md"):
        if (out / f).is_file():
            (out / f).unlink()
            n += 1
    return n


def inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


# ------------------------------------------------------------------------------------ Chromium
class SharedChromium:
    """One headless Chromium for every notebook of a run, reachable over CDP on 127.0.0.1;
    lib/export/chromium.ts connects to ICL_CHROMIUM_ENDPOINT instead of launching its own."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.profile: str | None = None
        self.endpoint: str | None = None

    def start(self, timeout: float = 30) -> str | None:
        exe = os.environ.get("ICL_CHROMIUM") or "/usr/bin/chromium"
        if not os.access(exe, os.X_OK):
            return None
        self.profile = tempfile.mkdtemp(prefix="icl-chromium-")
        self.proc = subprocess.Popen(
            [exe, *CHROMIUM_ARGS, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        found = threading.Event()

        def drain() -> None:  # keeps reading stderr so Chromium never blocks on a full pipe
            assert self.proc is not None and self.proc.stderr is not None
            for line in self.proc.stderr:
                m = re.search(r"DevTools listening on (ws://127\.0\.0\.1:\d+/\S+)", line)
                if m and not found.is_set():
                    self.endpoint = m.group(1)
                    found.set()

        threading.Thread(target=drain, daemon=True).start()
        found.wait(timeout)
        if self.endpoint is None:
            self.stop()
        return self.endpoint

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)


# ------------------------------------------------------------------------------------ execution
class Progress:
    """`cell k of n` while a notebook runs: one updating line on a terminal, a line per cell
    in a log."""

    def __init__(self, label: str, n: int) -> None:
        self.label, self.n, self.k = label, n, 0
        self.tty = sys.stdout.isatty()
        self.start = time.monotonic()

    def cell_done(self, **_kw) -> None:
        self.k += 1
        msg = f"{self.label}: cell {self.k} of {self.n} ({time.monotonic() - self.start:.1f} s)"
        if self.tty:
            sys.stdout.write("\r\x1b[K" + msg)
        else:
            sys.stdout.write("  " + msg + "\n")
        sys.stdout.flush()

    def finish(self) -> None:
        if self.tty and self.k > 0:
            sys.stdout.write("\r\x1b[K")
            sys.stdout.flush()


def html_exporter():
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="icl-workbench", extra_template_basedirs=[str(JUPYTER_SHARE / "nbconvert" / "templates")])
    exporter.register_filter("svg_data_uri", lambda svg: "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"))
    return exporter


def run_one(path: Path, out: Path, timeout: int, label: str, require_figures: bool) -> dict:
    nb = nbformat.read(path, as_version=4)
    progress = Progress(label, sum(1 for c in nb.cells if c.cell_type == "code"))
    client = NotebookClient(
        nb,
        kernel_name="icl-workbench",
        timeout=timeout,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_executed=progress.cell_done,
    )
    start = time.monotonic()
    ok = True
    problems: list[str] = []
    try:
        client.execute()
    except (CellExecutionError, DeadKernelError) as err:
        ok = False
        problems.append(failing_cell_report(nb, err))
    progress.finish()
    elapsed = time.monotonic() - start
    dest = out / "notebooks"
    dest.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest / path.name)
    try:
        body, _ = html_exporter().from_notebook_node(nb)
        (dest / (path.stem + ".html")).write_text(body, encoding="utf-8")
    except Exception as err:  # an HTML failure must not hide the notebook's own result
        problems.append(f"HTML rendering failed: {err}")
    text = output_text(nb)
    not_written: dict[str, str] = {}
    if ok:
        for name in nb.metadata.get("icl_workbench", {}).get("figures", []):
            files = [out / "figures" / f"{name}.{ext}" for ext in ("svg", "pdf", "png")]
            reason = not_written_reason(text, name)
            if not require_figures and reason and not any(f.exists() for f in files):
                not_written[name] = reason
                continue
            for f in files:
                why = check_figure(f)
                if why:
                    ok = False
                    problems.append(f"figure {f.name}: {why}")
    return {"ok": ok, "seconds": elapsed, "problems": problems, "not_written": not_written}


def example_marked(out: Path) -> list[str]:
    """Files under the output folder that carry the example-data mark."""
    hits = []
    for sub in ("figures", "tables"):
        d = out / sub
        for f in sorted(d.iterdir()) if d.is_dir() else []:
            if f.suffix in (".svg", ".csv", ".tex", ".md") and EXAMPLE_MARK.search(f.read_text(encoding="utf-8", errors="replace")):
                hits.append(str(f.relative_to(out)))
    return hits


# ------------------------------------------------------------------------------------ index
def reproduction_headline(csv_path: Path) -> dict | None:
    """Differences to the published numbers, from 01's reproduction table."""
    if not csv_path.is_file():
        return None
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    compared = []
    for r in rows:
        try:
            pub, rep = float(r.get("published", "")), float(r.get("reproduced", ""))
        except ValueError:
            continue
        label = " · ".join(v for v in (r.get("base_model"), r.get("setting"), r.get("measure")) if v)
        compared.append((rep - pub, label, pub, rep))
    if not compared:
        return {"rows": len(rows), "n": 0, "text": f"no number of the dump has a published counterpart ({len(rows)} rows in the report)"}
    absd = [abs(d) for d, *_ in compared]
    worst = max(compared, key=lambda c: abs(c[0]))
    text = (
        f"{len(compared)} numbers compared with the paper: mean |reproduced − published| = {sum(absd) / len(absd):.2f}, "
        f"max = {max(absd):.2f} ({worst[1]}: reproduced {worst[3]:.2f} vs published {worst[2]:.2f})"
    )
    return {"rows": len(rows), "n": len(compared), "mean_abs": sum(absd) / len(absd), "max_abs": max(absd), "text": text}


def section_files(out: Path, sid: str) -> dict:
    figs: dict[str, list[str]] = {}
    for f in sorted((out / "figures").glob(f"{sid}-*")) if (out / "figures").is_dir() else []:
        figs.setdefault(f.stem, []).append(f.suffix[1:])
    tables: dict[str, list[str]] = {}
    for f in sorted((out / "tables").glob(f"{sid}-*")) if (out / "tables").is_dir() else []:
        tables.setdefault(f.stem, []).append(f.suffix[1:])
    return {"figures": figs, "tables": tables}


def tool_versions(plan: dict) -> dict:
    import nbclient
    import nbconvert

    v = dict(plan["versions"])
    v["python"] = platform.python_version()
    v["nbclient"] = nbclient.__version__
    v["nbconvert"] = nbconvert.__version__
    return v


def write_index(out: Path, plan: dict, results: dict, marked: list[str]) -> None:
    versions = tool_versions(plan)
    headline = reproduction_headline(out / "tables" / "01-reproduction-report.csv")
    if headline is None and results.get("01", {}).get("ok"):
        # 01 ran and wrote no report: the recipe found no number with a published counterpart
        headline = {"rows": 0, "n": 0, "text": "no number of the dump has a published counterpart (01 wrote no reproduction report)"}
    dump = plan["dump"] or "bundled examples (data/examples/): synthetic, NOT results"
    ch = plan["contentHash"]
    esc = html.escape
    md: list[str] = []
    h: list[str] = []

    def status(s: dict) -> tuple[str, str]:
        if not s["run"]:
            return "skipped", "; ".join(s["reasons"])
        r = results.get(s["id"])
        if r is None:
            return "not run", ""
        return ("ran" if r["ok"] else "FAILED"), f"{r['seconds']:.1f} s"

    md += ["# icl-workbench run", ""]
    md += [f"- dump: `{dump}`", f"- manifest: `{plan['manifest'] or 'none'}`"]
    if plan.get("hidden"):
        md += [f"- hidden states (ICL_HIDDEN_DUMP): `{plan['hidden']}`"]
    md += [f"- content hash: sha256 `{ch['sha256']}` ({ch['files']} files, {ch['bytes']} bytes of {', '.join(plan['hashed'])})"]
    md += [f"- dedupe policy: `{plan['dedupe']}` (each notebook's parameters cell; URIAL's show_results.py)"]
    md += ["- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items())]
    if plan["example"]:
        md += ["- **example data**: these outputs are drawn from synthetic example dumps and are not results"]
    if marked and not plan["example"]:
        md += [f"- **WARNING**: files carry the example-data mark: {', '.join(marked)}"]
    md += ["", "## Sections", "", "| section | status | details |", "|---|---|---|"]
    for s in plan["sections"]:
        st, det = status(s)
        md.append(f"| {s['name']} | {st} | {det} |")
    md += ["", "## Judgments: failed and coverage", ""]
    for c in plan["checks"]:
        failed = ", ".join(f"{f['model']} {f['n']}" for f in c["failed"]) or "none"
        md += [f"- `{c['file']}` (judge {c['judge']}): {c['rows']} rows; failed judgments (left out of every mean): {c['failedTotal']} ({failed}); duplicated rows: {c['duplicates']}"]
        md += ["  " + line for line in c["coverageText"].splitlines()]
    for p in plan["problems"]:
        md += [f"- problem: {p}"]
    if not plan["checks"] and not plan["problems"]:
        md += ["- no judgment file in the dump"]
    md += ["", "## Reproduction (differences to the published numbers)", ""]
    md += [headline["text"] if headline else "01's reproduction report was not written (section 01 did not run)"]
    if headline:
        md += ["", "Full table: [tables/01-reproduction-report.csv](tables/01-reproduction-report.csv)"]

    # HTML
    h += ['<!DOCTYPE html><html><head><meta charset="utf-8"><title>icl-workbench run</title><style>',
          "body{font-family:'DejaVu Serif',Georgia,serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}",
          "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}",
          "code{font-size:90%}.skipped{color:#8a5a00}.failed{color:#b00020;font-weight:bold}.ran{color:#0a6b2a}",
          ".example{background:#fff3cd;padding:8px;border:1px solid #e0c36a}.figs{display:flex;flex-wrap:wrap;gap:12px}",
          ".fig{border:1px solid #ddd;padding:6px;width:330px}.fig img{width:100%;height:auto;display:block;background:#fff}",
          "</style></head><body>", "<h1>icl-workbench run</h1>"]
    if plan["example"]:
        h.append('<p class="example"><b>Example data:</b> these outputs are drawn from synthetic example dumps (data/examples/) and are not results.</p>')
    if marked and not plan["example"]:
        h.append(f'<p class="failed">WARNING: files carry the example-data mark: {esc(", ".join(marked))}</p>')
    h.append("<table>")
    h.append(f"<tr><th>dump</th><td><code>{esc(dump)}</code></td></tr>")
    h.append(f"<tr><th>manifest</th><td><code>{esc(plan['manifest'] or 'none')}</code></td></tr>")
    if plan.get("hidden"):
        h.append(f"<tr><th>hidden states</th><td><code>{esc(plan['hidden'])}</code> (ICL_HIDDEN_DUMP)</td></tr>")
    h.append(f"<tr><th>content hash</th><td>sha256 <code id=\"content-hash\">{esc(ch['sha256'])}</code> ({ch['files']} files, {ch['bytes']} bytes of {esc(', '.join(plan['hashed']))})</td></tr>")
    h.append(f"<tr><th>dedupe policy</th><td><code>{esc(plan['dedupe'])}</code> (each notebook's parameters cell; URIAL's show_results.py)</td></tr>")
    h.append("<tr><th>versions</th><td>" + ", ".join(f"{esc(k)} <code>{esc(v)}</code>" for k, v in versions.items()) + "</td></tr>")
    h.append("</table>")
    h.append('<h2>Sections</h2><table id="sections"><tr><th>section</th><th>status</th><th>details</th></tr>')
    for s in plan["sections"]:
        st, det = status(s)
        link = f'<a href="#s{s["id"]}">{esc(s["name"])}</a>' if s["run"] else esc(s["name"])
        h.append(f'<tr data-section="{s["id"]}" data-status="{st}"><td>{link}</td><td class="{st.lower().replace(" ", "-")}">{st}</td><td>{esc(det)}</td></tr>')
    h.append("</table>")
    h.append("<h2>Judgments: failed and coverage</h2><ul>")
    for c in plan["checks"]:
        failed = ", ".join(f"{f['model']} {f['n']}" for f in c["failed"]) or "none"
        h.append(f"<li><code>{esc(c['file'])}</code> (judge {esc(c['judge'])}): {c['rows']} rows; failed judgments (left out of every mean): "
                 f"<b>{c['failedTotal']}</b> ({esc(failed)}); duplicated rows: {c['duplicates']}<pre>{esc(c['coverageText'])}</pre></li>")
    for p in plan["problems"]:
        h.append(f'<li class="failed">problem: {esc(p)}</li>')
    if not plan["checks"] and not plan["problems"]:
        h.append("<li>no judgment file in the dump</li>")
    h.append("</ul><h2>Reproduction (differences to the published numbers)</h2>")
    if headline:
        h.append(f'<p id="reproduction">{esc(headline["text"])} — <a href="tables/01-reproduction-report.csv">full table (CSV)</a></p>')
    else:
        h.append('<p id="reproduction">01\'s reproduction report was not written (section 01 did not run).</p>')

    for s in plan["sections"]:
        if not s["run"]:
            continue
        files = section_files(out, s["id"])
        r = results.get(s["id"], {})
        stem = Path(s["name"]).stem
        md += ["", f"## {s['name']}", "", f"Notebook: [executed](notebooks/{s['name']}) · [HTML](notebooks/{stem}.html)", ""]
        h.append(f'<h2 id="s{s["id"]}">{esc(s["name"])}</h2><p>Notebook: <a href="notebooks/{esc(s["name"])}">executed</a> · <a href="notebooks/{esc(stem)}.html">HTML</a></p>')
        if files["figures"]:
            md += ["Figures:", ""]
            h.append('<div class="figs">')
            for name, exts in files["figures"].items():
                links = " · ".join(f"[{e.upper()}](figures/{name}.{e})" for e in ("svg", "pdf", "png") if e in exts)
                thumb = f"figures/{name}.png" if "png" in exts else f"figures/{name}.svg"
                md.append(f"- {name}: {links}")
                hl = " · ".join(f'<a href="figures/{esc(name)}.{e}">{e.upper()}</a>' for e in ("svg", "pdf", "png") if e in exts)
                h.append(f'<div class="fig"><a href="figures/{esc(name)}.svg"><img class="thumb" src="{esc(thumb)}" alt="{esc(name)}" loading="eager"></a><div>{esc(name)}: {hl}</div></div>')
            h.append("</div>")
        for name, why in r.get("not_written", {}).items():
            md.append(f"- {name}: {why}")
            h.append(f"<p>{esc(why)}</p>")
        if files["tables"]:
            md += ["", "Tables:", ""]
            h.append("<ul class=\"tables\">")
            for name, exts in files["tables"].items():
                order = [e for e in ("csv", "tex", "md") if e in exts] + [e for e in exts if e not in ("csv", "tex", "md")]
                md.append(f"- {name}: " + " · ".join(f"[{e}](tables/{name}.{e})" for e in order))
                h.append(f"<li>{esc(name)}: " + " · ".join(f'<a href="tables/{esc(name)}.{e}">{e}</a>' for e in order) + "</li>")
            h.append("</ul>")
    h.append("</body></html>")
    from_tmp = out / ".index.html.tmp"
    from_tmp.write_text("\n".join(h) + "\n", encoding="utf-8")
    os.replace(from_tmp, out / "index.html")
    md_tmp = out / ".index.md.tmp"
    md_tmp.write_text("\n".join(md) + "\n", encoding="utf-8")
    os.replace(md_tmp, out / "index.md")


# ------------------------------------------------------------------------------------ main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--only", default="", help="comma-separated notebook prefixes, e.g. 01,02")
    ap.add_argument("--check", action="store_true", help="test mode: temporary output, verify declared figures")
    ap.add_argument("--dumps", type=Path, default=None, help="dump directory for the notebooks (ICL_DUMP_DIR)")
    ap.add_argument("--manifest", type=Path, default=None, help="a run manifest kept outside the dump (ICL_MANIFEST)")
    ap.add_argument("--dry-run", action="store_true", help="print the plan, run nothing")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    ap.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="directory of the notebooks to run (default: notebooks/)")
    args = ap.parse_args()

    if args.dumps:
        args.dumps = args.dumps.resolve()
    if args.manifest:
        args.manifest = args.manifest.resolve()
        if not args.dumps:
            ap.error("--manifest needs --dumps")
    books_dir = args.notebooks.resolve()
    other_dir = books_dir != NOTEBOOKS.resolve()
    only_arg = args.only
    if other_dir:
        args.only = ""  # the plan is of notebooks/; another folder is filtered below
    else:
        # "01", "01-urial-vs-instruct" and "01-urial-vs-instruct.ipynb" all name section 01
        args.only = ",".join(o[:2] if re.match(r"^\d\d", o) else o for o in args.only.split(",") if o)
    plan = load_plan(args)
    if other_dir:
        # another folder of notebooks (the benchmark's one-cell floor): run each, same kernel and path
        only = [o for o in only_arg.split(",") if o]
        names = sorted(p.name for p in books_dir.glob("*.ipynb") if not only or any(p.name.startswith(o) for o in only))
        plan["sections"] = [{"id": n.split(".")[0], "name": n, "run": True} for n in names]
        plan["text"] = f"notebooks of {books_dir}: {len(names)}"
    print(plan["text"], flush=True)
    if args.dry_run:
        print(f"output: {(args.out or default_out(args.dumps)).resolve()} (dry run: nothing written)")
        return 0

    out = args.out or (Path(tempfile.mkdtemp(prefix="icl-notebooks-")) if args.check else default_out(args.dumps))
    out = out.resolve()
    if args.dumps and (inside(out, args.dumps) or inside(args.dumps, out)):
        print(f"run_notebooks: the output folder {out} must not be inside the dump {args.dumps} (or hold it): a dump is never modified", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    cleared = clear_owned(out)
    print(f"output: {out}" + (f" (cleared {cleared} file(s) of the previous run)" if cleared else ""), flush=True)

    env = os.environ
    env["ICL_RESULTS_DIR"] = str(out)
    env.pop("ICL_WORKBENCH_ROOT", None)  # the kernel spec below is this checkout's
    env["JUPYTER_PATH"] = os.pathsep.join([str(JUPYTER_SHARE)] + ([env["JUPYTER_PATH"]] if env.get("JUPYTER_PATH") else []))
    if args.dumps:
        env["ICL_DUMP_DIR"] = str(args.dumps)
        if plan["manifest"]:
            env["ICL_MANIFEST"] = plan["manifest"]
        else:
            env.pop("ICL_MANIFEST", None)
    else:
        # the bundled run reads each notebook's own example dump, never a dump left in the environment
        # (ICL_HIDDEN_DUMP, when set, is the user's choice for notebook 08 and is in the plan)
        for k in ("ICL_DUMP_DIR", "ICL_MANIFEST"):
            env.pop(k, None)

    # the compiled library the notebooks import (build/lib), rebuilt here once if lib/ changed,
    # so that its build is not counted in the first notebook's time (the kernel would do it)
    built = subprocess.run(["node", str(ROOT / "bin" / "build-lib.cjs"), "--root", str(ROOT)])
    if built.returncode != 0:
        print(f"run_notebooks: bin/build-lib.cjs failed (exit {built.returncode})", file=sys.stderr)
        return 1
    runnable = [s for s in plan["sections"] if s["run"]]
    results: dict[str, dict] = {}
    failed = 0
    chromium = SharedChromium()
    if runnable:
        endpoint = chromium.start()
        if endpoint:
            env["ICL_CHROMIUM_ENDPOINT"] = endpoint
        else:
            env.pop("ICL_CHROMIUM_ENDPOINT", None)
            print("run_notebooks: could not start a shared Chromium; each notebook launches its own", flush=True)
        print(f"executing {len(runnable)} notebook(s) with the icl-workbench (tslab) kernel", flush=True)
    try:
        for i, s in enumerate(runnable, 1):
            label = f"[{i}/{len(runnable)}] {s['name']}"
            print(f"{label} ...", flush=True)
            r = run_one(books_dir / s["name"], out, args.timeout, label, require_figures=args.dumps is None and not other_dir)
            results[s["id"]] = r
            print(f"{label} {'ok' if r['ok'] else 'FAILED'} ({r['seconds']:.1f} s)", flush=True)
            for name, why in r["not_written"].items():
                print(f"  {why}", flush=True)
            for p in r["problems"]:
                print(p, file=sys.stderr if not r["ok"] else sys.stdout, flush=True)
            failed += 0 if r["ok"] else 1
    finally:
        chromium.stop()
        env.pop("ICL_CHROMIUM_ENDPOINT", None)  # the page check below launches its own
    marked = example_marked(out) if args.dumps and not plan["example"] else []
    if marked:
        print(f"run_notebooks: files of a user's dump carry the example-data mark: {', '.join(marked)}", file=sys.stderr)
        failed += 1
    write_index(out, plan, results, marked)
    print(f"index: {out / 'index.html'}")
    if results:
        # the HTML renderings and the index as a reader sees them: figures shown, no failed request
        r = subprocess.run([shutil.which("node") or "node", "--import", "tsx", str(ROOT / "scripts" / "check-rendered.ts"), str(out)], cwd=ROOT)
        if r.returncode != 0:
            print("run_notebooks: the rendered pages do not show their figures (see above)", file=sys.stderr)
            failed += 1
    print(f"notebooks: {len(runnable) - sum(1 for r in results.values() if not r['ok'])} passed, {sum(1 for r in results.values() if not r['ok'])} failed")
    skipped = [s for s in plan["sections"] if not s["run"]]
    if skipped:
        print(f"not produced: {len(skipped)} section(s), listed above")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
