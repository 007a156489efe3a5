"""The review queue for editors: questions the bot could not answer confidently.

Shown as stored (phone and ID numbers were masked before anything was written), grouped by
identical text with how often and when last asked. Dismissing a group needs a reason and is
audited.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.console.guard import add_flash, render, requires, signed_in_user
from bot.console.keys import ACCOUNTS
from bot.gateway.keys import SETTINGS
from knowledge_base.review_queue import ReviewQueue

MAX_REASON = 500


def _queue(request: web.Request) -> ReviewQueue:
    return ReviewQueue(request.config_dict[SETTINGS].review_queue_path)


@requires("editor")
async def review_page(request: web.Request) -> web.StreamResponse:
    groups = await asyncio.to_thread(lambda: _queue(request).open_groups())
    return await render("review.html", request, {"groups": groups})


@requires("editor")
async def dismiss(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    question = str(form.get("question", ""))
    reason = str(form.get("reason", "")).strip()[:MAX_REASON]
    if not reason:
        await add_flash(request, "Not dismissed: say why the question needs no answer.")
        raise web.HTTPFound("/admin/review")
    rows = await asyncio.to_thread(_queue(request).dismiss, question, reason)
    if rows:
        await asyncio.to_thread(
            request.app[ACCOUNTS].audit,
            signed_in_user(request).username,
            "review.dismiss",
            question[:300],
            {"question": question, "open_rows": rows},
            {"dismissed": True, "reason": reason},
        )
        await add_flash(request, f"Dismissed ({rows} entries in the queue).")
    else:
        await add_flash(request, "That question is no longer open.")
    raise web.HTTPFound("/admin/review")
