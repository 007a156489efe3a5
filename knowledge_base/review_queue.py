"""Questions the bot could not answer confidently, kept for staff to add content.

The same question asked again the same day raises its count instead of adding a row, and
one asker adds at most MAX_PER_ASKER_PER_DAY rows a day: a script cannot flood the queue.
Askers are kept only as a one-way tag of their sender id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.privacy import mask_personal_numbers

_SCHEMA = """
CREATE TABLE IF NOT EXISTS unanswered_questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at TEXT NOT NULL,
    language TEXT NOT NULL,
    question TEXT NOT NULL,
    best_entry_id TEXT,
    best_score REAL,
    asker TEXT,
    times INTEGER NOT NULL DEFAULT 1
)
"""
# Columns added after the first release, for queues created before them.
_ADDED_COLUMNS = {
    "asker": "TEXT",
    "times": "INTEGER NOT NULL DEFAULT 1",
    # Set when staff dismiss a question (the staff console): it needs no answer, and why.
    "dismissed_at": "TEXT",
    "dismissed_reason": "TEXT",
}
MAX_STORED_CHARS = 2000
MAX_PER_ASKER_PER_DAY = 20


@dataclass(frozen=True)
class UnansweredQuestion:
    asked_at: str
    language: str
    question: str
    best_entry_id: str | None
    best_score: float | None
    times: int = 1


@dataclass(frozen=True)
class QuestionGroup:
    """Every open (not dismissed) row with the same masked text."""

    question: str
    language: str
    times: int
    latest: str
    best_entry_id: str | None


def _asker_tag(asker: str) -> str:
    """What is stored instead of the sender id: enough to cap and erase, not to contact."""
    return hashlib.sha256(asker.encode()).hexdigest()[:16]


class ReviewQueue:
    """An SQLite table of unanswered questions, with phone and ID numbers masked."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)
            present = {row[1] for row in db.execute("PRAGMA table_info(unanswered_questions)")}
            for column, kind in _ADDED_COLUMNS.items():
                if column not in present:
                    db.execute(f"ALTER TABLE unanswered_questions ADD COLUMN {column} {kind}")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=10)

    def record(
        self,
        question: str,
        language: str,
        best_entry_id: str | None,
        best_score: float | None,
        asker: str | None = None,
    ) -> None:
        masked = mask_personal_numbers(question.strip())[:MAX_STORED_CHARS]
        asked_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        today = asked_at[:10] + "%"
        tag = _asker_tag(asker) if asker else None
        with self._connect() as db:
            same = db.execute(
                "SELECT id FROM unanswered_questions WHERE question = ? AND asked_at LIKE ?",
                (masked, today),
            ).fetchone()
            if same is not None:
                db.execute(
                    "UPDATE unanswered_questions SET times = times + 1, asked_at = ? WHERE id = ?",
                    (asked_at, same[0]),
                )
                return
            if tag is not None:
                (rows,) = db.execute(
                    "SELECT COUNT(*) FROM unanswered_questions WHERE asker = ? AND asked_at LIKE ?",
                    (tag, today),
                ).fetchone()
                if rows >= MAX_PER_ASKER_PER_DAY:
                    return
            db.execute(
                "INSERT INTO unanswered_questions (asked_at, language, question, best_entry_id,"
                " best_score, asker) VALUES (?,?,?,?,?,?)",
                (asked_at, language, masked, best_entry_id, best_score, tag),
            )

    def forget(self, asker: str) -> int:
        """Removes the questions this asker added ("delete my data"); returns how many."""
        tag = _asker_tag(asker)
        with self._connect() as db:
            return db.execute("DELETE FROM unanswered_questions WHERE asker = ?", (tag,)).rowcount

    def recent(self, limit: int = 50) -> list[UnansweredQuestion]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT asked_at, language, question, best_entry_id, best_score, times "
                "FROM unanswered_questions ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [UnansweredQuestion(*row) for row in rows]

    def open_groups(self, limit: int = 200) -> list[QuestionGroup]:
        """Open questions grouped by identical (masked) text, most recently asked first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT question, MAX(language), SUM(times), MAX(asked_at), MAX(best_entry_id) "
                "FROM unanswered_questions WHERE dismissed_at IS NULL "
                "GROUP BY question ORDER BY MAX(asked_at) DESC, MAX(id) DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [QuestionGroup(*row) for row in rows]

    def dismiss(self, question: str, reason: str) -> int:
        """Marks every open row with this text dismissed; returns how many."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            return db.execute(
                "UPDATE unanswered_questions SET dismissed_at = ?, dismissed_reason = ? "
                "WHERE question = ? AND dismissed_at IS NULL",
                (at, reason, question),
            ).rowcount
