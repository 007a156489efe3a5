"""👍/👎 on answers: the marker the action sends, the token the gateway hands out with the
answer, POST /api/feedback (only for an answer the sender was given), the review queue."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from rasa_sdk.executor import CollectingDispatcher

from actions.guidance import ActionAnswerQuestion
from bot.gateway.answer_feedback import (
    MAX_RATED_QUESTION_CHARS,
    TOKEN_TTL_S,
    FeedbackRefused,
    FeedbackTokens,
    with_feedback_tokens,
)
from bot.gateway.keys import CHAT
from bot.settings import Settings
from knowledge_base.guidance import GuidanceService
from knowledge_base.review_queue import RatingCounts, ReviewQueue
from tests.unit.fakes import FakeRasa, gateway_app
from tests.unit.trackers import make_tracker

MARKER: dict[str, Any] = {
    "type": "guidance_answer",
    "entry_id": "fever-care",
    "language": "zh",
    "question": "宝宝发烧怎么办，电话13812345678",
}
ANSWER: list[dict[str, Any]] = [
    {"recipient_id": "x", "text": "先看精神状态。\n📄 来源：国家卫生健康委员会"},
    {"recipient_id": "x", "custom": MARKER},
    {"recipient_id": "x", "text": "您可能还想了解：", "buttons": [{"title": "t", "payload": "/p"}]},
]


# --- the marker the action server sends with an answer --------------------------------------


def test_a_confident_answer_carries_the_marker_and_other_replies_do_not(
    guidance_service: GuidanceService,
) -> None:
    action = ActionAnswerQuestion(lambda: guidance_service)
    dispatcher = CollectingDispatcher()
    action.run(dispatcher, make_tracker("宝宝几个月加辅食"), {})
    assert dispatcher.messages[0]["response"] == "utter_guidance_answer"
    assert dispatcher.messages[1]["custom"] == {
        "type": "guidance_answer",
        "entry_id": "solids",
        "language": "zh",
        "question": "宝宝几个月加辅食",
    }
    unsure = CollectingDispatcher()
    action.run(unsure, make_tracker("qqq zzz www"), {})
    assert not [m for m in unsure.messages if m.get("custom")]


# --- tokens -------------------------------------------------------------------------------


def test_a_token_reads_back_for_its_sender_only() -> None:
    tokens = FeedbackTokens("secret")
    token = tokens.issue("parent-1", "fever-care", "zh", MARKER["question"])
    answer = tokens.read("parent-1", token)
    assert (answer.entry_id, answer.language) == ("fever-care", "zh")
    assert answer.question == "宝宝发烧怎么办，电话138****5678"
    with pytest.raises(FeedbackRefused) as refused:
        tokens.read("parent-2", token)
    assert (refused.value.status, refused.value.code) == (403, "not_your_answer")
    # Each answer has its own id, even with the same question and entry: two ratings.
    again = tokens.read("parent-1", tokens.issue("parent-1", "fever-care", "zh", "q"))
    assert again.answer_id != answer.answer_id


def test_a_long_question_is_kept_to_its_start() -> None:
    tokens = FeedbackTokens("secret")
    token = tokens.issue("p", "fever-care", "zh", "长" * 3000)
    assert len(tokens.read("p", token).question) == MAX_RATED_QUESTION_CHARS


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: "e" + t[1:],  # body changed
        lambda t: t.split(".")[0],  # no signature
        lambda t: "not a token",
        lambda t: "Wzld.AAAA",  # a valid base64 JSON list, not a token
        lambda t: "%%%." + t.split(".")[1],
    ],
)
def test_a_forged_or_altered_token_is_refused(forge: Any) -> None:
    tokens = FeedbackTokens("secret")
    token = tokens.issue("p", "fever-care", "zh", "q")
    with pytest.raises(FeedbackRefused) as refused:
        tokens.read("p", forge(token))
    assert (refused.value.status, refused.value.code) == (400, "invalid_token")


def test_a_token_signed_with_another_key_is_refused() -> None:
    token = FeedbackTokens("another secret").issue("p", "fever-care", "zh", "q")
    with pytest.raises(FeedbackRefused) as refused:
        FeedbackTokens("secret").read("p", token)
    assert refused.value.code == "invalid_token"


def test_an_old_token_has_expired() -> None:
    now = [time.time()]
    tokens = FeedbackTokens("secret", clock=lambda: now[0])
    token = tokens.issue("p", "fever-care", "zh", "q")
    now[0] += TOKEN_TTL_S - 60
    assert tokens.read("p", token)
    now[0] += 120
    with pytest.raises(FeedbackRefused) as refused:
        tokens.read("p", token)
    assert (refused.value.status, refused.value.code) == (400, "token_expired")


# --- the marker becomes a token on its reply ---------------------------------------------


def test_a_marker_becomes_a_token_on_the_reply_it_came_with_and_is_never_shown() -> None:
    link = {"type": "link", "url": "http://x/map", "title": "map"}
    replies: list[dict[str, Any]] = [
        {"text": "answer", "buttons": [], "extras": [MARKER, link]},
        {"text": "", "buttons": [], "custom": MARKER},  # a marker with nothing before it
        {"text": "related", "buttons": [{"title": "t", "payload": "/p"}]},
        {"text": "bad", "buttons": [], "extras": [{**MARKER, "entry_id": "../etc"}]},
    ]
    tokens = FeedbackTokens("secret")
    shaped = with_feedback_tokens(
        replies,
        lambda m: tokens.issue("p", m["entry_id"], "zh", "q") if "/" not in m["entry_id"] else None,
    )
    assert [r["text"] for r in shaped] == ["answer", "", "related", "bad"]
    assert shaped[0]["extras"] == [link]
    assert tokens.read("p", shaped[0]["feedback"]).entry_id == "fever-care"
    assert "custom" not in shaped[1]
    assert "feedback" in shaped[1]
    assert "feedback" not in shaped[2]
    assert "feedback" not in shaped[3]
    assert "extras" not in shaped[3]
    # Without tokens (no feedback here) markers still never reach a client.
    plain = with_feedback_tokens(replies, lambda m: None)
    assert [r["text"] for r in plain] == ["answer", "related", "bad"]
    assert "guidance_answer" not in repr(plain)


# --- POST /api/feedback -------------------------------------------------------------------


@pytest.fixture
def fake() -> FakeRasa:
    rasa = FakeRasa()
    rasa.replies = ANSWER
    return rasa


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"TUOYU_VAR_DIR": str(tmp_path), "TUOYU_RASA_TOKEN": "t"})


@pytest.fixture
async def client(aiohttp_client: Any, fake: FakeRasa, settings: Settings) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await aiohttp_client(gateway_app(settings, fake))
    return result


async def answer_token(client: TestClient[Any, Any], sender: str) -> str:
    body = await (
        await client.post("/api/chat", json={"sender_id": sender, "message": "宝宝发烧怎么办"})
    ).json()
    first, related = body["replies"]
    assert "extras" not in first
    assert "custom" not in first
    assert "feedback" not in related
    token: str = first["feedback"]
    return token


async def rate(
    client: TestClient[Any, Any], sender: str, token: str, rating: str
) -> aiohttp.ClientResponse:
    return await client.post(
        "/api/feedback", json={"sender_id": sender, "token": token, "rating": rating}
    )


async def test_a_thumbs_down_queues_the_question_and_a_change_of_mind_takes_it_back(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    token = await answer_token(client, "parent-1")
    response = await rate(client, "parent-1", token, "down")
    assert response.status == 200
    assert await response.json() == {"rating": "down", "previous": None}
    queue = ReviewQueue(settings.review_queue_path)
    [row] = queue.rows("open")
    assert (row.kind, row.best_entry_id, row.language) == ("unhelpful", "fever-care", "zh")
    assert row.question == "宝宝发烧怎么办，电话138****5678"
    assert await (await rate(client, "parent-1", token, "down")).json() == {
        "rating": "down",
        "previous": "down",
    }
    assert len(queue.rows("open")) == 1
    changed = await rate(client, "parent-1", token, "up")
    assert await changed.json() == {"rating": "up", "previous": "down"}
    assert queue.rows("open") == []
    assert queue.rating_counts() == {"fever-care": RatingCounts(up=1, down=0)}


async def test_only_the_parent_who_was_given_the_answer_may_rate_it(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    token = await answer_token(client, "parent-1")
    response = await rate(client, "parent-2", token, "down")
    assert response.status == 403
    error = (await response.json())["error"]
    assert (error["code"], error["field"]) == ("not_your_answer", "token")
    forged = await rate(client, "parent-1", token[:-2] + "xx", "down")
    assert forged.status == 400
    assert (await forged.json())["error"]["code"] == "invalid_token"
    old = FeedbackTokens(settings.payload_secret(), clock=lambda: time.time() - TOKEN_TTL_S - 1)
    expired = await rate(client, "parent-1", old.issue("parent-1", "fever-care", "zh", "q"), "up")
    assert expired.status == 400
    assert "too old" in (await expired.json())["error"]["message"]
    assert ReviewQueue(settings.review_queue_path).rating_counts() == {}


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"token": "t", "rating": "up"}, "sender_id", "missing_field"),
        ({"sender_id": "p", "rating": "up"}, "token", "missing_field"),
        ({"sender_id": "p", "token": "t"}, "rating", "missing_field"),
        ({"sender_id": "p", "token": 5, "rating": "up"}, "token", "wrong_type"),
        ({"sender_id": "p", "token": "t", "rating": True}, "rating", "wrong_type"),
        ({"sender_id": "p", "token": "   ", "rating": "up"}, "token", "empty_field"),
        ({"sender_id": "p", "token": "t", "rating": "meh"}, "rating", "invalid_field"),
        ({"sender_id": "p", "token": "t" * 5000, "rating": "up"}, "token", "invalid_field"),
        ({"sender_id": "tg:1", "token": "t", "rating": "up"}, "sender_id", "invalid_field"),
    ],
)
async def test_bad_requests_get_400_saying_what_is_wrong(
    client: TestClient[Any, Any], body: dict[str, Any], field: str, code: str
) -> None:
    response = await client.post("/api/feedback", json=body)
    assert response.status == 400
    error = (await response.json())["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert field in error["message"]


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1]"])
async def test_a_body_that_is_not_a_json_object_gets_400(
    client: TestClient[Any, Any], raw: bytes
) -> None:
    response = await client.post(
        "/api/feedback", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400


async def test_forget_erases_the_senders_ratings(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    mine = await answer_token(client, "leaving")
    theirs = await answer_token(client, "staying")
    await rate(client, "leaving", mine, "down")
    await rate(client, "staying", theirs, "up")
    assert (await client.post("/api/forget", json={"sender_id": "leaving"})).status == 200
    queue = ReviewQueue(settings.review_queue_path)
    assert queue.rows("open") == []
    assert queue.rating_counts() == {"fever-care": RatingCounts(up=1, down=0)}


async def test_other_sites_pages_may_rate_through_the_widget(
    client: TestClient[Any, Any],
) -> None:
    origin = {"Origin": "https://centre.example.cn"}
    preflight = await client.options(
        "/api/feedback",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204
    token = await answer_token(client, "widget-1")
    response = await client.post(
        "/api/feedback",
        json={"sender_id": "widget-1", "token": token, "rating": "up"},
        headers=origin,
    )
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_without_answer_feedback_the_marker_is_dropped(
    client: TestClient[Any, Any],
) -> None:
    client.app[CHAT].feedback = None
    body = await (await client.post("/api/chat", json={"sender_id": "p", "message": "发烧"})).json()
    assert [r["text"] for r in body["replies"]] == [ANSWER[0]["text"], ANSWER[2]["text"]]
    assert "guidance_answer" not in repr(body)
    assert "feedback" not in body["replies"][0]
