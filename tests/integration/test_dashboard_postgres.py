"""The dashboard over a tracker store in PostgreSQL (TUOYU_TRACKER_STORE_URL): the same
figures as from SQLite, with the JSON read by the server and the time index built
concurrently. One throwaway server (tests/integration/postgres.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.console.dashboard_period import Period
from bot.console.dashboard_source import TIMESTAMP_INDEX, TrackerStoreReader
from bot.console.dashboard_stats import read_dashboard
from tests.integration.postgres import PostgresServer
from tests.unit.tracker_store_builder import SAMPLE_TOPICS, build_sample_week

pytestmark = pytest.mark.integration

PERIOD = Period(dt.date(2026, 11, 24), dt.date(2026, 11, 30))
# The table as SQLAlchemy creates Rasa's SQLEvent on PostgreSQL (a sequence for the id).
EVENTS_DDL = (
    "CREATE SEQUENCE events_seq",
    "CREATE TABLE events (id INTEGER NOT NULL DEFAULT nextval('events_seq'),"
    " sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,"
    " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT,"
    " PRIMARY KEY (id))",
    "CREATE INDEX ix_events_sender_id ON events (sender_id)",
)


def test_postgresql_gives_the_same_figures_as_sqlite(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    store = build_sample_week(tmp_path / "tracker.sqlite3")
    with contextlib.closing(sqlite3.connect(store.path)) as db:
        rows = db.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data "
            "FROM events ORDER BY id"
        ).fetchall()
    url = postgres.create_database("tracker")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in EVENTS_DDL:
                connection.execute(sa.text(statement))
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name,"
                    " action_name, data) VALUES (:s, :t, :ts, :i, :a, :d)"
                ),
                [dict(zip(("s", "t", "ts", "i", "a", "d"), row, strict=True)) for row in rows],
            )
        # As settings give it: a plain postgresql:// URL, the driver chosen by the console.
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        from_postgres = read_dashboard(
            TrackerStoreReader.for_store(plain, tmp_path / "unused"),
            tmp_path / "no-queue",
            PERIOD,
            SAMPLE_TOPICS,
        )
        from_sqlite = read_dashboard(
            TrackerStoreReader.for_store(None, store.path),
            tmp_path / "no-queue",
            PERIOD,
            SAMPLE_TOPICS,
        )
        assert from_postgres == from_sqlite
        assert from_postgres.messages == 11
        with engine.connect() as connection:
            indexes = connection.execute(
                sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'events'")
            ).scalars()
            assert TIMESTAMP_INDEX in set(indexes)
    finally:
        engine.dispose()
