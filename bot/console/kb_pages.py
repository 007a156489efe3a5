"""The knowledge base in the console: find entries, write and change them, move them through
the workflow (draft -> in review -> published; a second person publishes medical and policy
entries), read their history with diffs and restore an earlier text.

The rules live in knowledge_base/content_store.py; these handlers only translate forms into
its calls and its answers into pages. Every change is audited by the store itself.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import math
from typing import Any

from aiohttp import web

from bot.console.guard import add_flash, render, requires, signed_in_user
from bot.console.kb_desk import KnowledgeBaseDesk
from bot.console.kb_render import diff_lines, markdown_preview
from bot.console.keys import KB
from knowledge_base.content_store import (
    ChangeRefused,
    EntryFilter,
    WorkingCopy,
    add_example_questions,
)
from knowledge_base.entry_draft import EntryDraft
from knowledge_base.language import Language, detect_language

PER_PAGE = 50
STATE_FILTERS = ("draft", "in_review", "published", "pending")
STATE_NAMES = {
    "draft": "draft",
    "in_review": "in review",
    "published": "published",
    "pending": "published, with a change pending",
    "deleted": "deleted",
}
ACTION_NAMES = {
    "file": "file on disk",
    "created": "created",
    "saved": "saved",
    "submitted": "submitted for review",
    "returned": "returned to draft",
    "published": "published",
    "discarded": "change discarded",
    "restored": "restored an earlier text",
    "examples": "example questions added",
}
MAX_NOTE = 500


def _desk(request: web.Request) -> KnowledgeBaseDesk:
    return request.app[KB]


def _today() -> dt.date:
    return dt.date.today()


def _form_texts(form: Any) -> dict[str, str]:
    return {name: value for name, value in form.items() if isinstance(value, str)}


def _int(value: object, default: int = 0) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


# -- the list ------------------------------------------------------------------------------


@requires("editor")
async def kb_list(request: web.Request) -> web.StreamResponse:
    query = request.query
    state = query.get("state", "")
    wanted = EntryFilter(
        text=query.get("q", "").strip()[:100],
        topic=query.get("topic", "").strip()[:50],
        state=state if state in STATE_FILTERS else "",
        needs_review={"yes": True, "no": False}.get(query.get("needs_review", "")),
        overdue=query.get("overdue") == "1",
        missing_language=query.get("missing_language") == "1",
    )
    rows = await asyncio.to_thread(_desk(request).store.rows, _today())
    found = [row for row in rows if wanted.matches(row)]
    page = max(1, min(_int(query.get("page", "1"), 1), 1_000_000))
    pages = max(1, math.ceil(len(found) / PER_PAGE))
    return await render(
        "kb_list.html",
        request,
        {
            "rows": found[(page - 1) * PER_PAGE : page * PER_PAGE],
            "found": len(found),
            "total": len(rows),
            "wanted": wanted,
            "needs_review": query.get("needs_review", ""),
            "topics": sorted({topic for row in rows for topic in row.topics}),
            "states": STATE_FILTERS,
            "state_names": STATE_NAMES,
            "page": page,
            "pages": pages,
        },
    )


# -- writing -------------------------------------------------------------------------------


async def _form_page(
    request: web.Request,
    draft: EntryDraft,
    *,
    working: WorkingCopy | None,
    problems: list[str],
    base_revision: int,
    status: int = 200,
) -> web.StreamResponse:
    """The entry form (new or existing) with its problems, a preview and, for an existing
    entry, where it stands in the workflow."""
    user = signed_in_user(request)
    reason = working.second_person_reason() if working else None
    pending = working.pending if working else None
    context: dict[str, Any] = {
        "new": working is None,
        "values": draft.form_values(),
        "problems": problems,
        "refused": status == 400,
        "base_revision": base_revision,
        "preview_zh": markdown_preview(draft.body_zh),
        "preview_en": markdown_preview(draft.body_en),
        "working": working,
        "state_names": STATE_NAMES,
        "second_person_reason": reason,
        "may_publish": pending is not None and (reason is None or pending.editor != user.username),
        "pending_diff": (
            diff_lines(working.published_text, working.text)
            if working and working.pending and working.published_text
            else []
        ),
    }
    return await render("kb_edit.html", request, context, status=status)


def _new_draft(questions: list[str]) -> EntryDraft:
    today = _today()
    by_language: dict[Language, list[str]] = {"zh": [], "en": []}
    for question in questions:
        by_language[detect_language(question) or "zh"].append(question)
    return EntryDraft(
        reviewed_on=today.isoformat(),
        review_due=(today + dt.timedelta(days=365)).isoformat(),
        questions_zh=tuple(dict.fromkeys(by_language["zh"])),
        questions_en=tuple(dict.fromkeys(by_language["en"])),
    )


@requires("editor")
async def new_page(request: web.Request) -> web.StreamResponse:
    """The create form; ?question=...&question=... fills in parents' questions (from the
    review queue) as the entry's example questions, each under the language it is in."""
    questions = [q.strip()[:300] for q in request.query.getall("question", []) if q.strip()]
    return await _form_page(
        request, _new_draft(questions[:50]), working=None, problems=[], base_revision=0
    )


@requires("editor")
async def create(request: web.Request) -> web.StreamResponse:
    form = _form_texts(await request.post())
    draft = EntryDraft.from_form(form)
    action = form.get("action", "save")
    store = _desk(request).store
    if action == "preview":
        problems = await asyncio.to_thread(store.problems, draft.id, draft, new=True)
        return await _form_page(request, draft, working=None, problems=problems, base_revision=0)
    try:
        await asyncio.to_thread(
            store.create, draft, signed_in_user(request).username, submit=action == "submit"
        )
    except ChangeRefused as refused:
        return await _form_page(
            request, draft, working=None, problems=refused.problems, base_revision=0, status=400
        )
    await add_flash(
        request,
        f"Created {draft.id} as a draft"
        + (" and submitted it for review." if action == "submit" else ".")
        + " Parents see it only once it is published.",
    )
    raise web.HTTPFound(f"/admin/kb/{draft.id}")


async def _working(request: web.Request) -> WorkingCopy:
    entry_id = request.match_info["entry_id"]
    working = await asyncio.to_thread(_desk(request).store.working, entry_id)
    if working is None:
        raise web.HTTPNotFound(text="There is no such entry (a deleted one keeps its history).")
    return working


@requires("editor")
async def entry_page(request: web.Request) -> web.StreamResponse:
    working = await _working(request)
    return await _form_page(
        request,
        working.draft,
        working=working,
        problems=working.problems,
        base_revision=working.latest_revision,
    )


@requires("editor")
async def save(request: web.Request) -> web.StreamResponse:
    working = await _working(request)
    form = _form_texts(await request.post())
    # The id is the file name: the form shows it, it never changes it.
    draft = dataclasses.replace(EntryDraft.from_form(form), id=working.entry_id)
    action = form.get("action", "save")
    base_revision = _int(form.get("base_revision", "0"))
    store = _desk(request).store
    if action == "preview":
        problems = await asyncio.to_thread(store.problems, working.entry_id, draft)
        return await _form_page(
            request, draft, working=working, problems=problems, base_revision=base_revision
        )
    try:
        revision = await asyncio.to_thread(
            store.save,
            working.entry_id,
            draft,
            signed_in_user(request).username,
            base_revision=base_revision,
            submit=action == "submit",
        )
    except ChangeRefused as refused:
        return await _form_page(
            request,
            draft,
            working=working,
            problems=refused.problems,
            base_revision=base_revision,
            status=400,
        )
    if revision is None:
        message = "Nothing changed."
    elif working.published:
        message = (
            "Saved as a pending change"
            + (" and submitted for review" if action == "submit" else "")
            + ". Parents keep getting the published text until it is published."
        )
    else:
        message = "Saved" + (" and submitted for review." if action == "submit" else ".")
    await add_flash(request, message)
    raise web.HTTPFound(f"/admin/kb/{working.entry_id}")


# -- the workflow --------------------------------------------------------------------------


async def _workflow_step(request: web.Request, step: str) -> web.StreamResponse:
    entry_id = request.match_info["entry_id"]
    actor = signed_in_user(request).username
    form = await request.post()
    desk = _desk(request)
    try:
        if step == "submit":
            await asyncio.to_thread(desk.store.submit, entry_id, actor)
            message = "Submitted for review."
        elif step == "return":
            note = str(form.get("note", "")).strip()[:MAX_NOTE]
            await asyncio.to_thread(desk.store.return_to_draft, entry_id, actor, note)
            message = "Returned to draft."
        elif step == "discard":
            revision = await asyncio.to_thread(desk.store.discard, entry_id, actor)
            await add_flash(request, "The change was discarded.")
            if revision.state == "deleted":
                raise web.HTTPFound("/admin/kb")
            raise web.HTTPFound(f"/admin/kb/{entry_id}")
        else:
            await asyncio.to_thread(desk.store.publish, entry_id, actor)
            job = desk.rebuilds.start(entry_id, actor)
            await add_flash(request, f"Published {entry_id}. The search index is being rebuilt.")
            raise web.HTTPFound(f"/admin/kb/publishing/{job.id}")
    except ChangeRefused as refused:
        message = f"Not done: {'; '.join(refused.problems)}."
    await add_flash(request, message)
    raise web.HTTPFound(f"/admin/kb/{entry_id}")


@requires("editor")
async def submit(request: web.Request) -> web.StreamResponse:
    return await _workflow_step(request, "submit")


@requires("editor")
async def return_to_draft(request: web.Request) -> web.StreamResponse:
    return await _workflow_step(request, "return")


@requires("editor")
async def publish(request: web.Request) -> web.StreamResponse:
    return await _workflow_step(request, "publish")


@requires("editor")
async def discard(request: web.Request) -> web.StreamResponse:
    return await _workflow_step(request, "discard")


@requires("editor")
async def publishing_page(request: web.Request) -> web.StreamResponse:
    """How the rebuild after a publish is going; the page reloads itself until it is done."""
    job = _desk(request).rebuilds.get(request.match_info["job_id"])
    if job is None:
        raise web.HTTPNotFound(text="No such rebuild (the gateway may have restarted since).")
    return await render("kb_publishing.html", request, {"job": job})


# -- history -------------------------------------------------------------------------------


@requires("editor")
async def history(request: web.Request) -> web.StreamResponse:
    """Every revision, newest first; one of them compared with the one before it, with the
    text being edited now, or with the published file."""
    entry_id = request.match_info["entry_id"]
    store = _desk(request).store
    revisions = await asyncio.to_thread(store.history, entry_id)
    if not revisions:
        raise web.HTTPNotFound(text="This entry has no history.")
    working = await asyncio.to_thread(store.working, entry_id)
    wanted = _int(request.query.get("revision", revisions[0].id), revisions[0].id)
    selected = next((r for r in revisions if r.id == wanted), revisions[0])
    against = request.query.get("against", "previous")
    older = [r for r in revisions if r.id < selected.id]
    if against == "current" and working is not None:
        base_text, base_name = working.text, "the text being edited now"
    elif against == "published" and working is not None and working.published_text:
        base_text, base_name = working.published_text, "the published file"
    elif older:
        against = "previous"
        base_text, base_name = older[0].text, f"revision {older[0].id}"
    else:
        against = "previous"
        base_text, base_name = "", "nothing (the first revision)"
    return await render(
        "kb_history.html",
        request,
        {
            "entry_id": entry_id,
            "revisions": revisions,
            "selected": selected,
            "against": against,
            "base_name": base_name,
            "diff": diff_lines(base_text, selected.text),
            "working": working,
            "action_names": ACTION_NAMES,
            "state_names": STATE_NAMES,
        },
    )


@requires("editor")
async def restore(request: web.Request) -> web.StreamResponse:
    entry_id = request.match_info["entry_id"]
    form = await request.post()
    revision_id = _int(form.get("revision", "0"))
    try:
        revision = await asyncio.to_thread(
            _desk(request).store.restore,
            entry_id,
            revision_id,
            signed_in_user(request).username,
            base_revision=_int(form.get("base_revision", "0")),
        )
    except ChangeRefused as refused:
        await add_flash(request, f"Not restored: {'; '.join(refused.problems)}.")
        raise web.HTTPFound(f"/admin/kb/{entry_id}/history?revision={revision_id}") from None
    await add_flash(
        request,
        "That text is already the one being edited."
        if revision is None
        else f"Revision {revision_id} restored as a draft change: publish it to use it.",
    )
    raise web.HTTPFound(f"/admin/kb/{entry_id}")


# -- from the review queue -----------------------------------------------------------------


@requires("editor")
async def add_examples(request: web.Request) -> web.StreamResponse:
    """POST csrf_token, questions (one a line), language (zh|en): the questions become the
    entry's example questions in a pending draft change (add_example_questions)."""
    entry_id = request.match_info["entry_id"]
    form = await request.post()
    language = str(form.get("language", ""))
    questions = str(form.get("questions", "")).splitlines()
    store = _desk(request).store
    if await asyncio.to_thread(store.working, entry_id) is None:
        await add_flash(request, f"Not added: there is no entry {entry_id!r}.")
        raise web.HTTPFound("/admin/kb")
    if language not in ("zh", "en"):
        await add_flash(request, "Not added: the language must be zh or en.")
        raise web.HTTPFound(f"/admin/kb/{entry_id}")
    try:
        revision = await asyncio.to_thread(
            add_example_questions,
            store,
            entry_id,
            questions,
            "en" if language == "en" else "zh",
            signed_in_user(request).username,
        )
    except ChangeRefused as refused:
        await add_flash(request, f"Not added: {'; '.join(refused.problems)}.")
        raise web.HTTPFound(f"/admin/kb/{entry_id}") from None
    await add_flash(
        request,
        "Those questions were already there."
        if revision is None
        else "Added the questions as example questions in a draft change: submit and publish "
        "it for the bot to use them.",
    )
    raise web.HTTPFound(f"/admin/kb/{entry_id}")
