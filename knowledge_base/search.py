"""Semantic search over the knowledge base: which entries answer a parent's question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge_base.content import Entry
from knowledge_base.embedding import Embedder

if TYPE_CHECKING:  # faiss loads only where an index is actually used
    from knowledge_base.index import PassageIndex

# Passages looked at per query before grouping them by entry.
_CANDIDATE_PASSAGES = 40
# Entries made for another age stay findable but rank below ones for the child's age.
_OTHER_AGE_PENALTY = 0.03
MAX_QUERY_CHARS = 1000


@dataclass(frozen=True)
class SearchHit:
    entry: Entry
    score: float
    passage: str


class GuidanceSearch:
    """Finds the entries whose passages lie closest to a question."""

    def __init__(
        self, index: PassageIndex, entries: Mapping[str, Entry], embedder: Embedder
    ) -> None:
        self._index = index
        self._entries = entries
        self._embedder = embedder

    def search(
        self, question: str, *, limit: int = 5, age_months: int | None = None
    ) -> list[SearchHit]:
        """Entries best first, each scored by its closest passage (cosine similarity)."""
        question = question.strip()[:MAX_QUERY_CHARS]
        if not question:
            return []
        vector = self._embedder.embed_queries([question])[0]
        best: dict[str, SearchHit] = {}
        for chunk, score in self._index.search(vector, _CANDIDATE_PASSAGES):
            entry = self._entries.get(chunk.entry_id)
            if entry is None or not entry.published:
                continue
            if age_months is not None and not entry.applies_to_age(age_months):
                score -= _OTHER_AGE_PENALTY
            if chunk.entry_id not in best or score > best[chunk.entry_id].score:
                best[chunk.entry_id] = SearchHit(entry, score, chunk.text)
        hits = sorted(best.values(), key=lambda h: h.score, reverse=True)
        return hits[:limit]

    def entries(self) -> Sequence[Entry]:
        return list(self._entries.values())
