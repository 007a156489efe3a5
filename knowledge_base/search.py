"""Semantic search over the knowledge base: which entries answer a parent's question."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge_base.content import Entry
from knowledge_base.embedding import Embedder
from knowledge_base.text import age_in_months

if TYPE_CHECKING:  # faiss loads only where an index is actually used
    from knowledge_base.index import PassageIndex

# Passages looked at per query before grouping them by entry.
_CANDIDATE_PASSAGES = 60
# Entries are ranked by a soft maximum over their passages: several passages of one entry
# close to the question count for more than one lucky passage (dev set R@1 0.71 -> 0.80 in a
# one-off comparison during development; the current figure is python -m benchmarks.retrieval).
# Lower is closer to a plain maximum.
_SOFT_MAX_TEMPERATURE = 0.02
# Entries made for another age stay findable but rank below ones for the child's age. Kept
# small: entries' age ranges are broad hints, and a larger penalty cost recall on the dev set.
_OTHER_AGE_PENALTY = 0.01
# Numbers and document numbers the parent typed (12320, 3600, 国发〔2023〕13号) that an entry
# contains word for word; embeddings blur exact numbers.
_EXACT_TERM_BONUS = 0.02
_EXACT_TERM = re.compile(r"\d{3,}|〔\d{4}〕\d+号|[A-Za-z]+\d+")
MAX_QUERY_CHARS = 1000


@dataclass(frozen=True)
class SearchHit:
    entry: Entry
    score: float  # ranking score (soft maximum plus adjustments)
    similarity: float  # cosine similarity of the entry's closest passage: used for confidence
    passage: str


def _entry_text(entry: Entry) -> str:
    questions = [q for qs in entry.questions.values() for q in qs]
    parts = [*entry.title.values(), *entry.summary.values(), entry.body, entry.body_en, *questions]
    return "\n".join(parts)


class GuidanceSearch:
    """Finds the entries whose passages lie closest to a question."""

    def __init__(
        self, index: PassageIndex, entries: Mapping[str, Entry], embedder: Embedder
    ) -> None:
        self._index = index
        self._entries = entries
        self._embedder = embedder
        self._texts = {entry_id: _entry_text(e) for entry_id, e in entries.items()}

    def search(
        self, question: str, *, limit: int = 5, age_months: float | None = None
    ) -> list[SearchHit]:
        """Entries best first."""
        question = question.strip()[:MAX_QUERY_CHARS]
        if not question:
            return []
        if age_months is None:
            age_months = age_in_months(question)
        vector = self._embedder.embed_queries([question])[0]
        passages: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for chunk, score in self._index.search(vector, _CANDIDATE_PASSAGES):
            entry = self._entries.get(chunk.entry_id)
            if entry is not None and entry.published:
                passages[chunk.entry_id].append((score, chunk.text))
        terms = set(_EXACT_TERM.findall(question))
        hits = []
        for entry_id, scored in passages.items():
            entry = self._entries[entry_id]
            best, passage = max(scored)
            t = _SOFT_MAX_TEMPERATURE
            rank = 1 + t * math.log(sum(math.exp((s - 1) / t) for s, _ in scored))
            if age_months is not None and not entry.applies_to_age(round(age_months)):
                rank -= _OTHER_AGE_PENALTY
            if terms and any(term in self._texts[entry_id] for term in terms):
                rank += _EXACT_TERM_BONUS
            hits.append(SearchHit(entry, rank, best, passage))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:limit]

    def entries(self) -> Sequence[Entry]:
        return list(self._entries.values())
