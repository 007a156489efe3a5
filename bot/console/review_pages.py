"""The review queue for editors: questions the bot could not answer confidently and answers
parents rated 👎, grouped by meaning, and what staff decide about each group.

- Open groups (knowledge_base/review_groups.py) show how often and when they were asked, in
  which languages, a few wordings, the bot's closest entry (with its 👍/👎 tallies) and the
  entries parents rated unhelpful. An editor links a group to an entry (its wordings become
  the entry's example questions, as a draft change through the knowledge-base desk), starts a
  new entry from it, or dismisses it with a reason.
- Resolved and dismissed groups are shown per decision, and can be reopened.
- Resolved questions are exported as regression cases (knowledge_base/review_export.py).

Texts are shown as stored (phone and ID numbers were masked before anything was written) and
escaped by the templates. Every decision is audited.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from aiohttp import web

from bot.console.guard import add_flash, render, requires, signed_in_user
from bot.console.keys import ACCOUNTS, ENTRY_CATALOG, KB, REVIEW_MODEL
from bot.console.review_model import ModelUnavailable
from bot.gateway.keys import SETTINGS
from knowledge_base.content import Entry
from knowledge_base.content_store import ChangeRefused, add_example_questions
from knowledge_base.review_export import REGRESSIONS_FILE, export_cases, finds_its_entry
from knowledge_base.review_groups import (
    GroupedText,
    QuestionGroup,
    group_decisions,
    group_questions,
)
from knowledge_base.review_queue import QueueRow, RatingCounts, ReviewQueue, State

MAX_REASON = 500
MAX_ROW_IDS = 10_000
MAX_QUESTIONS_CHARS = 20_000
PER_PAGE = 30
EXAMPLES_SHOWN = 5
# Wordings offered as example questions or for a new entry: the most asked ones.
QUESTIONS_OFFERED = 20
QUESTIONS_FOR_NEW_ENTRY = 10
SHOW: tuple[State, ...] = ("open", "resolved", "dismissed")
SORTS = ("latest", "times")
KIND_NAMES = {
    "not_sure": "not sure",
    "middle_tier": "offered entries",
    "unhelpful": "rated 👎",
    "unknown": "not confident",
}
LANGUAGE_NAMES = {"zh": "Chinese", "en": "English"}


@dataclass(frozen=True)
class EntryInfo:
    id: str
    title: str
    status: str
    up: int = 0
    down: int = 0


@dataclass(frozen=True)
class LinkForm:
    """Linking one language's rows of a group: the example questions are per language."""

    language: str
    language_name: str
    rows: str
    questions: str


@dataclass(frozen=True)
class GroupView:
    group: QuestionGroup
    examples: tuple[GroupedText, ...]
    more: int
    kinds: str
    best: EntryInfo | None
    unhelpful: tuple[tuple[EntryInfo, int], ...]
    link_forms: tuple[LinkForm, ...]
    new_entry_href: str
    rows: str
    decision: str | None


def _queue(request: web.Request) -> ReviewQueue:
    return ReviewQueue(request.config_dict[SETTINGS].review_queue_path)


def _entry_info(
    entry_id: str, entries: Mapping[str, Entry], counts: Mapping[str, RatingCounts]
) -> EntryInfo:
    entry = entries.get(entry_id)
    tally = counts.get(entry_id, RatingCounts())
    if entry is None:
        title, status = "(no longer in the content folder)", "missing"
    else:
        title, status = entry.title["zh"], entry.status
    return EntryInfo(entry_id, title, status, tally.up, tally.down)


def _decision_of(row: QueueRow, entries: Mapping[str, Entry] | None = None) -> str | None:
    """What staff decided about a row, in words (None while it is open)."""
    if row.resolved_at is not None:
        entry = row.resolved_entry_id or ""
        title = f" ({entries[entry].title['zh']})" if entries and entry in entries else ""
        return f"Resolved with {entry}{title} by {row.resolved_by} at {row.resolved_at}"
    if row.dismissed_at is not None:
        return (
            f"Dismissed by {row.dismissed_by or 'staff'} at {row.dismissed_at}: "
            f"{row.dismissed_reason}"
        )
    return None


def _view(
    group: QuestionGroup, entries: Mapping[str, Entry], counts: Mapping[str, RatingCounts]
) -> GroupView:
    link_forms = tuple(
        LinkForm(
            language=language,
            language_name=LANGUAGE_NAMES.get(language, language),
            rows=_row_list(row.id for row in group.rows_in(language)),
            questions="\n".join(t.question for t in group.texts_in(language)[:QUESTIONS_OFFERED]),
        )
        for language in group.languages
        if language in LANGUAGE_NAMES
    )
    wordings = [("question", t.question) for t in group.texts[:QUESTIONS_FOR_NEW_ENTRY]]
    best = group.best_entry_id
    return GroupView(
        group=group,
        examples=group.texts[:EXAMPLES_SHOWN],
        more=max(0, len(group.texts) - EXAMPLES_SHOWN),
        kinds=" · ".join(f"{KIND_NAMES.get(k, k)} {n}" for k, n in group.kinds.items()),
        best=_entry_info(best, entries, counts) if best else None,
        unhelpful=tuple(
            (_entry_info(entry_id, entries, counts), times)
            for entry_id, times in group.unhelpful_entries.items()
        ),
        link_forms=link_forms,
        new_entry_href="/admin/kb/new?" + urlencode(wordings),
        rows=_row_list(group.row_ids),
        decision=_decision_of(group.rows[0], entries),
    )


def _row_list(ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(ids))


def _row_ids(value: object) -> list[int]:
    """The row ids a form names ("3,5,8"); empty when it names none or is malformed."""
    parts = str(value or "").split(",")
    if len(parts) > MAX_ROW_IDS or not all(p.strip().isdigit() for p in parts):
        return []
    return [int(p) for p in parts]


async def _open_groups(
    request: web.Request, queue: ReviewQueue
) -> tuple[list[QuestionGroup], str | None]:
    rows = await asyncio.to_thread(queue.rows, "open")
    model = request.app[REVIEW_MODEL]
    vectors = await model.vectors([row.question for row in rows])
    groups = await asyncio.to_thread(group_questions, rows, vectors)
    note = None
    if vectors is None:
        note = f"Grouped by identical text only: {model.problem}."
    return groups, note


@requires("editor")
async def review_page(request: web.Request) -> web.StreamResponse:
    show = request.query.get("show", "open")
    show_state: State = next((s for s in SHOW if s == show), "open")
    sort = request.query.get("sort", "latest")
    sort = sort if sort in SORTS else "latest"
    try:
        page = max(1, min(int(request.query.get("page", "1")), 1_000_000))
    except ValueError:
        page = 1
    queue = _queue(request)
    note = None
    if show_state == "open":
        groups, note = await _open_groups(request, queue)
        if sort == "times":
            groups.sort(key=lambda g: g.times, reverse=True)
    else:
        rows = await asyncio.to_thread(queue.rows, show_state)
        groups = group_decisions(rows)
    entries = await asyncio.to_thread(request.app[ENTRY_CATALOG].entries)
    counts = await asyncio.to_thread(queue.rating_counts)
    pages = max(1, math.ceil(len(groups) / PER_PAGE))
    shown = groups[(page - 1) * PER_PAGE : page * PER_PAGE]
    return await render(
        "review.html",
        request,
        {
            "show": show_state,
            "sort": sort,
            "views": [_view(g, entries, counts) for g in shown],
            "found": len(groups),
            "page": page,
            "pages": pages,
            "note": note,
            "entries": sorted(entries.values(), key=lambda e: e.id),
            "regressions_file": str(REGRESSIONS_FILE),
        },
    )


async def _flash_back(request: web.Request, message: str, show: str = "open") -> web.HTTPFound:
    """Back to the tab the form was on, with a message saying what happened."""
    await add_flash(request, message)
    return web.HTTPFound(f"/admin/review?show={show}" if show != "open" else "/admin/review")


async def _audit(
    request: web.Request, action: str, target: str, before: object, after: object
) -> None:
    await asyncio.to_thread(
        request.app[ACCOUNTS].audit,
        signed_in_user(request).username,
        action,
        target[:300],
        before,
        after,
    )


def _questions(count: int) -> str:
    """How many queue rows a decision took, in words."""
    return "1 question" if count == 1 else f"{count} questions"


def _wordings(rows: Sequence[QueueRow]) -> list[str]:
    """The distinct texts of rows, for the audit log (capped: a big group is one entry)."""
    return list(dict.fromkeys(row.question for row in rows))[:50]


@requires("editor")
async def dismiss(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    row_ids = _row_ids(form.get("rows"))
    reason = str(form.get("reason", "")).strip()[:MAX_REASON]
    if not row_ids:
        raise await _flash_back(request, "Nothing was dismissed: the form named no questions.")
    if not reason:
        raise await _flash_back(request, "Not dismissed: say why the question needs no answer.")
    queue = _queue(request)
    named = await asyncio.to_thread(queue.get, row_ids)
    count = await asyncio.to_thread(
        queue.dismiss, row_ids, reason, signed_in_user(request).username
    )
    if not count:
        raise await _flash_back(request, "Those questions are no longer open.")
    await _audit(
        request,
        "review.dismiss",
        named[0].question if named else "",
        {"questions": _wordings(named)},
        {"dismissed_rows": count, "reason": reason},
    )
    raise await _flash_back(request, f"Dismissed {_questions(count)}.")


@requires("editor")
async def link(request: web.Request) -> web.StreamResponse:
    """Resolves a group's rows with an entry; with add_examples, their wordings (as edited in
    the form) first become the entry's example questions in a pending draft change."""
    form = await request.post()
    row_ids = _row_ids(form.get("rows"))
    entry_id = str(form.get("entry_id", "")).strip()
    language = str(form.get("language", ""))
    text = str(form.get("questions", ""))[:MAX_QUESTIONS_CHARS]
    questions = [q.strip() for q in text.splitlines() if q.strip()]
    add = form.get("add_examples") == "1"
    if not row_ids:
        raise await _flash_back(request, "Nothing was linked: the form named no questions.")
    if language not in LANGUAGE_NAMES:
        raise await _flash_back(request, "Not linked: the language must be zh or en.")
    entries = await asyncio.to_thread(request.app[ENTRY_CATALOG].entries)
    if entry_id not in entries:
        raise await _flash_back(
            request, f"Not linked: there is no entry {entry_id!r}. Choose one from the list."
        )
    if add and not questions:
        raise await _flash_back(
            request,
            "Not linked: there are no example questions to add. Untick 'add them' to link "
            "without adding any.",
        )
    queue = _queue(request)
    named = await asyncio.to_thread(queue.get, row_ids)
    if not any(row.state == "open" for row in named):
        raise await _flash_back(request, "Those questions are no longer open.")
    username = signed_in_user(request).username
    added = False
    if add:
        try:
            revision = await asyncio.to_thread(
                add_example_questions,
                request.app[KB].store,
                entry_id,
                questions,
                "en" if language == "en" else "zh",
                username,
            )
        except ChangeRefused as refused:
            raise await _flash_back(
                request, f"Not linked: {'; '.join(refused.problems)}."
            ) from None
        added = revision is not None
    count = await asyncio.to_thread(queue.resolve, row_ids, entry_id, username)
    await _audit(
        request,
        "review.link",
        entry_id,
        {"questions": _wordings(named)},
        {
            "entry_id": entry_id,
            "resolved_rows": count,
            "example_questions_added": questions if added else [],
        },
    )
    if not add:
        raise await _flash_back(request, f"Resolved {_questions(count)} with {entry_id}.")
    await add_flash(
        request,
        f"Linked {_questions(count)} from the review queue to {entry_id}. "
        + (
            "Their wordings are now example questions in a draft change below: submit and "
            "publish it for the bot to use them."
            if added
            else "Their wordings were already among its example questions."
        ),
    )
    raise web.HTTPFound(f"/admin/kb/{quote(entry_id)}")


@requires("editor")
async def reopen(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    row_ids = _row_ids(form.get("rows"))
    show = str(form.get("show", "resolved"))
    show = show if show in SHOW else "resolved"
    queue = _queue(request)
    named = await asyncio.to_thread(queue.get, row_ids)
    count = await asyncio.to_thread(queue.reopen, row_ids)
    if not count:
        raise await _flash_back(request, "Those questions are already open.", show)
    await _audit(
        request,
        "review.reopen",
        named[0].question,
        {"questions": _wordings(named), "decision": _decision_of(named[0])},
        {"open": True, "rows": count},
    )
    raise await _flash_back(request, f"Reopened {_questions(count)}.", show)


@requires("editor")
async def export(request: web.Request) -> web.StreamResponse:
    """Resolved questions into the regression file, each checked first with the bot's own
    search (knowledge_base/review_export.py)."""
    settings = request.config_dict[SETTINGS]
    path = settings.project_dir / REGRESSIONS_FILE
    queue = _queue(request)
    resolved = await asyncio.to_thread(queue.resolved_questions)
    if not resolved:
        raise await _flash_back(request, "Nothing to export: no question is resolved.", "resolved")
    try:
        report = await request.app[REVIEW_MODEL].with_guidance(
            lambda guidance: export_cases(
                resolved, path, lambda case: finds_its_entry(guidance, case)
            )
        )
    except ModelUnavailable as unavailable:
        raise await _flash_back(
            request,
            f"Nothing was exported: the cases cannot be checked ({unavailable}).",
            "resolved",
        ) from None
    except OSError as error:
        raise await _flash_back(
            request,
            f"Nothing was exported: {REGRESSIONS_FILE} could not be written ({error.strerror}). "
            "Run `tuoyu review export` where the project can be written.",
            "resolved",
        ) from None
    await _audit(
        request,
        "review.export",
        str(REGRESSIONS_FILE),
        None,
        {
            "added": len(report.added),
            "changed": len(report.updated),
            "waiting": len(report.waiting),
            "cases": report.total,
        },
    )
    waiting = "; ".join(f"{c.question} → {c.entry}" for c in report.waiting[:5])
    raise await _flash_back(
        request,
        f"Exported to {REGRESSIONS_FILE}: {report.summary()}."
        + (f" Waiting: {waiting}." if waiting else ""),
        "resolved",
    )
