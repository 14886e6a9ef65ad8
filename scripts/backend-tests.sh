#!/usr/bin/env bash
# Runs the Python backend's tests (backend/tests, pytest) with <repo>/.venv.
# - venv or packages missing: prints "[backend-tests] SKIPPED: <reason>" and exits 0, or exits 1
#   when BACKEND_TESTS_REQUIRED=1 (set it on a machine where the backend must be tested). The
#   packages come from pip (PyPI or a local mirror), which not every machine reaches, CI
#   included, so a missing .venv is a visible skip by default, never a silent pass;
# - otherwise pytest's exit status: non-zero when a test fails. GPU-only tests skip with their
#   reason printed (-rs) where no CUDA device is visible.
# Extra arguments go to pytest (e.g. -k shards).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
REQUIRED="${BACKEND_TESTS_REQUIRED:-}"
[ -n "$REQUIRED" ] || REQUIRED=0

skipped() {
  echo "[backend-tests] SKIPPED: $*"
  if [ "$REQUIRED" = "1" ]; then
    echo "[backend-tests] required here (CI=${CI:-} BACKEND_TESTS_REQUIRED=${BACKEND_TESTS_REQUIRED:-}): failing instead of skipping" >&2
    exit 1
  fi
  exit 0
}

[ -x "$PY" ] || skipped "no virtual environment at .venv (run scripts/setup-backend.sh; it needs python3-venv and a package index)"
missing="$("$PY" -c '
import importlib.util
mods = ["torch", "transformers", "peft", "safetensors", "tokenizers", "pytest"]
print(" ".join(m for m in mods if importlib.util.find_spec(m) is None))
' 2>&1)" || skipped "the .venv interpreter does not run: $missing"
[ -z "$missing" ] || skipped "Python packages missing from .venv: $missing (run scripts/setup-backend.sh)"

cd "$ROOT"
echo "[backend-tests] pytest backend/tests (.venv: $("$PY" -c 'import torch; print("torch", torch.__version__, "cuda" if torch.cuda.is_available() else "cpu")'))"
exec "$PY" -m pytest backend/tests -q -rs -p no:cacheprovider "$@"
