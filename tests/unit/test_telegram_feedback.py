"""👍/👎 under a knowledge-base answer on Telegram: the real python-telegram-bot against the
fake Bot API, over the chat service with answer feedback (and a fake Rasa)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.gateway.answer_feedback import AnswerFeedback, FeedbackTokens
from bot.gateway.backends import BackendWatch
from bot.gateway.limits import ChatLimits
from bot.gateway.payloads import PayloadSigner
from bot.gateway.service import ChatService
from bot.settings import Settings
from bot.telegram.connector import TelegramConnector
from knowledge_base.review_queue import RatingCounts, ReviewQueue
from knowledge_base.triage.decision import TriageDecider
from tests.fake_bot_api import TOKEN, FakeBotApi
from tests.unit.fakes import FakeRasa

CHAT = 5151
ANSWER: list[dict[str, Any]] = [
    {"text": "先看精神状态。\n📄 来源：国家卫生健康委员会"},
    {
        "custom": {
            "type": "guidance_answer",
            "entry_id": "fever-care",
            "language": "zh",
            "question": "宝宝发烧怎么办",
        }
    },
    {"text": "您可能还想了解：", "buttons": [{"title": "怎么降温", "payload": '/ask{"e": 1}'}]},
]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def queue_path(tmp_path: Path) -> Path:
    return tmp_path / "review-queue.sqlite3"


@pytest.fixture
async def connector(
    api: FakeBotApi, tmp_path: Path, queue_path: Path
) -> AsyncIterator[TelegramConnector]:
    rasa = FakeRasa()
    rasa.replies = ANSWER
    settings = Settings.from_env(
        {
            "TUOYU_VAR_DIR": str(tmp_path),
            "TUOYU_TELEGRAM_TOKEN": TOKEN,
            "TUOYU_TELEGRAM_API_URL": api.base_url,
        }
    )
    service = ChatService(
        rasa=rasa,
        backends=BackendWatch(rasa),
        triage=TriageDecider.from_files(),
        signer=PayloadSigner("test-secret"),
        limits=ChatLimits.per_minute(30, 300),
        review_queue_path=queue_path,
        feedback=AnswerFeedback(FeedbackTokens("test-secret"), queue_path),
    )
    telegram = TelegramConnector(settings, service, min_backoff_s=0.05, probe_interval_s=0.2)
    telegram.start()
    deadline = time.monotonic() + 10
    while not telegram.state.ok:
        assert time.monotonic() < deadline, "connector did not start"
        await asyncio.sleep(0.02)
    yield telegram
    await telegram.stop()


def keyboard(message: dict[str, Any]) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = message["reply_markup"]["inline_keyboard"]
    return rows


async def rated_answer(api: FakeBotApi) -> list[dict[str, Any]]:
    api.send_text(CHAT, "宝宝发烧怎么办")
    answer, related = await api.wait_for_messages(CHAT, 2)
    assert [b["text"] for b in keyboard(related)[0]] == ["怎么降温"]
    return keyboard(answer)[0]


async def test_an_answer_gets_thumbs_up_and_down_and_a_press_is_kept_and_ticked(
    api: FakeBotApi, connector: TelegramConnector, queue_path: Path
) -> None:
    up, down = await rated_answer(api)
    assert (up["text"], down["text"]) == ("👍 有帮助", "👎 没帮助")
    assert up["callback_data"].startswith("r:up:")
    assert len(down["callback_data"].encode()) <= 64
    api.press(CHAT, down["callback_data"], query_id="rate-1")
    answered = await api.wait_for_call("answerCallbackQuery")
    assert answered.params["callback_query_id"] == "rate-1"
    assert "工作人员" in answered.params["text"]
    edited = await api.wait_for_call("editMessageReplyMarkup")
    ticked = edited.params["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in ticked] == ["👍 有帮助", "👎 没帮助 ✓"]
    [row] = ReviewQueue(queue_path).rows("open")
    assert (row.kind, row.best_entry_id, row.question) == (
        "unhelpful",
        "fever-care",
        "宝宝发烧怎么办",
    )
    # The parent changes their mind: the 👎 leaves the queue, the 👍 is counted.
    api.press(CHAT, up["callback_data"], query_id="rate-2")
    deadline = time.monotonic() + 10
    while len(api.called("answerCallbackQuery")) < 2:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    queue = ReviewQueue(queue_path)
    assert queue.rows("open") == []
    assert queue.rating_counts() == {"fever-care": RatingCounts(up=1, down=0)}
    # A rating is no message to Rasa: only the question went there.
    assert len(api.sent(CHAT)) == 2


async def test_a_forged_or_another_chats_rating_sets_nothing(
    api: FakeBotApi, connector: TelegramConnector, queue_path: Path
) -> None:
    up, _ = await rated_answer(api)
    api.press(CHAT + 1, up["callback_data"], query_id="theirs")
    api.press(CHAT, "r:down:made-up-key", query_id="forged")
    deadline = time.monotonic() + 10
    while len(api.called("answerCallbackQuery")) < 2:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    notices = {
        c.params["callback_query_id"]: c.params["text"] for c in api.called("answerCallbackQuery")
    }
    assert "过期" in notices["theirs"]
    assert "过期" in notices["forged"]
    assert ReviewQueue(queue_path).rating_counts() == {}


async def test_delete_forgets_the_rating_buttons_too(
    api: FakeBotApi, connector: TelegramConnector
) -> None:
    _, down = await rated_answer(api)
    api.press(CHAT, "delete:yes", query_id="delete")
    await api.wait_for_messages(CHAT, 3)
    api.press(CHAT, down["callback_data"], query_id="after")
    deadline = time.monotonic() + 10
    while "after" not in [c.params["callback_query_id"] for c in api.called("answerCallbackQuery")]:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    [after] = [
        c for c in api.called("answerCallbackQuery") if c.params["callback_query_id"] == "after"
    ]
    assert "过期" in after.params["text"]
