"""Review-queue questions grouped by meaning, so staff answer a need once, not each wording.

The rule, simple enough to check by hand: distinct question texts are taken most asked first
(then most recently asked); each joins the group of the first leader it is at least
GROUPING_THRESHOLD similar to (cosine of e5 query vectors), or leads a new group. Comparing
with the leader only, not with every member, keeps a chain of small steps ("能吃盐" → "能吃糖"
→ "能吃蜂蜜") from pulling different needs into one group.

Why 0.95 (measured with multilingual-e5-small: python -m benchmarks.review_grouping). On the
retrieval dev set's 259 parent questions, same-language pairs at 0.95 or more were 8 about the
same entry and 4 about neighbouring ones (how much the subsidy is / how to apply); at 0.93,
22 against 53. There the rule forms 11 groups of several questions, 3 of them mixing entries
(at 0.93: 30 and 19). Paraphrases such as "宝宝几个月能吃盐" / "什么时候可以给孩子加盐" (0.961)
and "怎么给宝宝剪指甲" / "婴儿指甲怎么剪" (0.985) clear it; same-pattern questions about
different things stay apart: "宝宝几个月能吃蜂蜜" (0.923), "坐高铁" beside "坐飞机" (0.939),
"宝宝咳嗽怎么办" beside "宝宝发烧怎么办" (0.944). Looser paraphrases (0.92 to 0.94) stay apart
too: a missed merge costs an editor one more group, a wrong one adds a stranger's question to
an entry's examples. Chinese and English wordings of one question score about 0.90, so they
form separate groups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.embedding import Embedder, Vectors
from knowledge_base.review_queue import QueueRow

GROUPING_THRESHOLD = 0.95


@dataclass(frozen=True)
class GroupedText:
    """One distinct wording in a group, with every time it was asked."""

    question: str
    language: str
    times: int
    latest: str


@dataclass(frozen=True)
class QuestionGroup:
    """Questions asking for the same thing: the rows, their wordings (most asked first) and
    what the bot made of them."""

    rows: tuple[QueueRow, ...]
    texts: tuple[GroupedText, ...]

    @property
    def key(self) -> str:
        """Stable while the group's oldest row is in it (for page anchors and ids)."""
        return f"g{min(self.row_ids)}"

    @property
    def question(self) -> str:
        """The leading wording, which names the group."""
        return self.texts[0].question

    @property
    def row_ids(self) -> tuple[int, ...]:
        return tuple(row.id for row in self.rows)

    @property
    def times(self) -> int:
        return sum(row.times for row in self.rows)

    @property
    def latest(self) -> str:
        return max(row.asked_at for row in self.rows)

    @property
    def languages(self) -> tuple[str, ...]:
        """Most asked first."""
        times: Counter[str] = Counter()
        for row in self.rows:
            times[row.language] += row.times
        return tuple(sorted(times, key=lambda language: (-times[language], language)))

    @property
    def kinds(self) -> dict[str, int]:
        """Times asked by kind (None: recorded before kinds were kept)."""
        counts: Counter[str] = Counter()
        for row in self.rows:
            counts[row.kind or "unknown"] += row.times
        return dict(counts.most_common())

    @property
    def best_entry_id(self) -> str | None:
        """The entry the bot found closest most often (weighted by times asked) for the
        questions it was unsure about; for a group of 👎 only, the entry that answered."""
        unsure = [row for row in self.rows if row.kind != "unhelpful" and row.best_entry_id]
        counts: Counter[str] = Counter()
        for row in unsure or self.rows:
            if row.best_entry_id:
                counts[row.best_entry_id] += row.times
        return counts.most_common(1)[0][0] if counts else None

    @property
    def unhelpful_entries(self) -> dict[str, int]:
        """Entries the bot answered with that parents rated 👎, and how often."""
        counts: Counter[str] = Counter()
        for row in self.rows:
            if row.kind == "unhelpful" and row.best_entry_id:
                counts[row.best_entry_id] += row.times
        return dict(counts.most_common())

    def rows_in(self, language: str) -> tuple[QueueRow, ...]:
        return tuple(row for row in self.rows if row.language == language)

    def texts_in(self, language: str) -> tuple[GroupedText, ...]:
        return tuple(text for text in self.texts if text.language == language)


def _distinct_texts(rows: Sequence[QueueRow]) -> dict[str, GroupedText]:
    """Each wording once, most asked first, then most recently asked."""
    times: Counter[str] = Counter()
    latest: dict[str, str] = {}
    language: dict[str, str] = {}
    for row in rows:
        times[row.question] += row.times
        latest[row.question] = max(latest.get(row.question, ""), row.asked_at)
        language.setdefault(row.question, row.language)
    ordered = sorted(times, key=lambda q: latest[q], reverse=True)
    ordered.sort(key=lambda q: times[q], reverse=True)  # stable: ties stay newest first
    return {q: GroupedText(q, language[q], times[q], latest[q]) for q in ordered}


def group_questions(
    rows: Sequence[QueueRow],
    vectors: Mapping[str, Vectors] | None,
    threshold: float = GROUPING_THRESHOLD,
) -> list[QuestionGroup]:
    """Groups rows by meaning (vectors: one unit vector per question text), or by identical
    text when vectors is None. Groups come most recently asked first."""
    texts = _distinct_texts(rows)
    members = _members_by_leader(list(texts), vectors or {}, threshold)
    by_text: dict[str, list[QueueRow]] = {}
    for row in rows:
        by_text.setdefault(row.question, []).append(row)
    groups = [
        QuestionGroup(
            rows=tuple(row for q in wordings for row in by_text[q]),
            texts=tuple(texts[q] for q in wordings),
        )
        for wordings in members.values()
    ]
    groups.sort(key=lambda g: g.latest, reverse=True)
    return groups


def group_decisions(rows: Sequence[QueueRow]) -> list[QuestionGroup]:
    """Decided rows grouped by the decision that took them (one link or one dismissal:
    the same time, person and entry or reason), latest decision first; reopening a group
    undoes that one decision."""
    decisions: dict[tuple[str | None, ...], list[QueueRow]] = {}
    for row in rows:
        key = (
            row.resolved_at,
            row.resolved_entry_id,
            row.resolved_by,
            row.dismissed_at,
            row.dismissed_reason,
            row.dismissed_by,
        )
        decisions.setdefault(key, []).append(row)
    groups = [
        QuestionGroup(rows=tuple(members), texts=tuple(_distinct_texts(members).values()))
        for members in decisions.values()
    ]
    groups.sort(key=lambda g: g.rows[0].resolved_at or g.rows[0].dismissed_at or "", reverse=True)
    return groups


def _members_by_leader(
    ordered: list[str], vectors: Mapping[str, Vectors], threshold: float
) -> dict[str, list[str]]:
    """Each text joins the first leader it is close enough to, or leads a group itself."""
    members: dict[str, list[str]] = {}
    dim = next((len(v) for v in vectors.values()), 0)
    # Leaders' vectors, one row each as they appear; a text without a vector leads a group
    # that nothing joins (its row stays zero).
    leaders = np.zeros((len(ordered), dim), dtype=np.float32)
    names: list[str] = []
    for text in ordered:
        vector = vectors.get(text)
        if vector is not None and names:
            similarity = leaders[: len(names)] @ vector
            best = int(np.argmax(similarity))
            if float(similarity[best]) >= threshold:
                members[names[best]].append(text)
                continue
        if vector is not None:
            leaders[len(names)] = vector
        names.append(text)
        members[text] = [text]
    return members


class QuestionVectors:
    """Question vectors from an embedder, kept between calls so that only new wordings are
    embedded. Only the wordings last asked for are kept: an erased or decided question does
    not linger in memory. Blocking: call it from a worker thread, not an event loop."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._cache: dict[str, Vectors] = {}

    def for_texts(self, texts: Sequence[str]) -> dict[str, Vectors]:
        wanted = list(dict.fromkeys(texts))
        missing = [t for t in wanted if t not in self._cache]
        vectors = {t: self._cache[t] for t in wanted if t in self._cache}
        if missing:
            embedded = self.embedder.embed_queries(missing)
            vectors.update(zip(missing, embedded, strict=True))
        self._cache = vectors
        return vectors
