"""/admin/dashboard: every staff role reads it, periods are validated, data stays text."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console.dashboard_period import beijing_today
from tests.unit.conftest import write_entry
from tests.unit.console_support import ROLES, console_app, console_settings, sign_in
from tests.unit.tracker_store_builder import SyntheticTrackerStore, beijing

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"
ANSWER = ["utter_guidance_answer", "utter_guidance_related"]


def days_ago(n: int) -> str:
    return (beijing_today() - dt.timedelta(days=n)).isoformat()


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    content = tmp_path / "content"
    content.mkdir()
    write_entry(content, "solids", f"宝宝几个月加辅食{IMAGE}", "When to start solids")
    env = {"TUOYU_CONTENT_DIR": str(content)}
    settings = console_settings(tmp_path / "var", env)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    store = SyntheticTrackerStore(settings.tracker_db_path)
    store.turn("p1", beijing(days_ago(2)), "宝宝几个月加辅食", ANSWER, entry_id="solids")
    store.turn("p2", beijing(days_ago(2), "11:00:00"), "hi", ANSWER, entry_id=SCRIPT)
    store.turn("p3", beijing(days_ago(1)), "孩子抽搐了", ["utter_emergency"], channel="telegram")
    store.turn("p4", beijing(days_ago(1), "12:00:00"), "湿疹", ["utter_guidance_not_sure"])
    store.user("p5", beijing(days_ago(1), "13:00:00"), "x", language="zh", channel=SCRIPT)
    result: TestClient[Any, Any] = await aiohttp_client(console_app(tmp_path / "var", env))
    return result


@pytest.mark.parametrize("role", ROLES)
async def test_every_staff_role_reads_the_dashboard(
    client: TestClient[Any, Any], role: str
) -> None:
    assert (await sign_in(client, role)).status == 302
    home = await (await client.get("/admin/")).text()
    assert 'href="/admin/dashboard"' in home
    response = await client.get("/admin/dashboard?days=7")
    page = await response.text()
    assert response.status == 200
    assert "Conversations" in page
    assert 'aria-current="page">7 days' in page


async def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient[Any, Any]) -> None:
    response = await client.get("/admin/dashboard?days=7", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"].startswith("/admin/login?next=/admin/dashboard")


async def test_the_figures_are_the_stores(client: TestClient[Any, Any]) -> None:
    await sign_in(client, "caseworker")
    page = await (await client.get(f"/admin/dashboard?from={days_ago(6)}&to={days_ago(0)}")).text()
    headline = dict(
        re.findall(r'<span class="headline-label">([^<]+)</span><strong>([^<]+)</strong>', page)
    )
    assert headline["Conversations"] == "5"
    assert headline["Messages from parents"] == "5"
    assert headline["Answered confidently"] == "66.7%"  # 2 of 3 questions
    assert headline["Unanswered rate"] == "33.3%"
    assert headline["Emergency and crisis answers"] == "1 + 0"
    # Each chart is named and described, and has its table.
    charts = re.findall(r'<svg class="chart"[^>]*role="img" aria-labelledby="([^"]+)"', page)
    assert len(charts) == 9
    for labelled_by in charts:
        title_id, desc_id = labelled_by.split()
        assert f'<title id="{title_id}">' in page
        assert f'<desc id="{desc_id}">' in page
    assert page.count("<details>") == len(charts)


async def test_html_in_the_data_is_shown_as_text(client: TestClient[Any, Any]) -> None:
    await sign_in(client, "editor")
    response = await client.get(f"/admin/dashboard?from={days_ago(6)}&to={days_ago(0)}")
    page = await response.text()
    assert SCRIPT not in page
    assert IMAGE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # an entry id from the store
    assert "&lt;img src=x onerror=alert(2)&gt;" in page  # an entry title from the content
    # No script and no inline style anywhere: the strict CSP would refuse them.
    assert "<script" not in page
    assert "<img" not in page
    assert "style=" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("days=5", "Choose the last 7, 30, 90 days"),
        ("from=2026-02-30&to=2026-03-01", "is not a date"),
        (f"from={days_ago(1)}&to={days_ago(3)}", "comes after the last day"),
        (f"from={days_ago(1)}&to={days_ago(-1)}", "in the future"),
        (f"from={days_ago(400)}&to={days_ago(0)}", "at most 366 days"),
        ("from=2019-01-01&to=2019-01-02", "no conversations before"),
        (f"from={days_ago(3)}", "Give both the first and the last day"),
        (f"from={SCRIPT}&to={days_ago(0)}", "&#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;"),
    ],
)
async def test_a_period_that_cannot_be_shown_is_refused_saying_why(
    client: TestClient[Any, Any], query: str, message: str
) -> None:
    await sign_in(client, "registry")
    response = await client.get(f"/admin/dashboard?{query}")
    page = await response.text()
    assert response.status == 400
    assert 'role="alert"' in page
    assert message in page
    assert "<svg" not in page
    assert SCRIPT not in page


async def test_the_default_period_is_the_last_30_days(client: TestClient[Any, Any]) -> None:
    await sign_in(client, "admin")
    page = await (await client.get("/admin/dashboard")).text()
    assert f"{days_ago(29)} – {days_ago(0)} (30 days" in page
    assert 'aria-current="page">30 days' in page
