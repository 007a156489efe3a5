"""An entry as staff edit it: every front-matter field and both bodies, as plain texts.

`EntryDraft.to_text()` writes the entry file in the layout of the hand-written ones
(docs/content-format.md), so a file saved from the console reads like one written in an
editor and git diffs stay small. `EntryDraft.from_text()` reads any entry file back, even
a broken one, so that staff can fix it. Whether a draft is a valid entry is decided by the
same reader as `tuoyu kb check` (knowledge_base/content.py), never here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import yaml

from knowledge_base.content import EN_MARKER, split_body
from knowledge_base.language import Language

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_LIST_SEPARATORS = re.compile(r"[,，、\s]+")
# A plain (unquoted) YAML scalar is kept only for texts like these; anything else is quoted.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_FLOW_INDICATORS = re.compile(r"[\[\]{},]")
_PLAIN_SAFE = re.compile(r"^[\w\u3000-\u303f\u4e00-\u9fff\uff00-\uffef][^:#\n\"'\\]*$")


@dataclass(frozen=True)
class EntryDraft:
    id: str = ""
    title_zh: str = ""
    title_en: str = ""
    summary_zh: str = ""
    summary_en: str = ""
    topics: tuple[str, ...] = ()
    age_min: str = ""  # months, as typed; empty with age_max: the entry is for every age
    age_max: str = ""
    source_issuer: str = ""
    source_document: str = ""
    source_date: str = ""
    source_url: str = ""
    reviewed_on: str = ""
    review_due: str = ""
    status: str = "draft"
    needs_review: bool = False
    questions_zh: tuple[str, ...] = ()
    questions_en: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    body_zh: str = ""
    body_en: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> EntryDraft:
        """From the console's form: lists as lines (questions) or comma-separated (topics,
        related ids); a ticked checkbox sends "1"."""
        text = {f.name: _newlines(str(form.get(f.name, ""))) for f in fields(cls)}
        return cls(
            id=text["id"].strip(),
            title_zh=text["title_zh"].strip(),
            title_en=text["title_en"].strip(),
            summary_zh=text["summary_zh"].strip(),
            summary_en=text["summary_en"].strip(),
            topics=split_words(text["topics"]),
            age_min=_months(text["age_min"]),
            age_max=_months(text["age_max"]),
            source_issuer=text["source_issuer"].strip(),
            source_document=text["source_document"].strip(),
            source_date=text["source_date"].strip(),
            source_url=text["source_url"].strip(),
            reviewed_on=text["reviewed_on"].strip(),
            review_due=text["review_due"].strip(),
            status=text["status"].strip() or "draft",
            needs_review=text["needs_review"] == "1",
            questions_zh=split_lines(text["questions_zh"]),
            questions_en=split_lines(text["questions_en"]),
            related=split_words(text["related"]),
            body_zh=text["body_zh"].strip(),
            body_en=text["body_en"].strip(),
        )

    def form_values(self) -> dict[str, str]:
        """The texts the console's form shows (the inverse of from_form)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["topics"] = ", ".join(self.topics)
        values["related"] = ", ".join(self.related)
        values["questions_zh"] = "\n".join(self.questions_zh)
        values["questions_en"] = "\n".join(self.questions_en)
        values["needs_review"] = "1" if self.needs_review else ""
        return values

    def questions(self, language: Language) -> tuple[str, ...]:
        return self.questions_en if language == "en" else self.questions_zh

    def with_questions(self, language: Language, added: Sequence[str]) -> EntryDraft:
        """These example questions added after the ones it has (none twice)."""
        merged = tuple(dict.fromkeys([*self.questions(language), *added]))
        if language == "en":
            return replace(self, questions_en=merged)
        return replace(self, questions_zh=merged)

    @classmethod
    def from_text(cls, text: str) -> EntryDraft:
        """Reads an entry file; what cannot be read is left empty (a broken front matter
        leaves the whole text in the Chinese body, for staff to repair)."""
        text = text.lstrip("\ufeff")
        match = _FRONT_MATTER.match(text)
        try:
            data = yaml.safe_load(match.group(1)) if match else None
        except yaml.YAMLError:
            data = None
        if not match or not isinstance(data, Mapping):
            return cls(body_zh=text.strip())
        zh, en = split_body(text[match.end() :])
        title = _mapping(data.get("title"))
        summary = _mapping(data.get("summary"))
        source = _mapping(data.get("source"))
        questions = _mapping(data.get("questions"))
        ages = data.get("age_months")
        low, high = (ages[0], ages[1]) if isinstance(ages, list) and len(ages) == 2 else ("", "")
        needs_review = data.get("needs_review", False)
        return cls(
            id=_text(data.get("id")),
            title_zh=_text(title.get("zh")),
            title_en=_text(title.get("en")),
            summary_zh=_text(summary.get("zh")),
            summary_en=_text(summary.get("en")),
            topics=_texts(data.get("topics")),
            age_min=_text(low),
            age_max=_text(high),
            source_issuer=_text(source.get("issuer")),
            source_document=_text(source.get("document")),
            source_date=_text(source.get("date")),
            source_url=_text(source.get("url")),
            reviewed_on=_text(data.get("reviewed_on")),
            review_due=_text(data.get("review_due")),
            status=_text(data.get("status")) or "draft",
            # Anything but a plain false keeps the warning on: a figure not checked is flagged.
            needs_review=needs_review is not False,
            questions_zh=_texts(questions.get("zh")),
            questions_en=_texts(questions.get("en")),
            related=_texts(data.get("related")),
            body_zh=zh,
            body_en=en,
        )

    def to_text(self) -> str:
        """The entry file, in the layout of docs/content-format.md."""
        lines = [
            "---",
            f"id: {_scalar(self.id)}",
            "title:",
            f"  zh: {_scalar(self.title_zh)}",
            f"  en: {_scalar(self.title_en)}",
            "summary:",
            f"  zh: {_scalar(self.summary_zh)}",
            f"  en: {_scalar(self.summary_en)}",
            f"topics: {_flow(self.topics)}",
        ]
        if self.age_min or self.age_max:
            lines.append(f"age_months: [{_number(self.age_min)}, {_number(self.age_max)}]")
        lines += [
            "source:",
            f"  issuer: {_scalar(self.source_issuer)}",
            f"  document: {_scalar(self.source_document)}",
            f"  date: {_date(self.source_date)}",
        ]
        if self.source_url:
            lines.append(f"  url: {_scalar(self.source_url)}")
        lines += [
            f"reviewed_on: {_date(self.reviewed_on)}",
            f"review_due: {_date(self.review_due)}",
            f"status: {_scalar(self.status)}",
            f"needs_review: {'true' if self.needs_review else 'false'}",
        ]
        if self.questions_zh or self.questions_en:
            lines.append("questions:")
            for language, questions in (("zh", self.questions_zh), ("en", self.questions_en)):
                if questions:
                    lines.append(f"  {language}:")
                    lines += [f"    - {_quoted(q)}" for q in questions]
        if self.related:
            lines.append(f"related: {_flow(self.related)}")
        lines.append("---")
        body = self.body_zh.strip()
        if self.body_en.strip():
            body += f"\n\n{EN_MARKER}\n{self.body_en.strip()}"
        return "\n".join(lines) + "\n" + body + "\n"


def split_lines(text: str) -> tuple[str, ...]:
    """One item a line, blank lines and repeats dropped."""
    return tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def split_words(text: str) -> tuple[str, ...]:
    """Items separated by commas (Chinese ones too) or spaces."""
    return tuple(dict.fromkeys(w for w in _LIST_SEPARATORS.split(text) if w))


def _months(text: str) -> str:
    """A whole number of months as written in a file ("04" is 4); other text as typed."""
    text = text.strip()
    return str(int(text)) if text.isascii() and text.isdigit() else text


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(t for t in (_text(v) for v in value) if t)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar. A JSON string is one, escapes included, once the
    characters YAML reads as line breaks (U+2028, U+0085) or refuses (C1 controls) are
    escaped too."""
    inner = json.dumps(text, ensure_ascii=False)[1:-1]
    return '"' + _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", inner) + '"'


def _scalar(text: str, *, in_flow: bool = False) -> str:
    """Plain when YAML reads it back as exactly this text, quoted otherwise."""
    if in_flow and _FLOW_INDICATORS.search(text):
        return _quoted(text)
    if text and _PLAIN_SAFE.match(text) and text == text.strip():
        try:
            if yaml.safe_load(f"k: {text}") == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return _quoted(text)


def _flow(items: Sequence[str]) -> str:
    return "[" + ", ".join(_scalar(i, in_flow=True) for i in items) + "]"


def _number(text: str) -> str:
    """A whole number as YAML reads one; anything else quoted, for the reader to refuse."""
    return text if re.fullmatch(r"\d{1,3}", text) else _quoted(text)


def _date(text: str) -> str:
    """Dates as the hand-written files have them (unquoted); other text quoted, so the
    reader says what is wrong with it. An impossible day (2027-02-30) is quoted too: YAML
    would fail to read it unquoted."""
    if re.fullmatch(r"\d{4}(?:-\d{2})?", text):
        return text
    try:
        return dt.date.fromisoformat(text).isoformat() if len(text) == 10 else _quoted(text)
    except ValueError:
        return _quoted(text)
