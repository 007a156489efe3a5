"""/admin/dashboard: how the bot is doing over a chosen period, for every member of staff.

The figures come from bot/console/dashboard_stats.py (the tracker store and the review queue),
read in a thread; bot/console/dashboard_view.py turns them into headlines, charts and tables.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from aiohttp import web

from bot.console.dashboard_period import (
    EARLIEST,
    MAX_DAYS,
    PRESET_DAYS,
    Period,
    PeriodError,
    beijing_today,
    parse_period,
)
from bot.console.dashboard_source import TrackerStoreReader
from bot.console.dashboard_stats import DashboardStats, read_dashboard
from bot.console.dashboard_view import EntryTitles, dashboard_sections, entry_titles, headlines
from bot.console.guard import render, requires
from bot.gateway.keys import SETTINGS
from bot.settings import Settings


def _read(settings: Settings, period: Period) -> tuple[DashboardStats, EntryTitles]:
    titles = entry_titles(settings)
    reader = TrackerStoreReader.for_store(settings.tracker_store_url, settings.tracker_db_path)
    stats = read_dashboard(reader, settings.review_queue_path, period, titles.topics)
    return stats, titles


def _form(request: web.Request, today: dt.date, period: Period | None) -> dict[str, object]:
    query = request.query
    custom = bool(query.get("from") or query.get("to"))
    return {
        "presets": PRESET_DAYS,
        "days": None if custom or period is None else period.days,
        "from_value": query.get("from", "")[:20] if custom else (period.first if period else ""),
        "to_value": query.get("to", "")[:20] if custom else (period.last if period else ""),
        "earliest": EARLIEST.isoformat(),
        "today": today.isoformat(),
        "max_days": MAX_DAYS,
    }


@requires()
async def dashboard_page(request: web.Request) -> web.StreamResponse:
    """Every member of staff may read it: it shows counts, never a parent's words."""
    settings = request.config_dict[SETTINGS]
    today = beijing_today()
    try:
        period = parse_period(request.query, today)
    except PeriodError as error:
        context = {**_form(request, today, None), "error": str(error), "error_field": error.field}
        return await render("dashboard.html", request, context, status=400)
    stats, titles = await asyncio.to_thread(_read, settings, period)
    return await render(
        "dashboard.html",
        request,
        {
            **_form(request, today, period),
            "period": period,
            "headlines": headlines(stats),
            "sections": dashboard_sections(stats, titles),
        },
    )
