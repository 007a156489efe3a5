"""What the dashboard reads: Rasa's tracker store and the review queue, with plain SQL.

The tracker store is the `events` table Rasa 3.6's SQLTrackerStore writes (SQLite at
settings.tracker_db_path, or the database TUOYU_TRACKER_STORE_URL names): one row per event
with sender_id, type_name, timestamp (Unix seconds), intent_name, action_name (a slot event's
slot name) and data (the event as JSON). Only the few JSON fields the dashboard needs are
extracted, in the database, and rows come in pages of CHUNK_ROWS ordered by (timestamp, id),
each page its own short query: SQLite's default journal lets a long read hold off Rasa's
writes, and a page keeps that wait to milliseconds. Nothing here imports rasa.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
TIMESTAMP_INDEX = "ix_events_timestamp"
# Senders the service itself uses: `make run`'s warm-up messages (bot/cli.py) and the test
# stacks' (bot/local_stack.py). They are not parents.
INTERNAL_SENDERS = ("tuoyu-warm-up", "warm-up")
# The one slot whose events the dashboard reads: the entry a confident answer used
# (actions/guidance.py sets it with every confident answer).
ENTRY_SLOT = "last_entry_id"

# Per dialect, the SQL that takes one field out of the event JSON in `data`.
_SQLITE_FIELDS = {
    "channel": "json_extract(data, '$.metadata.channel')",
    "language": "json_extract(data, '$.metadata.language')",
    "sent_at": "json_extract(data, '$.metadata.sent_at')",
    "first_char": "substr(json_extract(data, '$.text'), 1, 1)",
    "utter_action": "json_extract(data, '$.metadata.utter_action')",
    "value": "json_extract(data, '$.value')",
}
_POSTGRES_FIELDS = {
    "channel": "(data::json -> 'metadata' ->> 'channel')",
    "language": "(data::json -> 'metadata' ->> 'language')",
    "sent_at": "(data::json -> 'metadata' ->> 'sent_at')",
    "first_char": "left(data::json ->> 'text', 1)",
    "utter_action": "(data::json -> 'metadata' ->> 'utter_action')",
    "value": "(data::json ->> 'value')",
}


class TrackerRow(NamedTuple):
    """One event the dashboard uses: a parent's message, a bot message, or the entry slot.
    (A named tuple: a 90-day read makes hundreds of thousands.)"""

    sender_id: str
    type_name: str  # "user", "bot" or "slot"
    timestamp: float
    channel: str | None = None  # user: the gateway's metadata
    language: str | None = None  # user: the language the gateway saw in the text
    sent_at: float | None = None  # user: when the gateway sent it to Rasa
    payload: bool = False  # user: a button's payload ("/ask_guidance{...}"), not typed text
    utter_action: str | None = None  # bot: the response it came from ("utter_guidance_answer")
    entry_id: str | None = None  # slot: the entry a confident answer used


def _select(fields: dict[str, str]) -> str:
    user, bot, slot = "type_name = 'user'", "type_name = 'bot'", "type_name = 'slot'"
    return f"""
        SELECT id, sender_id, type_name, timestamp,
            CASE WHEN {user} THEN {fields["channel"]} END,
            CASE WHEN {user} THEN {fields["language"]} END,
            CASE WHEN {user} THEN {fields["sent_at"]} END,
            CASE WHEN {user} THEN {fields["first_char"]} END,
            CASE WHEN {bot} THEN {fields["utter_action"]} END,
            CASE WHEN {slot} THEN {fields["value"]} END
        FROM events
        WHERE timestamp >= :after_ts AND timestamp < :stop
            AND (timestamp > :after_ts OR id > :after_id)
            AND sender_id NOT IN :internal
            AND (type_name IN ('user', 'bot')
                 OR (type_name = 'slot' AND action_name = :entry_slot))
        ORDER BY timestamp, id
        LIMIT :chunk
    """


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):  # PostgreSQL's ->> gives text
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _row(raw: sa.Row[Any]) -> TrackerRow:
    _, sender, type_name, timestamp, channel, language, sent_at, first, utter, value = tuple(raw)
    return TrackerRow(
        sender_id=str(sender),
        type_name=str(type_name),
        timestamp=float(timestamp),
        channel=_text(channel),
        language=_text(language),
        sent_at=_number(sent_at),
        payload=first == "/",
        utter_action=_text(utter),
        entry_id=_text(value),
    )


def engine_url(tracker_store_url: str | None, tracker_db_path: Path) -> str:
    """An SQLAlchemy URL for the tracker store Rasa uses: PostgreSQL through psycopg 3 (the
    driver this environment has), else the SQLite file."""
    if not tracker_store_url:
        return f"sqlite:///{tracker_db_path}"
    scheme, _, rest = tracker_store_url.partition("://")
    if scheme.split("+")[0] in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return tracker_store_url


class TrackerStoreReader:
    """Reads the events of a period from Rasa's tracker store, page by page."""

    def __init__(self, url: str) -> None:
        self._url = url

    @classmethod
    def for_store(cls, tracker_store_url: str | None, tracker_db_path: Path) -> TrackerStoreReader:
        return cls(engine_url(tracker_store_url, tracker_db_path))

    def _sqlite_file_missing(self) -> bool:
        # Opening a missing SQLite file would create an empty one where Rasa's should be.
        if not self._url.startswith("sqlite:///"):
            return False
        return not Path(self._url.removeprefix("sqlite:///")).is_file()

    def rows(self, start_s: float, stop_s: float) -> Iterator[TrackerRow]:
        """The events from start_s (included) to stop_s (excluded), in time order."""
        if self._sqlite_file_missing():
            return
        engine = sa.create_engine(self._url)
        try:
            if not sa.inspect(engine).has_table("events"):
                return  # Rasa has not stored a conversation yet
            ensure_timestamp_index(engine)
            fields = _POSTGRES_FIELDS if engine.dialect.name == "postgresql" else _SQLITE_FIELDS
            query = sa.text(_select(fields)).bindparams(sa.bindparam("internal", expanding=True))
            # Keyset paging: each page starts where the last ended, through the time index
            # (a bound the index can seek to, so a page never rescans the ones before).
            after_ts, after_id = start_s, -1
            while True:
                with engine.connect() as connection:
                    page = connection.execute(
                        query,
                        {
                            "stop": stop_s,
                            "after_ts": after_ts,
                            "after_id": after_id,
                            "internal": list(INTERNAL_SENDERS),
                            "entry_slot": ENTRY_SLOT,
                            "chunk": CHUNK_ROWS,
                        },
                    ).all()
                for raw in page:
                    yield _row(raw)
                if len(page) < CHUNK_ROWS:
                    return
                after_ts, after_id = float(page[-1][3]), int(page[-1][0])
        finally:
            engine.dispose()


def ensure_timestamp_index(engine: sa.Engine) -> None:
    """Rasa indexes its events only by sender; reading a period needs them by time too.
    Created once, best effort: without it (a read-only database user) every read scans."""
    try:
        if any(i["name"] == TIMESTAMP_INDEX for i in sa.inspect(engine).get_indexes("events")):
            return
        if engine.dialect.name == "postgresql":
            # CONCURRENTLY: Rasa keeps writing while the index is built.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(
                    sa.text(
                        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TIMESTAMP_INDEX} "
                        "ON events (timestamp)"
                    )
                )
        else:
            with engine.begin() as connection:
                connection.execute(
                    sa.text(f"CREATE INDEX IF NOT EXISTS {TIMESTAMP_INDEX} ON events (timestamp)")
                )
        logger.info("Indexed the tracker store's events by time (%s)", TIMESTAMP_INDEX)
    except sa.exc.SQLAlchemyError as error:
        logger.warning("Could not index the tracker store by time, reading without: %s", error)


@dataclass(frozen=True)
class ReviewFigures:
    """The review queue over a period, by when each row was last asked (or rated)."""

    questions: int  # distinct questions not answered confidently (rows)
    times_asked: int  # how often they were asked, repeats on the same day included
    open: int  # of those rows, neither resolved nor dismissed by staff yet
    resolved: int  # linked by staff to an entry that answers them
    dismissed: int  # needing no answer, staff said
    ratings_up: int  # answers parents rated 👍
    ratings_down: int  # answers parents rated 👎 (queued as unhelpful for staff)

    @classmethod
    def empty(cls) -> ReviewFigures:
        return cls(0, 0, 0, 0, 0, 0, 0)


def _utc_iso(seconds: float) -> str:
    # The queue writes its times like this (knowledge_base/review_queue.py), so text order is
    # time order.
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}


def review_figures(path: Path, start_s: float, end_s: float) -> ReviewFigures:
    """Read-only, with plain SQL: opening ReviewQueue would create the file and its tables.
    Queues written by earlier releases lack some columns; what they lack counts as nothing
    decided (every row open, every row a question the bot could not answer)."""
    if not path.is_file():
        return ReviewFigures.empty()
    bounds = (_utc_iso(start_s), _utc_iso(end_s))
    uri = f"file:{path}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as db:
        columns = _columns(db, "unanswered_questions")
        if not columns:
            return ReviewFigures.empty()
        times = "COALESCE(SUM(times), 0)" if "times" in columns else "COUNT(*)"
        resolved = "resolved_at IS NOT NULL" if "resolved_at" in columns else "0"
        dismissed = "dismissed_at IS NOT NULL" if "dismissed_at" in columns else "0"
        # Rows a 👎 added are answers a parent found unhelpful, not unanswered questions.
        unanswered = "(kind IS NULL OR kind != 'unhelpful')" if "kind" in columns else "1"
        questions, times_asked, open_rows, resolved_rows, dismissed_rows = db.execute(
            f"SELECT COUNT(*), {times}, COALESCE(SUM(NOT ({resolved}) AND NOT ({dismissed})), 0),"
            f" COALESCE(SUM({resolved}), 0), COALESCE(SUM({dismissed}), 0) "
            f"FROM unanswered_questions WHERE asked_at >= ? AND asked_at < ? AND {unanswered}",
            bounds,
        ).fetchone()
        ratings = {"up": 0, "down": 0}
        if {"rating", "rated_at"} <= _columns(db, "answer_ratings"):
            for rating, count in db.execute(
                "SELECT rating, COUNT(*) FROM answer_ratings "
                "WHERE rated_at >= ? AND rated_at < ? GROUP BY rating",
                bounds,
            ):
                ratings[str(rating)] = int(count)
    return ReviewFigures(
        questions=int(questions),
        times_asked=int(times_asked),
        open=int(open_rows),
        resolved=int(resolved_rows),
        dismissed=int(dismissed_rows),
        ratings_up=ratings.get("up", 0),
        ratings_down=ratings.get("down", 0),
    )
