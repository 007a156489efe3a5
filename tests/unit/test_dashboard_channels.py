"""What the gateway stores for the dashboard: each message's channel and when it left for
Rasa, as message metadata (it lands in Rasa's tracker store with the user event)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.gateway.app import STATIC_DIR
from bot.gateway.channels import channel_of
from bot.gateway.keys import CHAT
from tests.unit.fakes import FakeRasa


async def test_the_web_page_and_the_widget_are_told_apart(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    await client.post("/api/chat", json={"sender_id": "w1", "message": "宝宝发烧"})
    await client.post(
        "/api/chat", json={"sender_id": "w2", "message": "宝宝发烧", "channel": "widget"}
    )
    await client.post("/api/chat", json={"sender_id": "w3", "message": "hi", "channel": "web"})
    assert [m["channel"] for m in fake.metadata] == ["web", "widget", "web"]


async def test_telegram_is_told_by_its_senders(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    await client.app[CHAT].reply("tg:42", "宝宝发烧")
    # Even if an adapter passed something else, a tg: sender is Telegram.
    await client.app[CHAT].reply("tg:42", "还有", channel="widget")
    assert [m["channel"] for m in fake.metadata] == ["telegram", "telegram"]


@pytest.mark.parametrize("channel", ["telegram", "sms", "", 3, ["widget"]])
async def test_the_web_api_may_name_only_its_own_channels(
    client: TestClient[Any, Any], fake: FakeRasa, channel: object
) -> None:
    response = await client.post(
        "/api/chat", json={"sender_id": "w4", "message": "你好", "channel": channel}
    )
    assert response.status == 400
    assert (await response.json())["error"]["field"] == "channel"
    assert fake.sent == []


async def test_the_send_time_goes_with_the_message(
    client: TestClient[Any, Any], fake: FakeRasa
) -> None:
    before = time.time()
    await client.post("/api/chat", json={"sender_id": "w5", "message": "宝宝发烧"})
    sent_at = fake.metadata[0]["sent_at"]
    assert before - 0.01 <= sent_at <= time.time() + 0.01


def test_the_widget_says_it_is_the_widget() -> None:
    script = (STATIC_DIR / "widget.js").read_text("utf-8")
    assert 'body.channel = "widget";' in script


def test_channel_of() -> None:
    assert channel_of("abc") == "web"
    assert channel_of("abc", "widget") == "widget"
    assert channel_of("abc", "telegram") == "web"  # only Telegram's own senders are Telegram
    assert channel_of("tg:1") == "telegram"
