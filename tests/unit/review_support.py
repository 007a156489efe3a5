"""Shared helpers for the review-queue tests: an embedder whose similarities a test chooses."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from knowledge_base.embedding import Vectors
from tests.unit.fakes import CharacterGramEmbedder

# Questions naming a word of one topic mean the same thing as each other (similarity 1.0),
# in either language, and nothing like any other question (0.0).
TOPICS = (("盐", "salt"), ("蜂蜜", "honey"), ("指甲", "nail"))


class TopicEmbedder:
    """A question naming a topic word gets that topic's vector; any other text gets its
    character n-gram vector (tests/unit/fakes.py) in dimensions of their own."""

    def __init__(self) -> None:
        self._grams = CharacterGramEmbedder(dim=64)
        self.calls = 0

    @property
    def identity(self) -> str:
        return "test-topics:1"

    @property
    def dim(self) -> int:
        return len(TOPICS) + self._grams.dim

    def _vectors(self, texts: Sequence[str]) -> Vectors:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        grams = self._grams.embed_queries(texts) if texts else vectors
        for i, text in enumerate(texts):
            topic = next(
                (n for n, words in enumerate(TOPICS) if any(w in text for w in words)), None
            )
            if topic is None:
                vectors[i, len(TOPICS) :] = grams[i]
            else:
                vectors[i, topic] = 1.0
        return vectors

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        return self._vectors(texts)

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> Vectors:
        return self._vectors(texts)
