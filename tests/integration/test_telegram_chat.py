"""Telegram end to end: the fake Bot API, the gateway's python-telegram-bot connector, the chat
service and the real Rasa server and action server. A parent does everything Tuoyu offers."""

from __future__ import annotations

import itertools
import json
import time
import urllib.parse
import urllib.request
from typing import Any

import pytest

from bot.local_stack import LocalStack as Stack
from knowledge_base.registry.address import resolve_location
from knowledge_base.registry.places import default_gazetteer
from tests.fake_bot_api import FakeBotApiThread

pytestmark = pytest.mark.integration

_chats = itertools.count(910_001)


@pytest.fixture
def chat(stack: Stack, bot_api: FakeBotApiThread) -> int:
    deadline = time.monotonic() + 60
    while not stack.healthz()[1]["parts"].get("telegram", {}).get("ok"):
        assert time.monotonic() < deadline, f"connector not up: {stack.healthz()[1]}"
        time.sleep(0.5)
    return next(_chats)


def say(bot_api: FakeBotApiThread, chat: int, text: str, expect: int) -> list[dict[str, Any]]:
    """Sends text and returns the chat's messages after `expect` more have arrived."""
    before = len(bot_api.api.sent(chat))
    bot_api.call(bot_api.api.send_text, chat, text)
    return bot_api.wait_for_messages(chat, before + expect)[before:]


def next_with_button(bot_api: FakeBotApiThread, chat: int, after: int, data: str) -> dict[str, Any]:
    """The first message after the chat's first `after` with a button sending `data`."""
    count = after + 1
    while True:
        messages = bot_api.wait_for_messages(chat, count)
        for message in messages[after:]:
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            if any(button.get("callback_data") == data for row in rows for button in row):
                return message
        count = len(messages) + 1


def test_healthz_reports_the_connector(stack: Stack, chat: int) -> None:
    status, body = stack.healthz()
    assert status == 200
    assert body["parts"]["telegram"] == {"ok": True, "detail": "polling as @tuoyu_test_bot"}


def test_guidance_with_its_source_and_related_questions(
    stack: Stack, bot_api: FakeBotApiThread, chat: int
) -> None:
    messages = say(bot_api, chat, "宝宝几个月可以加辅食？", 1)
    assert "6月龄" in messages[0]["text"]
    assert "来源：中国营养学会" in messages[0]["text"]
    last = bot_api.wait_for_messages(chat, 2)[-1]
    buttons = last["reply_markup"]["inline_keyboard"]
    assert buttons
    # A related question, pressed: its entry is opened (the payload went back to Rasa).
    before = len(bot_api.api.sent(chat))
    bot_api.call(bot_api.api.press, chat, buttons[0][0]["callback_data"])
    opened = bot_api.wait_for_messages(chat, before + 1)[before]
    assert "来源" in opened["text"]
    assert bot_api.api.called("answerCallbackQuery")


def test_an_emergency_gets_120_first(stack: Stack, bot_api: FakeBotApiThread, chat: int) -> None:
    first = say(bot_api, chat, "孩子突然抽搐了 叫不醒 怎么办", 1)[0]
    assert first["text"].startswith("🚨")
    assert "120" in first["text"]


def test_the_finder_takes_a_shared_location_and_links_the_map(
    stack: Stack, bot_api: FakeBotApiThread, chat: int
) -> None:
    asked = say(bot_api, chat, "找托育，宝宝10个月", 2)
    assert "想找哪里附近" in asked[0]["text"]
    assert asked[1]["reply_markup"]["keyboard"][0][0]["request_location"] is True
    before = len(bot_api.api.sent(chat))
    bot_api.call(bot_api.api.send_location, chat, 39.915321, 116.403874)
    results = bot_api.wait_for_messages(chat, before + 2)[before:]
    assert "您的位置附近的备案托育机构（10个月）" in results[0]["text"]
    deadline = time.monotonic() + 30
    while not any(
        b.get("url", "").startswith(f"{stack.base_url}/map")
        for m in bot_api.api.sent(chat)[before:]
        for row in (m.get("reply_markup") or {}).get("inline_keyboard", [])
        for b in row
    ):
        assert time.monotonic() < deadline, "no e-map link button"
        time.sleep(0.2)
    assert "39.915321" not in json.dumps(stack.tracker(f"tg:{chat}"))


def test_is_it_registered(stack: Stack, bot_api: FakeBotApiThread, chat: int) -> None:
    wangjing = resolve_location("望京", default_gazetteer()).match
    assert wangjing is not None
    query = urllib.parse.urlencode(
        {"lat": wangjing.latitude, "lon": wangjing.longitude, "limit": 1}
    )
    with urllib.request.urlopen(f"{stack.base_url}/api/facilities/nearby?{query}") as response:
        first = json.loads(response.read())["results"][0]
    replies = say(bot_api, chat, f"{first['name']}备案了吗", 2)
    text = "\n".join(m["text"] for m in replies)
    assert "✅ 已备案" in text
    assert first["registration_no"] in text


def test_delete_erases_the_telegram_conversation(
    stack: Stack, bot_api: FakeBotApiThread, chat: int
) -> None:
    say(bot_api, chat, "宝宝两岁还不太会说话正常吗", 1)
    assert [e for e in stack.tracker(f"tg:{chat}")["events"] if e.get("event") == "user"]
    # The answer's last message (its buttons) may still be on its way: wait for the question.
    before = len(bot_api.api.sent(chat))
    bot_api.call(bot_api.api.send_text, chat, "/delete")
    question = next_with_button(bot_api, chat, before, "delete:yes")
    assert "删除" in question["text"]
    before = len(bot_api.api.sent(chat))
    bot_api.call(bot_api.api.press, chat, "delete:yes")
    assert "已删除" in bot_api.wait_for_messages(chat, before + 1)[before]["text"]
    events = stack.tracker(f"tg:{chat}")["events"]
    assert not [e for e in events if e.get("event") == "user"]
