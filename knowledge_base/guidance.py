"""Guidance answers: the best entry for a question, in the parent's language, with its source."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from knowledge_base.content import Entry
from knowledge_base.follow_up import follow_up_query
from knowledge_base.language import Language
from knowledge_base.review_queue import ReviewQueue
from knowledge_base.search import GuidanceSearch, SearchHit
from knowledge_base.text import age_in_months
from knowledge_base.text.long_post import reduce_post

# When the best entry is trusted as the answer. e5 cosine scores sit in a narrow band, so one
# threshold cannot separate questions the content answers from those it does not. A grid
# search on the dev set during development found two signals better than either alone: a
# high similarity, or a fair one with a clear lead over the next entry. The resulting rates
# are reported by python -m benchmarks.retrieval ("answered_confidently", "unanswerable_...").
DEFAULT_CONFIDENCE_THRESHOLD = 0.935
_FAIR_SIMILARITY_BELOW_THRESHOLD = 0.015
_CLEAR_LEAD = 0.01
# Below the confidence threshold but at least this close: the best entries are offered as
# "these may answer your question" rather than "not sure". Chosen on the dev set during
# development: 47 of the 57 answerable questions that missed the threshold cleared 0.905 (43
# with the right entry among the three offered), 11 of 20 questions with no entry did, and 6
# of the 65 out-of-scope training examples. Current figures: python -m benchmarks.retrieval.
DEFAULT_MAYBE_THRESHOLD = 0.905
# English questions score lower against the same entries than Chinese ones (e5; most of each
# entry's text is Chinese): on the dev sets the median top similarity of a rightly ranked
# English question was 0.925 against 0.946 in Chinese, and 0.891 against 0.909 for questions
# with no entry. English thresholds are lowered by these offsets, kept small for a confident
# answer (a wrong one misleads) and larger for the middle tier (it only offers).
_ENGLISH_CONFIDENT_OFFSET = 0.005
_ENGLISH_MAYBE_OFFSET = 0.02
MAX_RELATED = 3
# Entries looked at per question: the answer, its related entries and what benchmarks rank.
_HITS_KEPT = 10

Tier = Literal["answer", "maybe", "none"]


@dataclass(frozen=True)
class GuidanceAnswer:
    """What the bot says for one question. `entry` is None when nothing is trusted; `closest`
    then holds the best entries, offered as "these may answer your question" when `tier` is
    "maybe" and as mere suggestions when it is "none"."""

    question: str
    language: Language
    entry: Entry | None
    score: float
    related: list[Entry] = field(default_factory=list)
    closest: list[Entry] = field(default_factory=list)
    tier: Tier = "answer"
    searched_for: str = ""  # the words searched: a long post reduced to its question
    hits: list[SearchHit] = field(default_factory=list)  # best first, with their scores

    @property
    def confident(self) -> bool:
        return self.entry is not None

    @property
    def maybe(self) -> Entry | None:
        """The best entry of a plausible but uncertain match."""
        return self.closest[0] if self.tier == "maybe" and self.closest else None

    @property
    def text(self) -> str:
        if self.entry is None:
            return ""
        # An entry still waiting for its English body answers with its English summary.
        body = self.entry.body_in(self.language) or self.entry.summary[self.language]
        # Chat channels split messages at blank lines; one answer should stay one message.
        return re.sub(r"\n\s*\n", "\n", body)

    @property
    def source_line(self) -> str:
        return self.entry.source.line() if self.entry else ""

    @property
    def from_summary_only(self) -> bool:
        """An English answer from an entry that has no English body yet."""
        return self.entry is not None and not self.entry.body_in(self.language)


class GuidanceService:
    """Answers questions from the knowledge base and records the ones it cannot answer."""

    def __init__(
        self,
        search: GuidanceSearch,
        entries: Mapping[str, Entry],
        review_queue: ReviewQueue | None = None,
        *,
        threshold: float = DEFAULT_CONFIDENCE_THRESHOLD,
        maybe_threshold: float = DEFAULT_MAYBE_THRESHOLD,
    ) -> None:
        self._search = search
        self._entries = entries
        self._review_queue = review_queue
        self.threshold = threshold
        self.maybe_threshold = maybe_threshold

    def answer(
        self,
        question: str,
        language: Language,
        *,
        age_months: float | None = None,
        previous_question: str | None = None,
        record_misses: bool = True,
        asker: str | None = None,
    ) -> GuidanceAnswer:
        """The answer to a question; a follow-up ("那两岁呢？") is read with the previous one,
        a long post by its question and key facts. Questions not answered confidently go to
        the review queue unless record_misses is False."""
        query = follow_up_query(previous_question, reduce_post(question))
        if age_months is None:
            # The age in the newest words wins: "那两岁呢" after a question about babies.
            age_months = age_in_months(question)
        hits = self._search.search(query, limit=_HITS_KEPT, age_months=age_months)
        best = hits[0] if hits else None
        if best is not None and self.is_confident(hits, language):
            return GuidanceAnswer(
                question=question,
                language=language,
                entry=best.entry,
                score=best.similarity,
                related=self._related(best.entry, hits),
                searched_for=query,
                hits=hits,
            )
        maybe_offset = _ENGLISH_MAYBE_OFFSET if language == "en" else 0.0
        maybe = best is not None and best.similarity >= self.maybe_threshold - maybe_offset
        if record_misses and self._review_queue is not None:
            self._review_queue.record(
                question,
                language,
                best.entry.id if best else None,
                round(best.similarity, 4) if best else None,
                asker=asker,
                kind="middle_tier" if maybe else "not_sure",
            )
        return GuidanceAnswer(
            question=question,
            language=language,
            entry=None,
            score=best.similarity if best else 0.0,
            closest=[h.entry for h in hits[:MAX_RELATED]],
            tier="maybe" if maybe else "none",
            searched_for=query,
            hits=hits,
        )

    def is_confident(self, hits: list[SearchHit], language: Language = "zh") -> bool:
        best = hits[0]
        threshold = self.threshold - (_ENGLISH_CONFIDENT_OFFSET if language == "en" else 0.0)
        if best.similarity >= threshold:
            return True
        lead = best.score - hits[1].score if len(hits) > 1 else 1.0
        fair = threshold - _FAIR_SIMILARITY_BELOW_THRESHOLD
        return best.similarity >= fair and lead >= _CLEAR_LEAD

    def answer_entry(self, entry_id: str, language: Language) -> GuidanceAnswer | None:
        """The answer for a known entry, as when a parent taps a suggested question."""
        entry = self._entries.get(entry_id)
        if entry is None or not entry.published:
            return None
        return GuidanceAnswer(
            question=entry.title[language],
            language=language,
            entry=entry,
            score=1.0,
            related=self._related(entry, []),
        )

    def _related(self, entry: Entry, hits: list[SearchHit]) -> list[Entry]:
        related: list[Entry] = []
        candidates = [self._entries.get(i) for i in entry.related] + [h.entry for h in hits]
        for candidate in candidates:
            if (
                candidate is not None
                and candidate.published
                and candidate.id != entry.id
                and candidate not in related
            ):
                related.append(candidate)
        return related[:MAX_RELATED]
