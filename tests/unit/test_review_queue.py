"""The review queue's storage: kinds, ratings, staff decisions, erasure, and queues created by
earlier releases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from knowledge_base.review_queue import (
    MAX_PER_ASKER_PER_DAY,
    AnswerRating,
    RatingCounts,
    ReviewQueue,
)


@pytest.fixture
def queue(tmp_path: Path) -> ReviewQueue:
    return ReviewQueue(tmp_path / "review-queue.sqlite3")


def rating(answer_id: str, value: str, asker: str = "parent", **changes: str) -> AnswerRating:
    fields = {
        "question": "宝宝发烧怎么办，我电话13812345678",
        "language": "zh",
        "entry_id": "fever-care",
        **changes,
    }
    return AnswerRating(answer_id, asker, "up" if value == "up" else "down", **fields)


def test_rows_keep_how_the_bot_replied_and_a_repeat_keeps_the_latest(queue: ReviewQueue) -> None:
    queue.record("宝宝能吃榴莲吗", "zh", "feeding", 0.91, asker="a", kind="middle_tier")
    queue.record("孩子晚上磨牙", "zh", None, 0.7, asker="b")
    queue.record("宝宝能吃榴莲吗", "zh", "feeding", 0.89, asker="c", kind="not_sure")
    rows = {row.question: row for row in queue.rows("open")}
    assert rows["孩子晚上磨牙"].kind == "not_sure"
    assert (rows["宝宝能吃榴莲吗"].times, rows["宝宝能吃榴莲吗"].kind) == (2, "not_sure")
    assert rows["宝宝能吃榴莲吗"].best_score == 0.89


def test_a_thumbs_down_queues_the_masked_question_with_the_entry_it_got(
    queue: ReviewQueue,
) -> None:
    change = queue.rate(rating("a1", "down"))
    assert (change.previous, change.rating, change.queued) == (None, "down", True)
    [row] = queue.rows("open")
    assert row.kind == "unhelpful"
    assert row.best_entry_id == "fever-care"
    assert row.question == "宝宝发烧怎么办，我电话138****5678"
    # A 👎 never merges into a "not sure" row of the same text, nor into another 👎.
    queue.record(row.question, "zh", None, 0.5, asker="x")
    queue.rate(rating("a2", "down", asker="other"))
    assert sorted(r.kind or "" for r in queue.rows("open")) == [
        "not_sure",
        "unhelpful",
        "unhelpful",
    ]


def test_one_rating_per_answer_and_the_parent_may_change_their_mind(queue: ReviewQueue) -> None:
    queue.rate(rating("a1", "down"))
    again = queue.rate(rating("a1", "down"))
    assert (again.previous, again.queued) == ("down", True)
    assert len(queue.rows("open")) == 1
    changed = queue.rate(rating("a1", "up"))
    assert (changed.previous, changed.rating, changed.queued) == ("down", "up", False)
    assert queue.rows("open") == []
    assert queue.rating_counts() == {"fever-care": RatingCounts(up=1, down=0)}
    queue.rate(rating("a1", "down"))
    assert len(queue.rows("open")) == 1
    assert queue.rating_counts() == {"fever-care": RatingCounts(up=0, down=1)}


def test_a_thumbs_down_taken_back_after_staff_decided_keeps_their_decision(
    queue: ReviewQueue,
) -> None:
    queue.rate(rating("a1", "down"))
    [row] = queue.rows("open")
    queue.resolve([row.id], "fever-care", "editor1")
    queue.rate(rating("a1", "up"))
    assert [r.id for r in queue.rows("resolved")] == [row.id]


def test_thumbs_up_and_down_are_counted_per_entry(queue: ReviewQueue) -> None:
    for n in range(3):
        queue.rate(rating(f"up{n}", "up"))
    queue.rate(rating("down", "down"))
    queue.rate(rating("other", "up", entry_id="sleep-safe"))
    assert queue.rating_counts() == {
        "fever-care": RatingCounts(up=3, down=1),
        "sleep-safe": RatingCounts(up=1, down=0),
    }


def test_one_askers_thumbs_down_share_the_daily_cap_but_the_rating_is_kept(
    queue: ReviewQueue,
) -> None:
    for n in range(MAX_PER_ASKER_PER_DAY):
        queue.record(f"question {n}", "en", None, None, asker="script")
    change = queue.rate(rating("capped", "down", asker="script"))
    assert change.queued is False
    assert not [r for r in queue.rows("open") if r.kind == "unhelpful"]
    assert queue.rating_counts()["fever-care"] == RatingCounts(up=0, down=1)


def test_decisions_take_the_named_rows_and_open_rows_with_the_same_text(
    queue: ReviewQueue,
) -> None:
    queue.record("托育补贴怎么申请", "zh", None, None, asker="a")
    queue.record("育儿补贴在哪里领", "zh", None, None, asker="b")
    named = [r.id for r in queue.rows("open") if r.question == "托育补贴怎么申请"]
    queue.rate(rating("a1", "down", question="托育补贴怎么申请", entry_id="subsidy"))
    assert queue.resolve(named, "subsidy-apply", "editor1") == 2
    assert [r.question for r in queue.rows("open")] == ["育儿补贴在哪里领"]
    # A decided row is not decided again, by either action.
    assert queue.dismiss(named, "oops", "editor2") == 0
    assert queue.resolve(named, "other", "editor2") == 0
    resolved = queue.rows("resolved")
    assert {(r.resolved_entry_id, r.resolved_by, r.state) for r in resolved} == {
        ("subsidy-apply", "editor1", "resolved")
    }
    assert queue.reopen([r.id for r in resolved]) == 2
    assert all(r.state == "open" and r.resolved_at is None for r in queue.get(named))
    other = [r.id for r in queue.rows("open") if r.question == "育儿补贴在哪里领"]
    assert queue.dismiss(other, "duplicate", "editor2") == 1
    [dismissed] = queue.rows("dismissed")
    assert (dismissed.dismissed_reason, dismissed.dismissed_by) == ("duplicate", "editor2")


def test_resolved_questions_are_each_text_once_with_its_latest_resolution(
    queue: ReviewQueue,
) -> None:
    queue.record("宝宝几个月能吃盐", "zh", None, None, asker="a")
    [row] = queue.rows("open")
    queue.resolve([row.id], "salt-first", "editor1")
    queue.reopen([row.id])
    queue.resolve([row.id], "salt-and-sugar", "editor1")
    [resolved] = queue.resolved_questions()
    assert (resolved.question, resolved.language, resolved.entry_id) == (
        "宝宝几个月能吃盐",
        "zh",
        "salt-and-sugar",
    )


def test_forget_erases_an_askers_questions_and_ratings_only(queue: ReviewQueue) -> None:
    queue.record("宝宝吃手正常吗", "zh", None, 0.5, asker="leaving")
    queue.rate(rating("r1", "down", asker="leaving"))
    queue.rate(rating("r2", "up", asker="leaving"))
    queue.record("幼儿园学费怎么算", "zh", None, 0.5, asker="staying")
    queue.rate(rating("r3", "up", asker="staying"))
    assert queue.forget("leaving") == 2
    assert [r.question for r in queue.rows("open")] == ["幼儿园学费怎么算"]
    assert queue.rating_counts() == {"fever-care": RatingCounts(up=1, down=0)}


def test_a_queue_from_the_first_release_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE unanswered_questions (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " asked_at TEXT NOT NULL, language TEXT NOT NULL, question TEXT NOT NULL,"
            " best_entry_id TEXT, best_score REAL)"
        )
        db.execute(
            "INSERT INTO unanswered_questions (asked_at, language, question) "
            "VALUES ('2026-01-02T03:04:05+00:00', 'zh', '老问题')"
        )
    db.close()
    queue = ReviewQueue(path)
    [row] = queue.rows("open")
    assert (row.question, row.times, row.kind, row.state) == ("老问题", 1, None, "open")
    queue.rate(rating("a1", "down"))
    assert len(queue.rows("open")) == 2


def test_a_queue_from_the_console_release_keeps_its_dismissals(tmp_path: Path) -> None:
    path = tmp_path / "console.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE unanswered_questions (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " asked_at TEXT NOT NULL, language TEXT NOT NULL, question TEXT NOT NULL,"
            " best_entry_id TEXT, best_score REAL, asker TEXT,"
            " times INTEGER NOT NULL DEFAULT 1, dismissed_at TEXT, dismissed_reason TEXT)"
        )
        db.execute(
            "INSERT INTO unanswered_questions (asked_at, language, question, times,"
            " dismissed_at, dismissed_reason) VALUES ('2026-11-02T03:04:05+00:00', 'zh',"
            " '天气', 3, '2026-11-03T00:00:00+00:00', 'off topic')"
        )
    db.close()
    [row] = ReviewQueue(path).rows("dismissed")
    assert (row.times, row.dismissed_reason, row.dismissed_by) == (3, "off topic", None)
