"""Knowledge-base entries: one Markdown file each, with YAML front matter.

The format is described in docs/content-format.md. Loading never stops at a broken file: each
problem is reported with its file and line, and the other entries still load.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.language import Language

# Drafts and entries in review are never shown to parents; only published ones are searched.
STATUSES = ("draft", "in_review", "published")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
MAX_FILE_BYTES = 256 * 1024
# The body is Chinese first; the English body follows this line (an HTML comment, so that any
# Markdown viewer shows the two as one document).
EN_MARKER = "<!-- en -->"
_EN_MARKER_LINE = re.compile(r"^[ \t]*<!--\s*en\s*-->[ \t]*$", re.MULTILINE | re.IGNORECASE)
# Numbers a parent may have to call. When the Chinese body names one, the English must too.
_PHONE_NUMBERS = re.compile(r"(?<!\d)(?:120|110|119|12356|12366|12345|12320|12355)(?!\d)")
# "See a doctor" in the Chinese body must survive translation as some medical advice.
_SEE_DOCTOR_ZH = re.compile(r"就医|就诊|急诊|看医生|去医院|医院")
_SEE_DOCTOR_EN = re.compile(r"doctor|hospital|emergency|medical|clinic|A&E|paediatrician", re.I)


@dataclass(frozen=True)
class Source:
    issuer: str
    document: str
    date: str
    url: str | None = None

    def line(self) -> str:
        """One line naming the source, as shown under an answer."""
        text = f"{self.issuer}《{self.document.strip('《》')}》（{self.date}）"
        return f"{text} {self.url}" if self.url else text


@dataclass(frozen=True)
class Entry:
    id: str
    title: Mapping[Language, str]
    summary: Mapping[Language, str]
    body: str  # the full answer in Chinese
    topics: tuple[str, ...]
    source: Source
    reviewed_on: str
    review_due: str
    status: str
    needs_review: bool = False
    age_months: tuple[int, int] | None = None
    questions: Mapping[Language, tuple[str, ...]] = field(default_factory=dict)
    related: tuple[str, ...] = ()
    path: Path | None = None
    body_en: str = ""  # the same answer in English, every safety line included

    def body_in(self, language: Language) -> str:
        return self.body_en if language == "en" else self.body

    @property
    def published(self) -> bool:
        return self.status == "published"

    def applies_to_age(self, months: int) -> bool:
        if self.age_months is None:
            return True
        low, high = self.age_months
        return low <= months <= high


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LoadResult:
    entries: list[Entry]
    problems: list[Problem]

    def published(self) -> list[Entry]:
        return [e for e in self.entries if e.published]


class _EntryErrors(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class _Reader:
    """Turns one parsed front matter mapping into an Entry, collecting every problem."""

    def __init__(
        self, path: Path, front_text: str, data: Mapping[str, Any], body_line: int
    ) -> None:
        self.path = path
        self.body_line = body_line
        self.data = data
        self.problems: list[Problem] = []
        # Problems that fail `kb check` but leave the entry usable: a missing or incomplete
        # English body still leaves a right Chinese answer (English then gets the summary).
        self.incomplete: list[Problem] = []
        self._key_lines = _top_level_key_lines(front_text)

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, self._key_lines.get(key, 2), message))

    def text(self, key: str, *, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(key, f"missing required field '{key}'")
            return ""
        if isinstance(value, dt.date):
            return value.isoformat()
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.problem(key, f"'{key}' must be text")
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(key, f"'{key}' is empty")
        return text

    def date(self, key: str, value: Any, *, label: str | None = None) -> str:
        label = label or key
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip() if value is not None else ""
        if not _DATE.match(text):
            self.problem(key, f"'{label}' must be a date YYYY-MM-DD (or YYYY-MM, YYYY)")
        return text

    def bilingual(self, key: str) -> dict[Language, str]:
        value = self.data.get(key)
        if not isinstance(value, Mapping):
            self.problem(key, f"'{key}' must have 'zh' and 'en' texts")
            return {}
        result: dict[Language, str] = {}
        for lang in ("zh", "en"):
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(key, f"'{key}.{lang}' is missing or empty")
            else:
                result[lang] = text.strip()
        return result

    def string_list(self, key: str, value: Any, label: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, f"'{label}' must be a list of texts")
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def source(self) -> Source | None:
        value = self.data.get("source")
        if not isinstance(value, Mapping):
            self.problem("source", "missing 'source' (issuer, document, date)")
            return None
        issuer = value.get("issuer")
        document = value.get("document")
        if not isinstance(issuer, str) or not issuer.strip():
            self.problem("source", "'source.issuer' is missing")
        if not isinstance(document, str) or not document.strip():
            self.problem("source", "'source.document' is missing")
        date = self.date("source", value.get("date"), label="source.date")
        url = value.get("url")
        if url is not None and not (isinstance(url, str) and url.startswith("https://")):
            self.problem("source", "'source.url' must be an https:// address")
            url = None
        if not isinstance(issuer, str) or not isinstance(document, str):
            return None
        return Source(issuer.strip(), document.strip(), date, url or None)

    def age_range(self) -> tuple[int, int] | None:
        value = self.data.get("age_months")
        if value is None:
            return None
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        )
        if not ok or not 0 <= value[0] <= value[1] <= 72:
            self.problem("age_months", "'age_months' must be [min, max] months, 0 to 72")
            return None
        return (value[0], value[1])

    def entry(self, body: str) -> Entry:
        entry_id = self.text("id")
        if entry_id and not _ID.match(entry_id):
            self.problem("id", "'id' must be lowercase words joined by '-'")
        elif entry_id and entry_id != self.path.stem:
            self.problem("id", f"'id' ({entry_id}) must equal the file name ({self.path.stem})")
        title = self.bilingual("title")
        summary = self.bilingual("summary")
        topics = self.string_list("topics", self.data.get("topics"), "topics")
        source = self.source()
        reviewed_on = self.date("reviewed_on", self.data.get("reviewed_on"))
        review_due = self.date("review_due", self.data.get("review_due"))
        status = self.text("status")
        if status and status not in STATUSES:
            self.problem("status", f"'status' must be one of {', '.join(STATUSES)}")
        needs_review = self.data.get("needs_review", False)
        if not isinstance(needs_review, bool):
            self.problem("needs_review", "'needs_review' must be true or false")
            needs_review = True
        questions_raw = self.data.get("questions") or {}
        questions: dict[Language, tuple[str, ...]] = {}
        if not isinstance(questions_raw, Mapping):
            self.problem("questions", "'questions' must have 'zh' and/or 'en' lists")
        else:
            for lang in ("zh", "en"):
                questions[lang] = self.string_list(
                    "questions", questions_raw.get(lang), f"questions.{lang}"
                )
        related = self.string_list("related", self.data.get("related"), "related")
        # Read before the problems are counted: a bad range is a problem like any other.
        age_months = self.age_range()
        body, body_en = split_body(body)
        body_line = self.body_line
        if not body.strip():
            self.problems.append(Problem(self.path, body_line, "the body is empty"))
        if not body_en.strip():
            message = f"no English body: add it after a line '{EN_MARKER}'"
            self.incomplete.append(Problem(self.path, body_line, message))
        else:
            for missing in missing_safety_lines(body, body_en):
                self.incomplete.append(Problem(self.path, body_line, missing))
        if self.problems or source is None:
            # Every problem at once, those that alone would leave the entry usable too.
            raise _EntryErrors(self.problems + self.incomplete)
        return Entry(
            id=entry_id,
            title=title,
            summary=summary,
            body=body.strip(),
            body_en=body_en.strip(),
            topics=topics,
            source=source,
            reviewed_on=reviewed_on,
            review_due=review_due,
            status=status,
            needs_review=needs_review,
            age_months=age_months,
            questions=questions,
            related=related,
            path=self.path,
        )


def split_body(text: str) -> tuple[str, str]:
    """The Chinese and English bodies of an entry's Markdown text."""
    parts = _EN_MARKER_LINE.split(text, maxsplit=1)
    if len(parts) == 1:
        return text.strip(), ""
    return parts[0].strip(), parts[1].strip()


def missing_safety_lines(body_zh: str, body_en: str) -> list[str]:
    """What the English body drops of the Chinese body's safety lines, one message each."""
    problems = [
        f"the English body never mentions {number}, which the Chinese body names"
        for number in sorted(set(_PHONE_NUMBERS.findall(body_zh)))
        if number not in set(_PHONE_NUMBERS.findall(body_en))
    ]
    if _SEE_DOCTOR_ZH.search(body_zh) and not _SEE_DOCTOR_EN.search(body_en):
        problems.append("the Chinese body says when to see a doctor; the English body does not")
    return problems


def mentions_urgent_help(body: str) -> bool:
    """Whether a Chinese body names a number to call (120, 12356...) or says to see a doctor."""
    return bool(_PHONE_NUMBERS.search(body) or _SEE_DOCTOR_ZH.search(body))


def _top_level_key_lines(front_text: str) -> dict[str, int]:
    # +2: line 1 of the file is the opening '---'.
    lines: dict[str, int] = {}
    for number, line in enumerate(front_text.splitlines(), start=2):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


def parse_entry(path: Path, text: str) -> Entry:
    """Parses one entry file's text; raises ValueError listing every problem found."""
    try:
        entry, incomplete = _parse(path, text)
    except _EntryErrors as errors:
        raise ValueError("\n".join(str(p) for p in errors.problems)) from None
    if incomplete:
        raise ValueError("\n".join(str(p) for p in incomplete))
    return entry


def check_entry_text(path: Path, text: str) -> tuple[Entry | None, list[Problem]]:
    """One file's text as `kb check` sees it: the entry (None when it cannot be used) and
    every problem, those that leave the entry usable included."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        return None, [Problem(path, 1, f"file is larger than {MAX_FILE_BYTES} bytes")]
    try:
        entry, incomplete = _parse(path, text)
    except _EntryErrors as errors:
        return None, errors.problems
    return entry, incomplete


def _parse(path: Path, text: str) -> tuple[Entry, list[Problem]]:
    """The entry, and the problems that fail `kb check` without making it unusable."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        raise _EntryErrors([Problem(path, 1, "no front matter: the file must start with '---'")])
    front_text = match.group(1)
    try:
        data = yaml.safe_load(front_text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(error, "problem", None) or "invalid YAML"
        problem = Problem(path, line, f"front matter is not valid YAML: {reason}")
        raise _EntryErrors([problem]) from None
    if not isinstance(data, Mapping):
        raise _EntryErrors([Problem(path, 2, "front matter must be a mapping of fields")])
    body_line = text.lstrip("\ufeff")[: match.end()].count("\n") + 1
    reader = _Reader(path, front_text, data, body_line)
    entry = reader.entry(text[match.end() :])
    return entry, reader.incomplete


def load_entries(directory: Path) -> LoadResult:
    """Loads every `*.md` entry under directory; broken files become problems, not errors."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.md")):
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                problems.append(Problem(path, 1, f"file is larger than {MAX_FILE_BYTES} bytes"))
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(path, 1, f"cannot read file: {error}"))
            continue
        try:
            entry, incomplete = _parse(path, text)
            entries.append(entry)
            problems.extend(incomplete)
        except _EntryErrors as errors:
            problems.extend(errors.problems)
    problems.extend(_cross_entry_problems(entries))
    return LoadResult(entries=_without_duplicate_ids(entries), problems=problems)


def _cross_entry_problems(entries: Iterable[Entry]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    entries = list(entries)
    known = {e.id for e in entries}
    for entry in entries:
        path = entry.path or Path(entry.id)
        if entry.id in seen:
            problems.append(Problem(path, 2, f"duplicate id '{entry.id}'"))
        seen.setdefault(entry.id, entry)
        for other in entry.related:
            if other not in known:
                problems.append(Problem(path, 2, f"related entry '{other}' does not exist"))
    return problems


def _without_duplicate_ids(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.id not in seen:
            seen.add(entry.id)
            unique.append(entry)
    return unique
