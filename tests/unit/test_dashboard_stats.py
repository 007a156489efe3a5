"""The dashboard's figures, each checked on a synthetic tracker store with known answers.

The store is the `events` table exactly as Rasa 3.6 writes it (tests/unit/tracker_store_builder.py)
and is read through the same SQL the console uses.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import yaml

from bot.console import dashboard_source
from bot.console.dashboard_period import Period
from bot.console.dashboard_source import (
    TIMESTAMP_INDEX,
    ReviewFigures,
    TrackerStoreReader,
    engine_url,
    review_figures,
)
from bot.console.dashboard_stats import (
    DashboardStats,
    compute_dashboard,
    emergencies_by_day,
    median,
    p95,
    read_dashboard,
)
from bot.console.dashboard_turns import (
    ACCOMPANYING_RESPONSES,
    CONFIDENT,
    CRISIS,
    EMERGENCY,
    FINDER,
    MIDDLE,
    NO_REPLY,
    NOT_SURE,
    OTHER,
    OUT_OF_SCOPE,
    SMALL_TALK,
    TRIAGE_CLEARED,
    channel_name,
    response_kind,
    turn_kind,
)
from bot.settings import PROJECT_DIR
from tests.unit.tracker_store_builder import (
    SAMPLE_TOPICS,
    SyntheticTrackerStore,
    beijing,
    build_sample_week,
)

PERIOD = Period(dt.date(2026, 11, 24), dt.date(2026, 11, 30))
TOPICS = SAMPLE_TOPICS


def day(n: int) -> dt.date:
    return dt.date(2026, 11, n)


@pytest.fixture
def store(tmp_path: Path) -> SyntheticTrackerStore:
    return build_sample_week(tmp_path / "tracker.sqlite3")


@pytest.fixture
def stats(store: SyntheticTrackerStore, tmp_path: Path) -> DashboardStats:
    reader = TrackerStoreReader.for_store(None, store.path)
    return read_dashboard(reader, tmp_path / "no-queue.sqlite3", PERIOD, TOPICS)


def test_conversations_and_messages_per_day(stats: DashboardStats) -> None:
    assert stats.messages == 11
    assert stats.conversations == 9
    assert stats.senders == 8
    per_day = {d.day: (d.conversations, d.messages) for d in stats.days}
    assert per_day == {
        day(24): (1, 2),
        day(25): (1, 2),
        day(26): (1, 1),  # 23:59:59 belongs to the 26th...
        day(27): (1, 1),  # ...and 00:00:00 to the 27th, in Beijing time
        day(28): (1, 1),
        day(29): (3, 3),
        day(30): (1, 1),  # 23:59:50 on the last day is in
    }


def test_answer_kinds_and_their_shares(stats: DashboardStats) -> None:
    assert stats.kinds == {
        CONFIDENT: 4,
        MIDDLE: 1,
        NOT_SURE: 1,
        OUT_OF_SCOPE: 1,
        EMERGENCY: 1,
        CRISIS: 1,
        FINDER: 1,
        NO_REPLY: 1,
    }


def test_emergencies_and_crisis_per_day(stats: DashboardStats) -> None:
    by_day = {d: (e, c, q) for d, e, c, q in emergencies_by_day(stats)}
    assert by_day[day(26)] == (1, 0, 0)
    assert by_day[day(27)] == (0, 1, 0)
    assert sum(e + c + q for e, c, q in by_day.values()) == 2


def test_top_entries_and_topics(stats: DashboardStats) -> None:
    assert stats.top_entries == [("solids", 2), ("sleep", 1), ("tax", 1)]
    assert stats.top_topics == [
        ("feeding", 2),
        ("solids", 2),
        ("money", 1),
        ("sleep", 1),
        ("tax", 1),
    ]


def test_unanswered_rate_and_its_trend(stats: DashboardStats) -> None:
    assert stats.unanswered_rate == pytest.approx(2 / 6)
    # The week before: confident, middle tier, and the "not sure" one second before midnight
    # (its reply, stored after midnight, does not make it a message of this period).
    assert stats.previous_kinds == {CONFIDENT: 1, MIDDLE: 1, NOT_SURE: 1}
    assert stats.previous_unanswered_rate == pytest.approx(2 / 3)
    assert stats.unanswered_change_points == pytest.approx(-100 / 3)
    daily = {d.day: d.unanswered_rate for d in stats.days}
    assert daily[day(24)] == 0
    assert daily[day(25)] == 1
    assert daily[day(26)] is None  # no question to the knowledge base that day


def test_reply_time_median_and_p95(stats: DashboardStats) -> None:
    # From the gateway's send time (0.1 s before Rasa's event) to the last bot message; the
    # old gateway's message and the broken clock are timed from Rasa's event.
    assert stats.replies_timed == 10
    assert stats.reply_median_s == pytest.approx(0.6, abs=1e-4)
    assert stats.reply_p95_s == pytest.approx(2.1, abs=1e-4)
    day_24 = next(d for d in stats.days if d.day == day(24))
    assert day_24.reply_median_s == pytest.approx(0.5, abs=1e-4)
    assert day_24.reply_p95_s == pytest.approx(0.6, abs=1e-4)


def test_messages_from_before_channels_were_recorded_go_by_their_sender_ids() -> None:
    assert channel_name(None, "widget-3f2a") == "widget"
    assert channel_name(None, "web-77b1") == "web"
    assert channel_name(None, "tg:42") == "telegram"
    assert channel_name(None, "any-client") == "unrecorded"
    assert channel_name("web", "widget-3f2a") == "web"  # what the gateway recorded wins
    assert channel_name("<b>sms</b>", "x") == "other"


def test_channels(stats: DashboardStats) -> None:
    channels = {s.name: (s.messages, s.conversations) for s in stats.channels}
    assert channels == {"web": (6, 5), "widget": (2, 1), "telegram": (2, 2), "unrecorded": (1, 1)}
    assert stats.channels[0].name == "web"  # most messages first


def test_languages(stats: DashboardStats) -> None:
    assert stats.languages == {"zh": 7, "en": 3, "button": 1}
    # p1's day had Chinese and a button press: a Chinese conversation.
    assert stats.conversation_languages == {"zh": 7, "en": 2}


def test_an_empty_period_has_no_figures(store: SyntheticTrackerStore, tmp_path: Path) -> None:
    empty = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 7))
    stats = read_dashboard(
        TrackerStoreReader.for_store(None, store.path), tmp_path / "q", empty, TOPICS
    )
    assert stats.messages == stats.conversations == 0
    assert stats.unanswered_rate is None
    assert stats.reply_median_s is None
    assert stats.reply_p95_s is None
    assert len(stats.days) == 7


def test_a_missing_store_reads_as_empty_without_creating_it(tmp_path: Path) -> None:
    path = tmp_path / "tracker.sqlite3"
    stats = read_dashboard(TrackerStoreReader.for_store(None, path), tmp_path / "q", PERIOD, {})
    assert stats.messages == 0
    assert not path.exists()


def test_pages_of_rows_lose_and_repeat_nothing(
    store: SyntheticTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Events with the same timestamp on both sides of a page boundary.
    for sender in ("same-a", "same-b", "same-c", "same-d"):
        store.user(sender, beijing("2026-11-27", "12:00:00"), "同一时刻", language="zh")
    reader = TrackerStoreReader.for_store(None, store.path)
    whole = list(reader.rows(PERIOD.start_s, PERIOD.end_s))
    monkeypatch.setattr(dashboard_source, "CHUNK_ROWS", 3)
    paged = list(reader.rows(PERIOD.start_s, PERIOD.end_s))
    assert paged == whole
    assert len(whole) > 10


def test_the_period_is_read_through_a_time_index(store: SyntheticTrackerStore) -> None:
    list(TrackerStoreReader.for_store(None, store.path).rows(PERIOD.start_s, PERIOD.end_s))
    with sqlite3.connect(store.path) as db:
        indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        assert TIMESTAMP_INDEX in indexes
        plan = " ".join(
            str(row[-1])
            for row in db.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM events WHERE timestamp >= ? AND timestamp < ?"
                " ORDER BY timestamp, id",
                (PERIOD.start_s, PERIOD.end_s),
            )
        )
    assert TIMESTAMP_INDEX in plan


def test_rows_carry_the_fields_the_gateway_and_rasa_stored(
    store: SyntheticTrackerStore,
) -> None:
    rows = list(
        TrackerStoreReader.for_store(None, store.path).rows(
            beijing("2026-11-25", "08:00:00"), beijing("2026-11-25", "09:00:02")
        )
    )
    user, bot = rows[0], rows[1]
    assert (user.type_name, user.channel, user.language, user.payload) == (
        "user",
        "widget",
        "en",
        False,
    )
    assert user.sent_at == pytest.approx(beijing("2026-11-25", "09:00:00") - 0.1)
    assert (bot.type_name, bot.utter_action) == ("bot", "utter_guidance_maybe")
    assert {r.type_name for r in rows} == {"user", "bot"}  # no action or featurization rows


def test_postgres_urls_use_the_installed_driver(tmp_path: Path) -> None:
    assert engine_url("postgresql://tuoyu@db/rasa", tmp_path / "t") == (
        "postgresql+psycopg://tuoyu@db/rasa"
    )
    assert engine_url(None, tmp_path / "t.sqlite3") == f"sqlite:///{tmp_path / 't.sqlite3'}"


def test_percentiles() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert p95([float(n) for n in range(1, 101)]) == 95.0
    assert p95([1.0, 2.0]) == 2.0
    assert median([]) is None
    assert p95([]) is None


def test_a_turn_takes_the_most_important_kind_of_its_responses() -> None:
    assert turn_kind(["utter_triage_not_emergency", "utter_guidance_answer"], True) == CONFIDENT
    assert turn_kind(["utter_triage_not_emergency"], True) == TRIAGE_CLEARED
    assert turn_kind(["utter_guidance_answer", "utter_emergency"], True) == EMERGENCY
    assert turn_kind(["utter_greet"], True) == SMALL_TALK
    assert turn_kind([], True) == OTHER  # a message with no response name
    assert turn_kind([], False) == NO_REPLY


def test_every_response_in_the_domain_has_a_kind() -> None:
    """A new response must be placed deliberately, not counted as 'other' unnoticed."""
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text("utf-8"))
    unplaced = [
        name
        for name in domain["responses"]
        if response_kind(name) == OTHER and name not in ACCOMPANYING_RESPONSES
    ]
    assert unplaced == []


def test_rows_in_any_order_of_senders_make_the_same_figures(store: SyntheticTrackerStore) -> None:
    reader = TrackerStoreReader.for_store(None, store.path)
    rows = list(reader.rows(PERIOD.previous().start_s, PERIOD.end_s + 60))
    by_sender = sorted(rows, key=lambda r: r.sender_id)  # each sender's events stay in order
    assert compute_dashboard(by_sender, PERIOD, topics_of=TOPICS) == compute_dashboard(
        rows, PERIOD, topics_of=TOPICS
    )


QUEUE_SCHEMA = """
CREATE TABLE unanswered_questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, asked_at TEXT NOT NULL, language TEXT NOT NULL,
    question TEXT NOT NULL, best_entry_id TEXT, best_score REAL, asker TEXT,
    times INTEGER NOT NULL DEFAULT 1, dismissed_at TEXT, dismissed_reason TEXT,
    dismissed_by TEXT, kind TEXT, resolved_at TEXT, resolved_entry_id TEXT, resolved_by TEXT);
CREATE TABLE answer_ratings (
    answer_id TEXT PRIMARY KEY, asker TEXT NOT NULL, rating TEXT NOT NULL,
    entry_id TEXT NOT NULL, language TEXT NOT NULL, rated_at TEXT NOT NULL,
    queue_row_id INTEGER);
"""


def _utc(day_: str, clock: str) -> str:
    at = dt.datetime.fromtimestamp(beijing(day_, clock), dt.UTC)
    return at.isoformat(timespec="seconds")


def test_review_queue_figures_for_the_period(tmp_path: Path) -> None:
    path = tmp_path / "review-queue.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(QUEUE_SCHEMA)
        rows = [
            # (asked, times, kind, dismissed, resolved)
            (_utc("2026-11-24", "00:00:00"), 3, "not_sure", None, None),
            (_utc("2026-11-25", "10:00:00"), 1, "middle_tier", "x", None),
            (_utc("2026-11-26", "10:00:00"), 2, None, None, "y"),
            (_utc("2026-11-27", "10:00:00"), 1, "unhelpful", None, None),  # a 👎, not a question
            (_utc("2026-11-23", "23:59:59"), 5, "not_sure", None, None),  # the day before
            (_utc("2026-12-01", "00:00:00"), 5, "not_sure", None, None),  # the day after
        ]
        db.executemany(
            "INSERT INTO unanswered_questions (asked_at, language, question, times, kind,"
            " dismissed_at, resolved_at) VALUES (?, 'zh', 'q', ?, ?, ?, ?)",
            rows,
        )
        db.executemany(
            "INSERT INTO answer_ratings VALUES (?, 'a', ?, 'solids', 'zh', ?, NULL)",
            [
                ("a1", "up", _utc("2026-11-24", "12:00:00")),
                ("a2", "up", _utc("2026-11-25", "12:00:00")),
                ("a3", "down", _utc("2026-11-27", "10:00:00")),
                ("a4", "down", _utc("2026-12-02", "10:00:00")),
            ],
        )
    figures = review_figures(path, PERIOD.start_s, PERIOD.end_s)
    assert figures == ReviewFigures(
        questions=3,
        times_asked=6,
        open=1,
        resolved=1,
        dismissed=1,
        ratings_up=2,
        ratings_down=1,
    )


def test_a_first_release_review_queue_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "review-queue.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE unanswered_questions (id INTEGER PRIMARY KEY AUTOINCREMENT, asked_at"
            " TEXT NOT NULL, language TEXT NOT NULL, question TEXT NOT NULL, best_entry_id TEXT,"
            " best_score REAL)"
        )
        db.execute(
            "INSERT INTO unanswered_questions (asked_at, language, question) VALUES (?, 'zh', 'q')",
            (_utc("2026-11-25", "10:00:00"),),
        )
    figures = review_figures(path, PERIOD.start_s, PERIOD.end_s)
    assert (figures.questions, figures.times_asked, figures.open) == (1, 1, 1)
    assert review_figures(tmp_path / "none.sqlite3", 0, 1) == ReviewFigures.empty()
