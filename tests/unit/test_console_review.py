"""The review queue page for editors: grouped, masked, newest first; dismissing is audited."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console.accounts import ConsoleAccounts
from knowledge_base.review_queue import ReviewQueue
from tests.unit.console_support import console_app, console_settings, post_form, sign_in

PAYLOAD = "<script>alert(1)</script>宝宝<img src=x onerror=alert(2)>"


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await aiohttp_client(console_app(tmp_path))
    await sign_in(result, "editor")
    return result


def queue(tmp_path: Path) -> ReviewQueue:
    return ReviewQueue(console_settings(tmp_path).review_queue_path)


async def test_questions_are_grouped_masked_and_newest_first(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    q = queue(tmp_path)
    q.record("托育补贴怎么申请", "zh", None, None, asker="a")
    q.record("托育补贴怎么申请", "zh", None, None, asker="b")
    q.record("我电话13812345678，能回电吗", "zh", "subsidy", 0.8, asker="c")
    page = await (await client.get("/admin/review")).text()
    assert "13812345678" not in page
    assert "138****5678" in page or "****" in page
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>.*?<td>(\d+)</td>", page, flags=re.S)
    assert rows[0][0].startswith("我电话")
    assert ("托育补贴怎么申请", "2") in rows


async def test_dismiss_needs_a_reason_and_is_audited(
    client: TestClient[Any, Any], tmp_path: Path
) -> None:
    queue(tmp_path).record("今天天气怎么样", "zh", None, None)
    no_reason = await post_form(
        client, "/admin/review", "/admin/review/dismiss", {"question": "今天天气怎么样"}
    )
    assert no_reason.status == 302
    assert "今天天气怎么样" in await (await client.get("/admin/review")).text()
    done = await post_form(
        client,
        "/admin/review",
        "/admin/review/dismiss",
        {"question": "今天天气怎么样", "reason": "off topic"},
    )
    assert done.status == 302
    page = await (await client.get("/admin/review")).text()
    assert "今天天气怎么样" not in page.split("Dismissed")[-1]
    assert queue(tmp_path).open_groups() == []
    entries, _ = ConsoleAccounts(console_settings(tmp_path).console_db_path).audit_page(1)
    assert entries[0].action == "review.dismiss"
    assert entries[0].actor == "editor1"
    assert "off topic" in (entries[0].after or "")


async def test_a_hostile_question_is_inert(client: TestClient[Any, Any], tmp_path: Path) -> None:
    queue(tmp_path).record(PAYLOAD, "zh", None, None)
    page = await (await client.get("/admin/review")).text()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;" in page
    await post_form(
        client, "/admin/review", "/admin/review/dismiss", {"question": PAYLOAD, "reason": "spam"}
    )
    await sign_in(client, "admin")
    audit = await (await client.get("/admin/audit")).text()
    assert "review.dismiss" in audit
    assert "<script>alert" not in audit
