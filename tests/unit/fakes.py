"""Test doubles: a tiny deterministic embedder, so unit tests need no model."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from knowledge_base.embedding import Vectors


class CharacterGramEmbedder:
    """Hashes character uni- and bigrams into a small vector; similar strings score high."""

    def __init__(self, dim: int = 256, identity: str = "test-grams:1") -> None:
        self._dim = dim
        self._identity = identity
        self.calls = 0

    @property
    def identity(self) -> str:
        return self._identity

    @property
    def dim(self) -> int:
        return self._dim

    def _one(self, text: str) -> Vectors:
        vector = np.zeros(self._dim, dtype=np.float32)
        text = text.lower()
        grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
        for gram in grams:
            if gram.strip():
                bucket = int(hashlib.md5(gram.encode()).hexdigest()[:8], 16) % self._dim
                vector[bucket] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        return np.stack([self._one(t) for t in texts]).astype(np.float32)

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> Vectors:
        self.calls += 1
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.stack([self._one(t) for t in texts]).astype(np.float32)
