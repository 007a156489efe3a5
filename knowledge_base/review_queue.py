"""Questions for staff: those the bot could not answer confidently, and answers parents rated.

Each row is one question, phone and ID numbers masked before it is written, with its kind:
`not_sure` (the bot said it was not sure), `middle_tier` (it offered entries that might answer)
or `unhelpful` (it answered, and the parent tapped 👎; `best_entry_id` is the entry it gave).
Staff either resolve a row (linked to the entry that answers it) or dismiss it with a reason;
until then it is open.

The same question asked again the same day raises its count instead of adding a row, and one
asker adds at most MAX_PER_ASKER_PER_DAY rows a day: a script cannot flood the queue. Askers
are kept only as a one-way tag of their sender id, enough to cap and to erase ("delete my
data"), not to contact anyone.

Ratings (👍 and 👎) are kept per answer, one per answer: a parent who changes their mind
changes the rating, and a 👎 taken back takes its open row out of the queue again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from knowledge_base.privacy import mask_personal_numbers

Kind = Literal["not_sure", "middle_tier", "unhelpful"]
KINDS: tuple[Kind, ...] = ("not_sure", "middle_tier", "unhelpful")
Rating = Literal["up", "down"]
RATINGS: tuple[Rating, ...] = ("up", "down")
State = Literal["open", "resolved", "dismissed"]

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS unanswered_questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        asked_at TEXT NOT NULL,
        language TEXT NOT NULL,
        question TEXT NOT NULL,
        best_entry_id TEXT,
        best_score REAL,
        asker TEXT,
        times INTEGER NOT NULL DEFAULT 1
    )""",
    # One row per rated answer. queue_row_id: the unhelpful row a 👎 put in the queue.
    """CREATE TABLE IF NOT EXISTS answer_ratings (
        answer_id TEXT PRIMARY KEY,
        asker TEXT NOT NULL,
        rating TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        language TEXT NOT NULL,
        rated_at TEXT NOT NULL,
        queue_row_id INTEGER
    )""",
)
# Columns added after the first release, for queues created before them (SQLite fills existing
# rows with NULL, or the default).
_ADDED_COLUMNS = {
    "asker": "TEXT",
    "times": "INTEGER NOT NULL DEFAULT 1",
    # Dismissed by staff: the question needs no answer, and why.
    "dismissed_at": "TEXT",
    "dismissed_reason": "TEXT",
    "dismissed_by": "TEXT",
    # NULL on rows written before kinds were kept: they were not answered confidently.
    "kind": "TEXT",
    # Resolved by staff: linked to the entry that answers it.
    "resolved_at": "TEXT",
    "resolved_entry_id": "TEXT",
    "resolved_by": "TEXT",
}
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS unanswered_questions_asker ON unanswered_questions (asker)",
    "CREATE INDEX IF NOT EXISTS answer_ratings_asker ON answer_ratings (asker)",
    "CREATE INDEX IF NOT EXISTS answer_ratings_entry ON answer_ratings (entry_id)",
)
_COLUMNS = (
    "id, asked_at, language, question, best_entry_id, best_score, times, kind, "
    "resolved_at, resolved_entry_id, resolved_by, dismissed_at, dismissed_reason, dismissed_by"
)
_OPEN = "resolved_at IS NULL AND dismissed_at IS NULL"
_STATE_FILTERS: dict[State, str] = {
    "open": _OPEN,
    "resolved": "resolved_at IS NOT NULL",
    "dismissed": "dismissed_at IS NOT NULL",
}
_STATE_ORDER: dict[State, str] = {
    "open": "asked_at DESC, id DESC",
    "resolved": "resolved_at DESC, id DESC",
    "dismissed": "dismissed_at DESC, id DESC",
}
# The rows an action names, and every open row with the same text: a question asked again
# after the page was shown is part of the same decision.
_NAMED_OR_SAME_TEXT = (
    "(id IN (SELECT value FROM json_each(:ids)) OR question IN "
    "(SELECT question FROM unanswered_questions WHERE id IN (SELECT value FROM json_each(:ids))))"
)
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
class QueueRow:
    """One stored question with what staff decided about it (None: not decided)."""

    id: int
    asked_at: str
    language: str
    question: str
    best_entry_id: str | None
    best_score: float | None
    times: int
    kind: Kind | None
    resolved_at: str | None = None
    resolved_entry_id: str | None = None
    resolved_by: str | None = None
    dismissed_at: str | None = None
    dismissed_reason: str | None = None
    dismissed_by: str | None = None

    @property
    def state(self) -> State:
        if self.resolved_at is not None:
            return "resolved"
        return "dismissed" if self.dismissed_at is not None else "open"


@dataclass(frozen=True)
class AnswerRating:
    """A parent's 👍 or 👎 on one answer the bot gave them."""

    answer_id: str
    asker: str
    rating: Rating
    question: str
    language: str
    entry_id: str


@dataclass(frozen=True)
class RatingChange:
    previous: Rating | None
    rating: Rating
    queued: bool  # a 👎 put the question in the queue (False when the asker's cap is reached)


@dataclass(frozen=True)
class RatingCounts:
    up: int = 0
    down: int = 0


@dataclass(frozen=True)
class ResolvedQuestion:
    """A question staff linked to the entry that answers it (the export's raw material)."""

    question: str
    language: str
    entry_id: str
    resolved_at: str


def _asker_tag(asker: str) -> str:
    """What is stored instead of the sender id: enough to cap and erase, not to contact."""
    return hashlib.sha256(asker.encode()).hexdigest()[:16]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _ids(row_ids: Iterable[int]) -> str:
    return json.dumps(sorted({int(i) for i in row_ids}))


class ReviewQueue:
    """An SQLite file of questions for staff and of parents' ratings. Cheap to construct;
    connects per call, so one instance may be used from several threads."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._write() as db:
            for statement in _SCHEMA:
                db.execute(statement)
            present = {row[1] for row in db.execute("PRAGMA table_info(unanswered_questions)")}
            for column, kind in _ADDED_COLUMNS.items():
                if column not in present:
                    db.execute(f"ALTER TABLE unanswered_questions ADD COLUMN {column} {kind}")
            for statement in _INDEXES:
                db.execute(statement)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self._path, timeout=10)
        try:
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction that holds the write lock from its first statement, so that a
        read-then-write (a repeated question, a changed rating) cannot interleave."""
        connection = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    # -- what the bot and parents add --------------------------------------------------------

    def record(
        self,
        question: str,
        language: str,
        best_entry_id: str | None,
        best_score: float | None,
        asker: str | None = None,
        kind: Kind = "not_sure",
    ) -> None:
        """A question the bot did not answer confidently (kind says how it replied; a
        repeat the same day keeps how it replied last)."""
        masked = mask_personal_numbers(question.strip())[:MAX_STORED_CHARS]
        asked_at = _now()
        tag = _asker_tag(asker) if asker else None
        with self._write() as db:
            same = db.execute(
                "SELECT id FROM unanswered_questions WHERE question = ? AND asked_at LIKE ? "
                "AND kind IS NOT 'unhelpful'",
                (masked, asked_at[:10] + "%"),
            ).fetchone()
            if same is not None:
                db.execute(
                    "UPDATE unanswered_questions SET times = times + 1, asked_at = ?, kind = ?,"
                    " best_entry_id = ?, best_score = ? WHERE id = ?",
                    (asked_at, kind, best_entry_id, best_score, same[0]),
                )
                return
            self._insert(db, asked_at, language, masked, best_entry_id, best_score, tag, kind)

    @staticmethod
    def _insert(
        db: sqlite3.Connection,
        asked_at: str,
        language: str,
        masked: str,
        best_entry_id: str | None,
        best_score: float | None,
        tag: str | None,
        kind: Kind,
    ) -> int | None:
        """A new row, unless the asker has reached today's cap; its id."""
        if tag is not None:
            (rows,) = db.execute(
                "SELECT COUNT(*) FROM unanswered_questions WHERE asker = ? AND asked_at LIKE ?",
                (tag, asked_at[:10] + "%"),
            ).fetchone()
            if rows >= MAX_PER_ASKER_PER_DAY:
                return None
        cursor = db.execute(
            "INSERT INTO unanswered_questions (asked_at, language, question, best_entry_id,"
            " best_score, asker, kind) VALUES (?,?,?,?,?,?,?)",
            (asked_at, language, masked, best_entry_id, best_score, tag, kind),
        )
        return cursor.lastrowid

    def rate(self, rating: AnswerRating) -> RatingChange:
        """Keeps one rating per answer. A 👎 puts the question in the queue as `unhelpful`
        with the entry it got; changing it to 👍 takes that row out again while it is open
        (a row staff already decided on stays, with their decision)."""
        tag = _asker_tag(rating.asker)
        now = _now()
        with self._write() as db:
            found = db.execute(
                "SELECT rating, queue_row_id FROM answer_ratings WHERE answer_id = ?",
                (rating.answer_id,),
            ).fetchone()
            previous: Rating | None = found[0] if found else None
            queue_row: int | None = found[1] if found else None
            if previous == rating.rating:
                return RatingChange(previous, rating.rating, queued=queue_row is not None)
            if rating.rating == "down":
                masked = mask_personal_numbers(rating.question.strip())[:MAX_STORED_CHARS]
                queue_row = self._insert(
                    db, now, rating.language, masked, rating.entry_id, None, tag, "unhelpful"
                )
            elif queue_row is not None:
                db.execute(
                    f"DELETE FROM unanswered_questions WHERE id = ? AND {_OPEN}", (queue_row,)
                )
                queue_row = None
            db.execute(
                "INSERT INTO answer_ratings (answer_id, asker, rating, entry_id, language,"
                " rated_at, queue_row_id) VALUES (?,?,?,?,?,?,?) ON CONFLICT (answer_id) DO "
                "UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at,"
                " queue_row_id = excluded.queue_row_id",
                (
                    rating.answer_id,
                    tag,
                    rating.rating,
                    rating.entry_id,
                    rating.language,
                    now,
                    queue_row,
                ),
            )
        return RatingChange(previous, rating.rating, queued=queue_row is not None)

    def forget(self, asker: str) -> int:
        """Removes the questions this asker added and their ratings ("delete my data");
        returns how many questions."""
        tag = _asker_tag(asker)
        with self._write() as db:
            db.execute("DELETE FROM answer_ratings WHERE asker = ?", (tag,))
            return db.execute("DELETE FROM unanswered_questions WHERE asker = ?", (tag,)).rowcount

    # -- what staff read ---------------------------------------------------------------------

    def recent(self, limit: int = 50) -> list[UnansweredQuestion]:
        with self._read() as db:
            rows = db.execute(
                "SELECT asked_at, language, question, best_entry_id, best_score, times "
                "FROM unanswered_questions ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [UnansweredQuestion(*row) for row in rows]

    def rows(self, state: State = "open", limit: int = 5000) -> list[QueueRow]:
        """Rows in one state: open ones most recently asked first, decided ones most
        recently decided first."""
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM unanswered_questions WHERE {_STATE_FILTERS[state]} "
                f"ORDER BY {_STATE_ORDER[state]} LIMIT ?",
                (limit,),
            ).fetchall()
        return [QueueRow(*row) for row in rows]

    def get(self, row_ids: Iterable[int]) -> list[QueueRow]:
        """These rows, whatever their state (those that exist)."""
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM unanswered_questions "
                "WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                (_ids(row_ids),),
            ).fetchall()
        return [QueueRow(*row) for row in rows]

    def rating_counts(self) -> dict[str, RatingCounts]:
        """👍 and 👎 per entry, over every rating kept."""
        with self._read() as db:
            rows = db.execute(
                "SELECT entry_id, SUM(rating = 'up'), SUM(rating = 'down') FROM answer_ratings "
                "GROUP BY entry_id"
            ).fetchall()
        return {entry_id: RatingCounts(int(up), int(down)) for entry_id, up, down in rows}

    def resolved_questions(self) -> list[ResolvedQuestion]:
        """Each resolved text once per language, with its latest resolution."""
        with self._read() as db:
            rows = db.execute(
                "SELECT question, language, resolved_entry_id, resolved_at "
                "FROM unanswered_questions WHERE resolved_at IS NOT NULL "
                "ORDER BY resolved_at, id"
            ).fetchall()
        latest: dict[tuple[str, str], ResolvedQuestion] = {}
        for question, language, entry_id, resolved_at in rows:
            latest[(question, language)] = ResolvedQuestion(
                question, language, entry_id, resolved_at
            )
        return list(latest.values())

    # -- what staff decide -------------------------------------------------------------------

    def resolve(self, row_ids: Iterable[int], entry_id: str, by: str) -> int:
        """Marks these open rows (and open rows with the same text) answered by entry_id;
        returns how many."""
        with self._write() as db:
            return db.execute(
                "UPDATE unanswered_questions SET resolved_at = :at, resolved_entry_id = :entry,"
                f" resolved_by = :by WHERE {_OPEN} AND {_NAMED_OR_SAME_TEXT}",
                {"at": _now(), "entry": entry_id, "by": by, "ids": _ids(row_ids)},
            ).rowcount

    def dismiss(self, row_ids: Iterable[int], reason: str, by: str) -> int:
        """Marks these open rows (and open rows with the same text) as needing no answer;
        returns how many."""
        with self._write() as db:
            return db.execute(
                "UPDATE unanswered_questions SET dismissed_at = :at, dismissed_reason = :reason,"
                f" dismissed_by = :by WHERE {_OPEN} AND {_NAMED_OR_SAME_TEXT}",
                {"at": _now(), "reason": reason, "by": by, "ids": _ids(row_ids)},
            ).rowcount

    def reopen(self, row_ids: Iterable[int]) -> int:
        """Undoes a decision: these rows are open again. Returns how many changed."""
        with self._write() as db:
            return db.execute(
                "UPDATE unanswered_questions SET resolved_at = NULL, resolved_entry_id = NULL,"
                " resolved_by = NULL, dismissed_at = NULL, dismissed_reason = NULL,"
                f" dismissed_by = NULL WHERE NOT ({_OPEN})"
                " AND id IN (SELECT value FROM json_each(:ids))",
                {"ids": _ids(row_ids)},
            ).rowcount
