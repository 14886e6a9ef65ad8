"""Demonstration–inference similarity (Duan et al. Fig. 4) with a local sentence-transformers model
(the paper uses all-MiniLM-L6-v2): cosine of the normalised sentence embeddings."""
from __future__ import annotations

import os


class SentenceSimilarity:
    def __init__(self, path: str, device: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if not os.path.isdir(path):
            raise FileNotFoundError(f"similarity model directory {path} does not exist (nothing is downloaded)")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise RuntimeError(
                "similarity_model is set but sentence-transformers is not installed "
                "(pip install -r backend/requirements.txt)"
            ) from e
        self.path = path
        self.model = SentenceTransformer(path, device=device, local_files_only=True)

    def embed(self, texts: list[str]):
        """float32 [n, dim], each row of unit length."""
        return self.model.encode(texts, convert_to_tensor=True, normalize_embeddings=True).float().cpu()

    def to_one(self, texts: list[str], other: str) -> list[float]:
        """cos(texts[i], other) for each i."""
        e = self.embed(list(texts) + [other])
        return [float(x) for x in (e[:-1] @ e[-1])]
