"""Grouping review-queue questions by meaning: the leader rule, what a group tells staff, and
the vector cache."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from knowledge_base.embedding import Vectors
from knowledge_base.review_groups import (
    GROUPING_THRESHOLD,
    QuestionVectors,
    group_decisions,
    group_questions,
)
from knowledge_base.review_queue import Kind, QueueRow
from tests.unit.review_support import TopicEmbedder

_ids = iter(range(1, 10_000))


def row(
    question: str,
    *,
    times: int = 1,
    at: str = "2026-12-01T10:00:00+00:00",
    language: str = "zh",
    best: str | None = None,
    kind: Kind | None = "not_sure",
) -> QueueRow:
    return QueueRow(next(_ids), at, language, question, best, None, times, kind)


def unit(*values: float) -> Vectors:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def with_similarity(similarity: float) -> Vectors:
    """A unit vector at this cosine similarity to unit(1, 0)."""
    return unit(similarity, float(np.sqrt(1 - similarity**2)))


def embedded(rows: list[QueueRow]) -> dict[str, Vectors]:
    texts = list(dict.fromkeys(r.question for r in rows))
    return dict(zip(texts, TopicEmbedder().embed_queries(texts), strict=True))


def test_paraphrases_form_one_group_led_by_the_most_asked_wording() -> None:
    rows = [
        row("什么时候可以给孩子加盐", at="2026-12-02T09:00:00+00:00", best="salt"),
        row("宝宝几个月能吃盐", times=3, best="salt", kind="middle_tier"),
        row("宝宝几个月能吃蜂蜜", at="2026-12-01T08:00:00+00:00"),
        row("when can my baby have salt", language="en", best="solids"),
        row("孩子吃盐太多了", best="fever", kind="unhelpful", at="2026-12-01T11:00:00+00:00"),
    ]
    salt, honey = group_questions(rows, embedded(rows))
    assert salt.question == "宝宝几个月能吃盐"
    assert [t.question for t in salt.texts] == [
        "宝宝几个月能吃盐",
        "什么时候可以给孩子加盐",
        "孩子吃盐太多了",
        "when can my baby have salt",
    ]
    assert salt.times == 6
    assert salt.latest == "2026-12-02T09:00:00+00:00"
    assert salt.languages == ("zh", "en")  # most asked first
    assert salt.kinds == {"middle_tier": 3, "not_sure": 2, "unhelpful": 1}
    # 4 asks against 1 for solids; the entry a 👎 was about is not the bot's pick.
    assert salt.best_entry_id == "salt"
    assert salt.unhelpful_entries == {"fever": 1}
    assert [t.question for t in salt.texts_in("en")] == ["when can my baby have salt"]
    assert [r.question for r in salt.rows_in("en")] == ["when can my baby have salt"]
    assert honey.question == "宝宝几个月能吃蜂蜜"
    assert honey.times == 1
    assert salt.key == f"g{min(salt.row_ids)}"


def test_a_text_joins_only_a_leader_it_is_close_to_so_chains_do_not_merge() -> None:
    a, b, c = row("a", times=3), row("b", times=2), row("c")
    # b is close to a; c is close to b but not to a: c must lead its own group.
    vectors = {"a": unit(1, 0), "b": with_similarity(0.97), "c": unit(0.9, 0.436)}
    assert float(vectors["b"] @ vectors["c"]) >= GROUPING_THRESHOLD
    assert float(vectors["a"] @ vectors["c"]) < GROUPING_THRESHOLD
    groups = group_questions([a, b, c], vectors)
    assert sorted(tuple(t.question for t in g.texts) for g in groups) == [("a", "b"), ("c",)]


@pytest.mark.parametrize(
    ("similarity", "together"),
    [(GROUPING_THRESHOLD + 0.001, True), (GROUPING_THRESHOLD - 0.001, False)],
)
def test_just_above_the_threshold_joins_and_just_below_does_not(
    similarity: float, together: bool
) -> None:
    vectors = {"a": unit(1, 0), "b": with_similarity(similarity)}
    groups = group_questions([row("a", times=2), row("b")], vectors)
    assert len(groups) == (1 if together else 2)


def test_without_vectors_only_identical_texts_are_grouped() -> None:
    rows = [row("托育补贴怎么申请"), row("托育补贴怎么申请"), row("育儿补贴在哪里领")]
    groups = group_questions(rows, None)
    assert sorted((g.question, g.times) for g in groups) == [
        ("托育补贴怎么申请", 2),
        ("育儿补贴在哪里领", 1),
    ]


def test_a_text_without_a_vector_is_a_group_of_its_own() -> None:
    rows = [row("宝宝几个月能吃盐", times=2), row("盐 without a vector")]
    vectors = {"宝宝几个月能吃盐": unit(1, 0)}
    assert len(group_questions(rows, vectors)) == 2


def test_groups_come_most_recently_asked_first() -> None:
    rows = [
        row("宝宝几个月能吃蜂蜜", at="2026-12-01T08:00:00+00:00"),
        row("怎么给宝宝剪指甲", at="2026-12-03T08:00:00+00:00"),
        row("宝宝几个月能吃盐", times=9, at="2026-12-02T08:00:00+00:00"),
    ]
    assert [g.question for g in group_questions(rows, embedded(rows))] == [
        "怎么给宝宝剪指甲",
        "宝宝几个月能吃盐",
        "宝宝几个月能吃蜂蜜",
    ]


def test_decided_rows_are_grouped_by_the_decision_that_took_them() -> None:
    first: dict[str, Any] = {
        "resolved_at": "2026-12-01T10:00:00+00:00",
        "resolved_entry_id": "salt",
        "resolved_by": "editor1",
    }
    later: dict[str, Any] = {
        "dismissed_at": "2026-12-02T10:00:00+00:00",
        "dismissed_reason": "off topic",
        "dismissed_by": "editor2",
    }
    rows = [
        dataclasses.replace(row("宝宝几个月能吃盐"), **first),
        dataclasses.replace(row("天气"), **later),
        dataclasses.replace(row("加盐"), **first),
    ]
    dismissal, link = group_decisions(rows)
    assert [t.question for t in dismissal.texts] == ["天气"]
    assert sorted(t.question for t in link.texts) == ["加盐", "宝宝几个月能吃盐"]


def test_vectors_are_embedded_once_and_only_the_texts_asked_for_are_kept() -> None:
    embedder = TopicEmbedder()
    cache = QuestionVectors(embedder)
    first = cache.for_texts(["宝宝几个月能吃盐", "怎么给宝宝剪指甲"])
    assert embedder.calls == 1
    again = cache.for_texts(["宝宝几个月能吃盐", "怎么给宝宝剪指甲"])
    assert embedder.calls == 1
    assert np.array_equal(first["宝宝几个月能吃盐"], again["宝宝几个月能吃盐"])
    cache.for_texts(["宝宝几个月能吃盐"])
    cache.for_texts(["怎么给宝宝剪指甲"])  # dropped by the call before: embedded again
    assert embedder.calls == 2


def test_a_group_of_thumbs_down_only_points_at_the_entry_that_answered() -> None:
    rows = [
        row("孩子吃盐太多了", best="feeding", kind="unhelpful"),
        row("孩子吃盐太多了怎么办", best="feeding", kind="unhelpful"),
    ]
    [group] = group_questions(rows, embedded(rows))
    assert group.best_entry_id == "feeding"
    assert group.unhelpful_entries == {"feeding": 2}
