"""icl-workbench backend: the GPU batch job that extracts last-token hidden states (Duan et al.).

Entry points:
  python3 -m backend.hidden_states --job job.json --out DIR [--shard i/n]
  python3 -m backend.tiny --out DIR           (a tiny random Llama + tokenizer, for tests/examples)
  python3 -m backend.embed --model DIR --texts texts.jsonl --out emb.safetensors
"""

FORMAT_VERSION = 1
