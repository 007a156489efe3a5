"""Entries as staff change them: files for what parents see, SQLite for changes and history.

- The content folder stays the truth the bot serves: one Markdown file per entry, written
  atomically (a temporary file, then os.replace), so git, `tuoyu kb check` and review in
  pull requests keep working, and a reader never sees half a file.
- A change to a published entry is kept in SQLite as a pending revision until it is
  published: parents keep getting the published text meanwhile. An entry that was never
  published has no such text to protect, so its file follows its draft (status draft or
  in_review; the bot never shows those).
- Workflow: draft -> in_review -> published. Any change to the text puts it back to draft.
  Medical and policy entries need a second person to publish (knowledge_base/four_eyes.py).
- Every revision is kept (who, when, the whole text), including changes seen on disk that
  came from outside the console (a git pull). Publishing a change whose published file was
  changed outside the console after the change was saved is refused until someone saves the
  change again, having seen the difference: nothing is overwritten silently.
- Every change is reported to an audit sink (the console's audit log).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path

from knowledge_base.content import EN_MARKER, STATUSES, Entry, check_entry_text
from knowledge_base.entry_draft import EntryDraft
from knowledge_base.four_eyes import second_person_reason
from knowledge_base.language import Language

# Who made a change the console found on disk (a git pull, an editor on the server).
OUTSIDE = "outside the console"
# Paths under /admin/kb/ that are pages, not entries.
RESERVED_IDS = frozenset({"new", "try", "publishing"})
MAX_EXAMPLE_QUESTIONS = 50
MAX_QUESTION_CHARS = 300
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS kb_revisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id TEXT NOT NULL,
        action TEXT NOT NULL,
        state TEXT NOT NULL,
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX IF NOT EXISTS kb_revisions_entry ON kb_revisions (entry_id, id)",
    # At most one pending change an entry: the revision staff work on, and whose it is.
    """CREATE TABLE IF NOT EXISTS kb_pending (
        entry_id TEXT PRIMARY KEY,
        revision_id INTEGER NOT NULL,
        state TEXT NOT NULL,
        editor TEXT NOT NULL,
        base_sha TEXT NOT NULL
    )""",
    # The file as the console last wrote or saw it: anything else came from outside.
    """CREATE TABLE IF NOT EXISTS kb_files (
        entry_id TEXT PRIMARY KEY,
        sha TEXT NOT NULL
    )""",
)

AuditSink = Callable[[str, str, str, object, object], None]


class ChangeRefused(ValueError):
    """A change that cannot be made; `problems` says why, one message each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Revision:
    id: int
    entry_id: str
    action: str  # created, saved, submitted, returned, published, restored, examples, ...
    state: str  # the entry's state after it: draft, in_review, published, deleted
    text: str
    author: str
    at: str
    note: str


@dataclass(frozen=True)
class Pending:
    entry_id: str
    revision_id: int
    state: str  # draft or in_review
    editor: str  # who last changed the text: not the one to publish a medical entry
    base_sha: str  # the published file the change was saved against; "" if none


@dataclass(frozen=True)
class WorkingCopy:
    """An entry as staff see it: the pending change if there is one, else the file."""

    entry_id: str
    text: str
    draft: EntryDraft
    state: str  # draft, in_review or published
    pending: Pending | None
    published_text: str | None  # what parents are served, when published
    latest_revision: int  # the newest revision id (0: no history yet); forms send it back
    problems: list[str]  # `kb check` messages for text
    file_changed_outside: bool  # the published file changed after the pending change

    @property
    def published(self) -> bool:
        return self.published_text is not None

    @property
    def published_draft(self) -> EntryDraft | None:
        return EntryDraft.from_text(self.published_text) if self.published_text else None

    def second_person_reason(self) -> str | None:
        """Why the person who last changed the text may not publish it (None: they may)."""
        return second_person_reason(self.published_draft, self.draft)


@dataclass(frozen=True)
class EntryRow:
    """One line of the entry list."""

    id: str
    title_zh: str
    title_en: str
    topics: tuple[str, ...]
    state: str  # draft, in_review or published (the file's)
    pending_state: str | None  # a change waiting on a published entry
    pending_editor: str | None
    needs_review: bool
    review_due: str
    overdue: bool
    missing_language: tuple[str, ...]
    problems: tuple[str, ...]
    searchable: str

    @property
    def workflow_state(self) -> str:
        return self.pending_state or self.state


@dataclass(frozen=True)
class EntryFilter:
    text: str = ""
    topic: str = ""
    state: str = ""  # draft, in_review, published, pending (a published entry with a change)
    needs_review: bool | None = None
    overdue: bool = False
    missing_language: bool = False

    def matches(self, row: EntryRow) -> bool:
        if self.text and self.text.lower() not in row.searchable:
            return False
        if self.topic and self.topic not in row.topics:
            return False
        if self.state == "pending":
            if row.pending_state is None:
                return False
        elif self.state and row.workflow_state != self.state:
            return False
        if self.needs_review is not None and row.needs_review != self.needs_review:
            return False
        return (not self.overdue or row.overdue) and (
            not self.missing_language or bool(row.missing_language)
        )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _sha(text: str | None) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else ""


def due_date(text: str) -> dt.date | None:
    """The last day a review date allows (YYYY-MM: the month's last day); None if invalid."""
    try:
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 3:
            return dt.date(parts[0], parts[1], parts[2])
        if len(parts) == 2:
            return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        if len(parts) == 1:
            return dt.date(parts[0], 12, 31)
    except ValueError:
        return None
    return None


def missing_language(entry: Entry | None, draft: EntryDraft) -> tuple[str, ...]:
    """What one language lacks: the English body or its safety lines, example questions."""
    missing = []
    if not draft.body_en.strip():
        missing.append("English body")
    elif entry is None or not entry.body_en:
        missing.append("English body incomplete")
    if not draft.title_en or not draft.summary_en:
        missing.append("English title or summary")
    if not draft.questions_zh:
        missing.append("Chinese example questions")
    if not draft.questions_en:
        missing.append("English example questions")
    return tuple(missing)


def write_atomically(path: Path, text: str) -> None:
    """The whole new text or the old file, never half of one (also across a crash)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # an ordinary content file, as git checks them out
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class ContentStore:
    """The content folder and the console's revisions of it. Connects to SQLite per call."""

    def __init__(
        self,
        content_dir: Path,
        db_path: Path,
        *,
        audit: AuditSink | None = None,
    ) -> None:
        self.content_dir = content_dir
        self._db_path = db_path
        self._audit = audit
        # Checking a change against the newest revision and storing it is one step.
        self._lock = threading.RLock()
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self._db_path, timeout=10)
        try:
            with connection:
                yield connection
        finally:
            connection.close()

    def path(self, entry_id: str) -> Path:
        return self.content_dir / f"{entry_id}.md"

    def _read(self, entry_id: str) -> str | None:
        try:
            return self.path(entry_id).read_text(encoding="utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return None

    # -- reading ---------------------------------------------------------------------------

    def rows(self, today: dt.date, wanted: EntryFilter | None = None) -> list[EntryRow]:
        """Every entry file, with any change pending on it, sorted by id."""
        wanted = wanted or EntryFilter()
        with self._db() as db:
            pending = {
                r[0]: (r[1], r[2])
                for r in db.execute("SELECT entry_id, state, editor FROM kb_pending")
            }
        rows = []
        for path in sorted(self.content_dir.glob("*.md")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                text = f"cannot read file: {error}"
            entry, problems = check_entry_text(path, text)
            draft = EntryDraft.from_text(text)
            state = draft.status if draft.status in STATUSES else "draft"
            change = pending.get(path.stem) if state == "published" else None
            due = due_date(draft.review_due)
            rows.append(
                EntryRow(
                    id=path.stem,
                    title_zh=draft.title_zh,
                    title_en=draft.title_en,
                    topics=draft.topics,
                    state=state,
                    pending_state=change[0] if change else None,
                    pending_editor=change[1] if change else None,
                    needs_review=draft.needs_review,
                    review_due=draft.review_due,
                    overdue=due is not None and due < today,
                    missing_language=missing_language(entry, draft),
                    problems=tuple(p.message for p in problems),
                    searchable=f"{path.stem}\n{text}".lower(),
                )
            )
        return [row for row in rows if wanted.matches(row)]

    def working(self, entry_id: str) -> WorkingCopy | None:
        """The entry as staff work on it; None when there is no such entry."""
        if not _ID.match(entry_id):
            return None
        with self._lock:
            self._observe(entry_id)
            file_text = self._read(entry_id)
            pending = self._pending(entry_id)
            if pending is not None:
                text = self._revision_text(pending.revision_id)
            elif file_text is not None:
                text = file_text
            else:
                return None
            published_text = file_text if _is_published(file_text) else None
            draft = EntryDraft.from_text(text)
            return WorkingCopy(
                entry_id=entry_id,
                text=text,
                draft=draft,
                state=pending.state if pending else _state_of(text),
                pending=pending,
                published_text=published_text,
                latest_revision=self._latest_revision(entry_id),
                problems=self.problems(entry_id, draft),
                file_changed_outside=pending is not None
                and published_text is not None
                and pending.base_sha != _sha(published_text),
            )

    def history(self, entry_id: str) -> list[Revision]:
        """Every revision of an entry, newest first."""
        with self._lock:
            if _ID.match(entry_id):
                self._observe(entry_id)
            with self._db() as db:
                rows = db.execute(
                    "SELECT id, entry_id, action, state, text, author, at, note FROM kb_revisions "
                    "WHERE entry_id = ? ORDER BY id DESC",
                    (entry_id,),
                ).fetchall()
        return [Revision(*row) for row in rows]

    def revision(self, entry_id: str, revision_id: int) -> Revision | None:
        with self._db() as db:
            row = db.execute(
                "SELECT id, entry_id, action, state, text, author, at, note FROM kb_revisions "
                "WHERE entry_id = ? AND id = ?",
                (entry_id, revision_id),
            ).fetchone()
        return Revision(*row) if row else None

    def problems(self, entry_id: str, draft: EntryDraft, *, new: bool = False) -> list[str]:
        """What `tuoyu kb check` would say about this draft as the entry's file, plus what
        the console itself needs (an id it can use, a text that reads back as written)."""
        problems: list[str] = []
        if new:
            if not _ID.match(draft.id):
                problems.append("'id' must be lowercase words joined by '-'")
            elif draft.id in RESERVED_IDS:
                problems.append(f"'id' cannot be '{draft.id}': the console uses that address")
            elif self.path(draft.id).exists():
                problems.append(f"an entry with the id '{draft.id}' already exists")
        elif draft.id != entry_id:
            problems.append(f"'id' cannot change (it is the file name, {entry_id}.md)")
        text = draft.to_text()
        _, found = check_entry_text(self.path(entry_id), text)
        problems += [p.message for p in found]
        known = {p.stem for p in self.content_dir.glob("*.md")} | {entry_id}
        problems += [f"related entry '{r}' does not exist" for r in draft.related if r not in known]
        problems += _unstorable(draft, text)
        return list(dict.fromkeys(problems))

    # -- changing --------------------------------------------------------------------------

    def create(self, draft: EntryDraft, actor: str, *, submit: bool = False) -> Revision:
        """A new entry: its file is written at once (status draft or in_review)."""
        state = "in_review" if submit else "draft"
        draft = replace(draft, status=state)
        with self._lock:
            problems = self.problems(draft.id, draft, new=True)
            if self._pending(draft.id) is not None and not problems:
                problems.append(f"an entry with the id '{draft.id}' is already being written")
            if problems:
                raise ChangeRefused(problems)
            text = draft.to_text()
            self._write(draft.id, text)
            revision = self._add_revision(draft.id, "created", state, text, actor)
            self._set_pending(draft.id, revision.id, state, actor, "")
        self._report(actor, "kb.create", draft.id, None, _audit_fields(None, draft, state))
        return revision

    def save(
        self,
        entry_id: str,
        draft: EntryDraft,
        actor: str,
        *,
        base_revision: int,
        submit: bool = False,
        action: str = "saved",
        note: str = "",
    ) -> Revision | None:
        """A change to an entry, kept pending until published (a published entry's file is
        not touched). base_revision: the newest revision the editor saw; a change made by
        someone else since is refused, not overwritten. None when nothing changed."""
        state = "in_review" if submit else "draft"
        draft = replace(draft, status=state)
        with self._lock:
            working = self.working(entry_id)
            if working is None:
                raise ChangeRefused([f"there is no entry '{entry_id}'"])
            if base_revision != working.latest_revision:
                raise ChangeRefused(
                    [
                        "this entry changed since you opened it (see its history); open it "
                        "again and make your change there"
                    ]
                )
            problems = self.problems(entry_id, draft)
            if problems:
                raise ChangeRefused(problems)
            text = draft.to_text()
            if text == working.text:
                return None
            published = working.published_text
            if published is None:
                self._write(entry_id, text)
            revision = self._add_revision(entry_id, action, state, text, actor, note)
            self._set_pending(entry_id, revision.id, state, actor, _sha(published))
        before = _audit_fields(working.draft, draft, working.state)
        after = _audit_fields(draft, working.draft, state)
        self._report(actor, f"kb.{action}", entry_id, before, after)
        return revision

    def submit(self, entry_id: str, actor: str) -> Revision:
        """Draft -> in review: ready for someone to publish."""
        return self._move(entry_id, actor, "draft", "in_review", "submitted")

    def return_to_draft(self, entry_id: str, actor: str, note: str) -> Revision:
        """In review -> draft, with what the reviewer wants changed."""
        return self._move(entry_id, actor, "in_review", "draft", "returned", note)

    def _move(
        self, entry_id: str, actor: str, source: str, target: str, action: str, note: str = ""
    ) -> Revision:
        with self._lock:
            working = self._required(entry_id)
            if working.pending is None or working.pending.state != source:
                raise ChangeRefused(
                    [f"only an entry in {source.replace('_', ' ')} can be {action}"]
                )
            if working.problems:
                raise ChangeRefused(working.problems)
            text = replace(working.draft, status=target).to_text()
            if working.published_text is None:
                self._write(entry_id, text)
            revision = self._add_revision(entry_id, action, target, text, actor, note)
            # The editor stays who last changed the words: moving it on is not editing it.
            self._set_pending(
                entry_id, revision.id, target, working.pending.editor, working.pending.base_sha
            )
        self._report(
            actor, f"kb.{action}", entry_id, {"state": source}, {"state": target, "note": note}
        )
        return revision

    def publish(self, entry_id: str, actor: str) -> Revision:
        """In review -> published: the file parents are served from is written."""
        with self._lock:
            working = self._required(entry_id)
            pending = working.pending
            if pending is None or pending.state != "in_review":
                raise ChangeRefused(["only an entry in review can be published"])
            reason = working.second_person_reason()
            if reason is not None and pending.editor == actor:
                raise ChangeRefused(
                    [
                        f"{reason}: someone other than {pending.editor}, who last changed it, "
                        "must publish it"
                    ]
                )
            if working.file_changed_outside:
                raise ChangeRefused(
                    [
                        "the published file changed outside the console (a git pull?) after "
                        "this change was saved: compare them in the history, then save the "
                        "change again"
                    ]
                )
            draft = replace(working.draft, status="published")
            problems = self.problems(entry_id, draft)
            if problems:
                raise ChangeRefused(problems)
            text = draft.to_text()
            self._write(entry_id, text)
            revision = self._add_revision(entry_id, "published", "published", text, actor)
            with self._db() as db:
                db.execute("DELETE FROM kb_pending WHERE entry_id = ?", (entry_id,))
        before = _audit_fields(
            working.published_draft, draft, "published" if working.published else pending.state
        )
        after = {
            **_audit_fields(draft, working.published_draft, "published"),
            "editor": pending.editor,
        }
        self._report(actor, "kb.publish", entry_id, before, after)
        return revision

    def discard(self, entry_id: str, actor: str) -> Revision:
        """Drops the pending change: a published entry keeps its published text; an entry
        never published is deleted (its history stays, and can be restored)."""
        with self._lock:
            working = self._required(entry_id)
            if working.pending is None:
                raise ChangeRefused(["there is no pending change to discard"])
            if working.published_text is not None:
                revision = self._add_revision(
                    entry_id, "discarded", "published", working.published_text, actor
                )
            else:
                self.path(entry_id).unlink(missing_ok=True)
                with self._db() as db:
                    db.execute("DELETE FROM kb_files WHERE entry_id = ?", (entry_id,))
                revision = self._add_revision(entry_id, "discarded", "deleted", working.text, actor)
            with self._db() as db:
                db.execute("DELETE FROM kb_pending WHERE entry_id = ?", (entry_id,))
        self._report(
            actor,
            "kb.discard",
            entry_id,
            _audit_fields(working.draft, working.published_draft, working.state),
            {"state": revision.state},
        )
        return revision

    def restore(
        self, entry_id: str, revision_id: int, actor: str, *, base_revision: int
    ) -> Revision | None:
        """An earlier revision's text as a new draft change (published by the workflow like
        any change; never straight to parents)."""
        old = self.revision(entry_id, revision_id)
        if old is None or not old.text:
            raise ChangeRefused([f"entry '{entry_id}' has no revision {revision_id} to restore"])
        draft = EntryDraft.from_text(old.text)
        note = f"restored revision {revision_id}"
        with self._lock:
            if self.working(entry_id) is None:
                revision = self.create(draft, actor)
                with self._db() as db:
                    db.execute(
                        "UPDATE kb_revisions SET action = 'restored', note = ? WHERE id = ?",
                        (note, revision.id),
                    )
                return replace(revision, action="restored", note=note)
            return self.save(
                entry_id, draft, actor, base_revision=base_revision, action="restored", note=note
            )

    # -- internals -------------------------------------------------------------------------

    def _required(self, entry_id: str) -> WorkingCopy:
        working = self.working(entry_id)
        if working is None:
            raise ChangeRefused([f"there is no entry '{entry_id}'"])
        return working

    def _pending(self, entry_id: str) -> Pending | None:
        with self._db() as db:
            row = db.execute(
                "SELECT entry_id, revision_id, state, editor, base_sha FROM kb_pending "
                "WHERE entry_id = ?",
                (entry_id,),
            ).fetchone()
        return Pending(*row) if row else None

    def _set_pending(
        self, entry_id: str, revision_id: int, state: str, editor: str, base_sha: str
    ) -> None:
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO kb_pending "
                "(entry_id, revision_id, state, editor, base_sha) VALUES (?,?,?,?,?)",
                (entry_id, revision_id, state, editor, base_sha),
            )

    def _revision_text(self, revision_id: int) -> str:
        with self._db() as db:
            row = db.execute(
                "SELECT text FROM kb_revisions WHERE id = ?", (revision_id,)
            ).fetchone()
        return str(row[0]) if row else ""

    def _latest_revision(self, entry_id: str) -> int:
        with self._db() as db:
            (latest,) = db.execute(
                "SELECT COALESCE(MAX(id), 0) FROM kb_revisions WHERE entry_id = ?", (entry_id,)
            ).fetchone()
        return int(latest)

    def _add_revision(
        self, entry_id: str, action: str, state: str, text: str, author: str, note: str = ""
    ) -> Revision:
        at = _now()
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO kb_revisions (entry_id, action, state, text, author, at, note) "
                "VALUES (?,?,?,?,?,?,?)",
                (entry_id, action, state, text, author, at, note),
            )
            revision_id = int(cursor.lastrowid or 0)
        return Revision(revision_id, entry_id, action, state, text, author, at, note)

    def _write(self, entry_id: str, text: str) -> None:
        self.content_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path(entry_id), text)
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO kb_files (entry_id, sha) VALUES (?, ?)",
                (entry_id, _sha(text)),
            )

    def _observe(self, entry_id: str) -> None:
        """Records what the file holds when the console has not seen it yet (the base of
        its history) or when it changed outside the console since."""
        text = self._read(entry_id)
        with self._db() as db:
            row = db.execute("SELECT sha FROM kb_files WHERE entry_id = ?", (entry_id,)).fetchone()
        known = row[0] if row else None
        if known == _sha(text) or (known is None and text is None):
            return
        if text is None:
            note = "the file was deleted outside the console"
            self._add_revision(entry_id, "file", "deleted", "", OUTSIDE, note)
            with self._db() as db:
                db.execute("DELETE FROM kb_files WHERE entry_id = ?", (entry_id,))
                db.execute("DELETE FROM kb_pending WHERE entry_id = ?", (entry_id,))
            return
        note = "as found in the content folder" if known is None else "changed outside the console"
        state = _state_of(text)
        revision = self._add_revision(entry_id, "file", state, text, OUTSIDE, note)
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO kb_files (entry_id, sha) VALUES (?, ?)",
                (entry_id, _sha(text)),
            )
        pending = self._pending(entry_id)
        if pending is not None and pending.base_sha == "":
            # The file of an entry never published IS its draft: the newer text wins, and its
            # (unknown) editor is not the console user who saved the older one.
            if state == "published":
                with self._db() as db:
                    db.execute("DELETE FROM kb_pending WHERE entry_id = ?", (entry_id,))
            else:
                self._set_pending(entry_id, revision.id, state, OUTSIDE, "")

    def _report(self, actor: str, action: str, target: str, before: object, after: object) -> None:
        if self._audit is not None:
            self._audit(actor, action, target, before, after)


def add_example_questions(
    store: ContentStore,
    entry_id: str,
    questions: Sequence[str],
    language: Language,
    actor: str,
) -> Revision | None:
    """Adds parents' questions (e.g. from the review queue) to an entry's example questions
    (front matter `questions:` in `language`, "zh" or "en") as a pending draft change.

    The change waits in the workflow like any other: a published entry keeps serving its
    published text until someone publishes it. Blank lines and questions the entry already
    has are left out, each question is cut to MAX_QUESTION_CHARS. Returns the new revision,
    or None when there was nothing new to add. Raises ChangeRefused when there is no such
    entry or the result breaks a `kb check` rule. Audited as `kb.examples` by the store.
    """
    cleaned = [q.strip()[:MAX_QUESTION_CHARS] for q in questions if q.strip()]
    if not cleaned:
        return None
    working = store.working(entry_id)
    if working is None:
        raise ChangeRefused([f"there is no entry '{entry_id}'"])
    draft = working.draft.with_questions(language, cleaned[:MAX_EXAMPLE_QUESTIONS])
    if draft == working.draft:
        return None
    return store.save(
        entry_id,
        draft,
        actor,
        base_revision=working.latest_revision,
        action="examples",
        note=f"{len(cleaned)} example questions ({language})",
    )


def _is_published(text: str | None) -> bool:
    return text is not None and _state_of(text) == "published"


def _state_of(text: str) -> str:
    status = EntryDraft.from_text(text).status
    return status if status in STATUSES else "draft"


def _audit_fields(
    draft: EntryDraft | None, other: EntryDraft | None, state: str
) -> dict[str, object]:
    """The fields of draft that differ from other (all when there is no other), for the
    audit log's before/after: what changed, not the whole entry twice."""
    if draft is None:
        return {"state": state}
    values = draft.form_values()
    changed = {
        name: value
        for name, value in values.items()
        if name != "status" and (other is None or other.form_values()[name] != value)
    }
    return {"state": state, **changed}


def _unstorable(draft: EntryDraft, text: str) -> list[str]:
    """Fields that would not read back as written (a body holding the English marker)."""
    back = EntryDraft.from_text(text)
    problems = []
    for field in fields(EntryDraft):
        if getattr(back, field.name) != getattr(draft, field.name):
            if field.name.startswith("body") and EN_MARKER in getattr(draft, field.name):
                problems.append(f"a body cannot contain the line '{EN_MARKER}'")
            else:
                problems.append(f"'{field.name}' cannot be stored as written")
    return problems
