"""Questions the bot could not answer confidently, kept for staff to add content."""

from __future__ import annotations

import datetime as dt
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
    best_score REAL
)
"""
MAX_STORED_CHARS = 2000


@dataclass(frozen=True)
class UnansweredQuestion:
    asked_at: str
    language: str
    question: str
    best_entry_id: str | None
    best_score: float | None


class ReviewQueue:
    """An SQLite table of unanswered questions, with phone and ID numbers masked."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=10)

    def record(
        self,
        question: str,
        language: str,
        best_entry_id: str | None,
        best_score: float | None,
    ) -> None:
        masked = mask_personal_numbers(question.strip())[:MAX_STORED_CHARS]
        asked_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute(
                "INSERT INTO unanswered_questions "
                "(asked_at, language, question, best_entry_id, best_score) VALUES (?,?,?,?,?)",
                (asked_at, language, masked, best_entry_id, best_score),
            )

    def recent(self, limit: int = 50) -> list[UnansweredQuestion]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT asked_at, language, question, best_entry_id, best_score "
                "FROM unanswered_questions ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [UnansweredQuestion(*row) for row in rows]
