"""👍/👎 end to end: the real action server marks its answer, Rasa relays the marker, the
gateway turns it into a token; a parent rates through the API, the chat page (in Chromium)
and Telegram (the fake Bot API), and a 👎 lands in the staff review queue."""

from __future__ import annotations

import itertools
import sqlite3
import time
from typing import Any

import pytest

from bot.local_stack import LocalStack as Stack
from bot.supervisor import post_json
from tests.fake_bot_api import FakeBotApiThread
from tests.integration.browsers import chromium

pytestmark = pytest.mark.integration

_senders = itertools.count(1)
_chats = itertools.count(920_001)


def unhelpful(stack: Stack, question: str) -> list[str]:
    """The entries of the open 👎 rows with this question."""
    with sqlite3.connect(stack.settings.review_queue_path) as db:
        rows = db.execute(
            "SELECT best_entry_id FROM unanswered_questions WHERE question = ? AND "
            "kind = 'unhelpful' AND resolved_at IS NULL AND dismissed_at IS NULL",
            (question,),
        ).fetchall()
    return [str(entry) for (entry,) in rows]


def test_an_answer_carries_a_token_and_a_thumbs_down_reaches_the_review_queue(
    stack: Stack,
) -> None:
    sender = f"feedback-api-{next(_senders)}"
    question = "宝宝几个月可以加辅食？我电话13812345678"
    status, body = stack.chat(sender, question)
    assert status == 200
    rated = [r for r in body["replies"] if "feedback" in r]
    assert len(rated) == 1
    assert "来源" in rated[0]["text"]
    assert "guidance_answer" not in str(body)
    token = rated[0]["feedback"]
    status, answer = post_json(
        f"{stack.base_url}/api/feedback", {"sender_id": sender, "token": token, "rating": "down"}
    )
    assert (status, answer) == (200, {"rating": "down", "previous": None})
    masked = "宝宝几个月可以加辅食？我电话138****5678"
    [entry] = unhelpful(stack, masked)
    assert entry.startswith("feeding")
    status, _ = post_json(
        f"{stack.base_url}/api/feedback",
        {"sender_id": "someone-else", "token": token, "rating": "up"},
    )
    assert status == 403
    post_json(
        f"{stack.base_url}/api/feedback", {"sender_id": sender, "token": token, "rating": "up"}
    )
    assert unhelpful(stack, masked) == []


def test_the_chat_page_rates_an_answer_in_chromium(stack: Stack) -> None:
    from playwright.sync_api import expect

    question = "孩子不爱吃蔬菜怎么办"
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{stack.base_url}/")
        page.fill("#message", question)
        page.click("#send")
        group = page.locator("#log li.bot .rating").first
        group.wait_for(timeout=60_000)
        assert group.get_attribute("aria-label") == "这条回答有帮助吗？ Was this answer helpful?"
        down = group.get_by_role("button", name="没帮助 Not helpful")
        down.focus()
        page.keyboard.press("Enter")
        expect(down).to_have_attribute("aria-pressed", "true", timeout=30_000)
        expect(group.locator(".rating-note")).to_contain_text("工作人员")
        assert len(unhelpful(stack, question)) == 1
        group.get_by_role("button", name="有帮助 Helpful").click()
        expect(down).to_have_attribute("aria-pressed", "false", timeout=30_000)
        assert unhelpful(stack, question) == []


def telegram_ready(stack: Stack) -> None:
    deadline = time.monotonic() + 60
    while not stack.healthz()[1]["parts"].get("telegram", {}).get("ok"):
        assert time.monotonic() < deadline, f"connector not up: {stack.healthz()[1]}"
        time.sleep(0.5)


def test_telegram_rates_an_answer_with_inline_buttons(
    stack: Stack, bot_api: FakeBotApiThread
) -> None:
    telegram_ready(stack)
    chat = next(_chats)
    question = "宝宝便秘怎么办"
    bot_api.call(bot_api.api.send_text, chat, question)
    answer = bot_api.wait_for_messages(chat, 1)[0]
    assert "来源" in answer["text"]
    rows: list[list[dict[str, Any]]] = answer["reply_markup"]["inline_keyboard"]
    up, down = rows[-1]
    assert (up["text"], down["text"]) == ("👍 有帮助", "👎 没帮助")
    before = len(bot_api.api.called("answerCallbackQuery"))
    bot_api.call(bot_api.api.press, chat, down["callback_data"], query_id="tg-rate")
    deadline = time.monotonic() + 30
    while len(bot_api.api.called("answerCallbackQuery")) <= before:
        assert time.monotonic() < deadline, "the press was not answered"
        time.sleep(0.1)
    notice = bot_api.api.called("answerCallbackQuery")[-1].params
    assert notice["callback_query_id"] == "tg-rate"
    assert "工作人员" in notice["text"]
    assert len(unhelpful(stack, question)) == 1
