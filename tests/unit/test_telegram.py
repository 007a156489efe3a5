"""The real python-telegram-bot against a fake Bot API on 127.0.0.1, over the chat service
(with a fake Rasa: the conversation itself is tested with the real one in
tests/integration/test_telegram_chat.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.gateway.backends import BackendWatch
from bot.gateway.limits import ChatLimits, InFlight, RateLimiter
from bot.gateway.payloads import PayloadSigner
from bot.gateway.service import ChatService
from bot.settings import Settings
from bot.telegram.connector import TelegramConnector
from bot.telegram.render import TEXT_LIMIT, split_text
from knowledge_base.triage.decision import TriageDecider
from tests.fake_bot_api import TOKEN, FakeBotApi
from tests.unit.fakes import FakeRasa

CHAT = 4242


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


def make_connector(
    api: FakeBotApi,
    rasa: FakeRasa,
    tmp_path: Path,
    limits: ChatLimits | None = None,
    **env: str,
) -> TelegramConnector:
    settings = Settings.from_env(
        {
            "TUOYU_VAR_DIR": str(tmp_path),
            "TUOYU_TELEGRAM_TOKEN": TOKEN,
            "TUOYU_TELEGRAM_API_URL": api.base_url,
            "TUOYU_PUBLIC_URL": "https://tuoyu.example.org",
            **env,
        }
    )
    service = ChatService(
        rasa=rasa,
        backends=BackendWatch(rasa),
        triage=TriageDecider.from_files(),
        signer=PayloadSigner("test-secret"),
        limits=limits or ChatLimits.per_minute(30, 300),
        review_queue_path=tmp_path / "review-queue.sqlite3",
    )
    return TelegramConnector(
        settings, service, min_backoff_s=0.05, probe_interval_s=0.2, retry_delays_s=(0.05, 0.1)
    )


async def until(condition: Any, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def connector(
    api: FakeBotApi, rasa: FakeRasa, tmp_path: Path
) -> AsyncIterator[TelegramConnector]:
    telegram = make_connector(api, rasa, tmp_path)
    telegram.start()
    await until(lambda: telegram.state.ok)
    yield telegram
    await telegram.stop()


async def test_text_in_every_reply_out_with_buttons_as_an_inline_keyboard(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    rasa.replies = [
        {
            "text": "发烧时先看精神状态。",
            "buttons": [{"title": "怎么降温", "payload": '/ask{"e": 1}'}],
        },
        {"text": "来源：国家卫生健康委员会"},
    ]
    api.send_text(CHAT, "宝宝发烧38度怎么办")
    first, second = await api.wait_for_messages(CHAT, 2)
    assert first["text"] == "发烧时先看精神状态。"
    [[button]] = first["reply_markup"]["inline_keyboard"]
    assert button["text"] == "怎么降温"
    assert button["callback_data"].startswith("b:")
    assert len(button["callback_data"].encode()) <= 64
    assert second["text"] == "来源：国家卫生健康委员会"
    assert "parse_mode" not in first  # plain text: a parent's "<b>" is never markup
    assert rasa.sent == [("tg:4242", "宝宝发烧38度怎么办")]
    assert api.called("sendChatAction")


async def test_a_button_press_is_answered_and_its_payload_goes_back_to_rasa(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    rasa.replies = [{"text": "选一个", "buttons": [{"title": "降温", "payload": '/ask{"e": 1}'}]}]
    api.send_text(CHAT, "发烧")
    [shown] = await api.wait_for_messages(CHAT, 1)
    data = shown["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    api.press(CHAT, data, query_id="press-1")
    await api.wait_for_messages(CHAT, 2)
    assert api.called("answerCallbackQuery")[0].params["callback_query_id"] == "press-1"
    assert rasa.sent[-1] == ("tg:4242", '/ask{"e": 1}')


async def test_a_forged_or_foreign_callback_sets_nothing(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    rasa.replies = [{"text": "选一个", "buttons": [{"title": "急救", "payload": "/emergency"}]}]
    api.send_text(CHAT, "你好")
    [shown] = await api.wait_for_messages(CHAT, 1)
    data = shown["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    api.press(7777, data)  # another chat pressing this chat's button
    api.press(CHAT, "/restart")  # crafted callback data
    messages = await api.wait_for_messages(7777, 1)
    await api.wait_for_messages(CHAT, 2)
    assert "过期" in messages[0]["text"]
    assert "过期" in api.sent(CHAT)[1]["text"]
    assert rasa.sent == [("tg:4242", "你好")]


async def test_a_map_link_becomes_a_url_button_and_a_location_request_a_keyboard(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    rasa.replies = [
        {"text": "附近有 3 家"},
        {"custom": {"type": "link", "url": "/map?lat=39.99&lon=116.47", "title": "在地图上看"}},
        {"text": "想找哪里附近？"},
        {"custom": {"type": "request_location", "language": "zh"}},
    ]
    api.send_text(CHAT, "找托育")
    results, where, keyboard = await api.wait_for_messages(CHAT, 3)
    [[link]] = results["reply_markup"]["inline_keyboard"]
    assert link == {
        "text": "在地图上看",
        "url": "https://tuoyu.example.org/map?lat=39.99&lon=116.47",
    }
    assert where["text"] == "想找哪里附近？"
    [[share]] = keyboard["reply_markup"]["keyboard"]
    assert share["request_location"] is True
    assert keyboard["reply_markup"]["one_time_keyboard"] is True


async def test_a_shared_location_goes_to_the_finder_rounded_to_about_100_m(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    api.send_location(CHAT, 39.993749, 116.473612)
    await api.wait_for_messages(CHAT, 1)
    assert rasa.sent == [("tg:4242", '/share_location{"latitude": 39.994, "longitude": 116.474}')]


async def test_commands_answer_in_the_parents_language(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    api.send_text(CHAT, "/start")
    api.send_text(CHAT, "/privacy")
    api.send_text(CHAT, "/help", language="en")
    start, privacy, helped = await api.wait_for_messages(CHAT, 3)
    assert "托育助手" in start["text"]
    assert "/delete" in start["text"]
    assert "100 米" in privacy["text"]
    assert "120" in helped["text"]
    assert rasa.sent == []  # commands never reach Rasa as text


async def test_lang_offers_both_languages_and_remembers_the_choice(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    api.send_text(CHAT, "/lang")
    [question] = await api.wait_for_messages(CHAT, 1)
    row = question["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in row] == ["lang:zh", "lang:en"]
    api.press(CHAT, "lang:en")
    _, chosen = await api.wait_for_messages(CHAT, 2)
    assert "English" in chosen["text"]
    api.send_text(CHAT, "/help")
    assert "Just type" in (await api.wait_for_messages(CHAT, 3))[2]["text"]


async def test_delete_asks_first_then_erases_the_conversation(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    api.send_text(CHAT, "宝宝几个月加辅食")
    await api.wait_for_messages(CHAT, 1)
    api.send_text(CHAT, "/delete")
    [_, question] = await api.wait_for_messages(CHAT, 2)
    assert rasa.forgotten == []  # nothing before the confirmation
    assert [b["callback_data"] for b in question["reply_markup"]["inline_keyboard"][0]] == [
        "delete:yes",
        "delete:no",
    ]
    api.press(CHAT, "delete:yes")
    done = (await api.wait_for_messages(CHAT, 3))[2]
    assert rasa.forgotten == ["tg:4242"]
    assert "已删除" in done["text"]


async def test_delete_says_so_when_nothing_could_be_erased(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    rasa.rasa_up = False
    api.press(CHAT, "delete:yes")
    [failed] = await api.wait_for_messages(CHAT, 1)
    assert "没有删除" in failed["text"]


@pytest.mark.parametrize("kind", ["voice", "sticker", "photo", "document"])
async def test_media_gets_a_polite_reply_saying_what_tuoyu_can_take(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector, kind: str
) -> None:
    api.send_media(CHAT, kind)
    [reply] = await api.wait_for_messages(CHAT, 1)
    assert "文字" in reply["text"]
    assert rasa.sent == []


async def test_a_reply_after_a_429_arrives_once_retry_after_has_passed(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    rasa.replies = [{"text": "答复"}]
    api.faults = [429]
    api.send_text(CHAT, "你好")
    [reply] = await api.wait_for_messages(CHAT, 1)
    assert reply["text"] == "答复"
    refused, sent = api.called("sendMessage!429")[0], api.called("sendMessage")[0]
    assert sent.at - refused.at >= api.retry_after_s


async def test_a_reply_after_a_502_is_retried(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    rasa.replies = [{"text": "答复"}]
    api.faults = [502, 502]
    api.send_text(CHAT, "你好")
    [reply] = await api.wait_for_messages(CHAT, 1)
    assert reply["text"] == "答复"
    assert len(api.called("sendMessage!502")) == 2


async def test_a_reply_that_cannot_go_becomes_please_try_again(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    rasa.replies = [{"text": "第一条"}, {"text": "第二条"}]
    api.faults = [502, 502, 502]  # the first reply fails on every try (1 + 2 retries)
    api.send_text(CHAT, "你好")
    [reply] = await api.wait_for_messages(CHAT, 1)
    assert "请再发一次" in reply["text"]


async def test_an_emergency_gets_120_first_even_when_rasa_is_down(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    rasa.rasa_up = False
    api.send_text(CHAT, "宝宝抽搐了 叫不醒")
    first, _ = await api.wait_for_messages(CHAT, 2)
    assert first["text"].startswith("🚨")
    assert "120" in first["text"]


async def test_limits_apply_per_chat_with_a_reply_in_the_chat(
    api: FakeBotApi, rasa: FakeRasa, tmp_path: Path
) -> None:
    # Two messages at once, then one a minute: the fourth in a row is refused.
    limits = ChatLimits(RateLimiter(1, burst=2), RateLimiter(300, burst=60), InFlight())
    telegram = make_connector(api, rasa, tmp_path, limits)
    telegram.start()
    try:
        rasa.replies = [{"text": "好"}]
        for n in range(4):
            api.send_text(CHAT, f"消息{n}")
        api.send_text(8888, "另一个家长")
        messages = await api.wait_for_messages(CHAT, 4)
        assert [m["text"] for m in messages].count("好") == 2
        assert "发得有点快" in messages[-1]["text"]
        assert (await api.wait_for_messages(8888, 1))[0]["text"] == "好"
    finally:
        await telegram.stop()


async def test_a_message_over_the_size_limit_gets_a_clear_reply(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    api.send_text(CHAT, "长" * 2500)
    [reply] = await api.wait_for_messages(CHAT, 1)
    assert "2500" in reply["text"]
    assert rasa.sent == []


async def test_long_replies_are_split_under_telegrams_limit(
    api: FakeBotApi, rasa: FakeRasa, connector: TelegramConnector
) -> None:
    rasa.replies = [{"text": ("段落" * 900 + "\n\n") * 3}]
    api.send_text(CHAT, "讲讲")
    messages = await api.wait_for_messages(CHAT, 2)
    assert all(len(m["text"]) <= TEXT_LIMIT for m in messages)
    assert "".join(m["text"] for m in api.sent(CHAT)).count("段落") == 2700


def test_split_text_cuts_at_paragraphs_and_never_loses_text() -> None:
    text = "甲" * 3000 + "\n\n" + "乙" * 3000
    assert split_text(text) == ["甲" * 3000, "乙" * 3000]
    hard = "丙" * 9000
    assert "".join(split_text(hard)) == hard
    assert all(len(chunk) <= TEXT_LIMIT for chunk in split_text(hard))


async def test_a_connector_started_while_the_bot_api_is_down_connects_when_it_comes_up(
    rasa: FakeRasa, tmp_path: Path
) -> None:
    api = FakeBotApi()
    await api.start()
    port = api.port
    await api.stop()  # the port is known, nothing answers on it
    telegram = make_connector(api, rasa, tmp_path)
    telegram.start()
    try:
        await until(lambda: "unreachable" in telegram.state.detail)
        assert not telegram.state.ok
        await api.start(port)
        await until(lambda: telegram.state.ok, timeout_s=15)
        rasa.replies = [{"text": "在的"}]
        api.send_text(CHAT, "在吗")
        assert (await api.wait_for_messages(CHAT, 1))[0]["text"] == "在的"
    finally:
        await telegram.stop()
        await api.stop()


async def test_webhook_mode_registers_the_webhook_with_its_secret(
    api: FakeBotApi, rasa: FakeRasa, tmp_path: Path
) -> None:
    telegram = make_connector(
        api,
        rasa,
        tmp_path,
        TUOYU_TELEGRAM_MODE="webhook",
        TUOYU_TELEGRAM_WEBHOOK_URL="https://tuoyu.example.org/telegram/webhook",
        TUOYU_TELEGRAM_WEBHOOK_SECRET="s3cret-token",
    )
    telegram.start()
    try:
        call = await api.wait_for_call("setWebhook")
        assert call.params["url"] == "https://tuoyu.example.org/telegram/webhook"
        assert call.params["secret_token"] == "s3cret-token"
        await until(lambda: telegram.state.ok)
        assert not api.called("getUpdates")
        assert telegram.secret_matches("s3cret-token")
        assert not telegram.secret_matches("wrong")
        rasa.replies = [{"text": "收到"}]
        await telegram.feed(
            {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": CHAT, "type": "private"},
                    "from": {"id": CHAT, "is_bot": False, "first_name": "P"},
                    "text": "你好",
                },
            }
        )
        assert (await api.wait_for_messages(CHAT, 1))[0]["text"] == "收到"
    finally:
        await telegram.stop()
