"""Sentence embeddings of a text list, for choosing demonstrations by similarity level (Fig. 4).

    python3 -m backend.embed --model DIR --texts texts.jsonl --out embeddings.safetensors

`texts.jsonl` holds one JSON object per line with a "text" field (a .txt file: one text per
line). The output holds `embeddings` (float32 [n, dim], unit rows, so a dot product is the
cosine similarity) and metadata {model, n}. The TypeScript job builder reads it with
lib/io/safetensors.ts.
"""
from __future__ import annotations

import argparse
import json
import os
import sys


def read_texts(path: str) -> list[str]:
    texts = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            if path.endswith(".txt"):
                texts.append(line.rstrip("\n"))
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not valid JSON ({e})") from None
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError(f'{path}:{n}: field "text": missing or not a string')
            texts.append(row["text"])
    return texts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m backend.embed", description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="local sentence-transformers model directory")
    p.add_argument("--texts", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="cpu")
    args = p.parse_args(argv)
    from safetensors.torch import save_file

    from .similarity import SentenceSimilarity

    try:
        texts = read_texts(args.texts)
        sim = SentenceSimilarity(args.model, args.device)
    except (ValueError, FileNotFoundError, RuntimeError) as e:
        print(f"backend.embed: {e}", file=sys.stderr)
        return 2
    emb = sim.embed(texts).contiguous()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    save_file({"embeddings": emb}, args.out, metadata={"model": args.model, "n": str(len(texts))})
    print(json.dumps({"out": args.out, "n": len(texts), "dim": int(emb.shape[1])}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
