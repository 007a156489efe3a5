"""The action asserts response names and events, not wording (wording lives in the domain)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guidance import ActionAnswerQuestion
from knowledge_base.guidance import GuidanceService


def tracker(
    text: str, language: str = "zh", entities: list[dict[str, Any]] | None = None
) -> Tracker:
    return Tracker(
        sender_id="test",
        slots={"language": language},
        latest_message={
            "text": text,
            "intent": {"name": "ask_guidance"},
            "entities": entities or [],
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def guidance(guidance_service: GuidanceService) -> GuidanceService:
    return guidance_service


def run(action: ActionAnswerQuestion, t: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return dispatcher.messages, events


def test_answer_carries_text_source_and_related_buttons(guidance: GuidanceService) -> None:
    messages, events = run(ActionAnswerQuestion(lambda: guidance), tracker("宝宝几个月加辅食"))
    assert messages[0]["response"] == "utter_guidance_answer"
    assert messages[0]["answer"] == "满6月龄添加辅食。"
    assert "国家卫生健康委员会" in messages[0]["source"]
    assert messages[-1]["response"] == "utter_guidance_related"
    assert all(
        b["payload"].startswith('/ask_guidance{"kb_entry": ') for b in messages[-1]["buttons"]
    )
    assert events == [
        SlotSet("last_entry_id", "solids"),
        SlotSet("last_question", "宝宝几个月加辅食"),
    ]


def test_a_follow_up_is_answered_with_the_previous_topic(guidance: GuidanceService) -> None:
    t = tracker("那两岁呢？")
    t.slots["last_question"] = "宝宝安全睡眠"
    messages, events = run(ActionAnswerQuestion(lambda: guidance), t)
    assert messages[0]["response"] == "utter_guidance_answer"
    assert events == [SlotSet("last_entry_id", "sleep")]


def test_english_answer_is_the_english_body(guidance: GuidanceService) -> None:
    messages, _ = run(
        ActionAnswerQuestion(lambda: guidance), tracker("safe sleep for babies", "en")
    )
    assert messages[0]["response"] == "utter_guidance_answer"
    assert messages[0]["answer"] == "The body text."
    assert "utter_guidance_chinese_only" not in [m["response"] for m in messages]


def test_button_payload_opens_the_entry_directly(guidance: GuidanceService) -> None:
    t = tracker(
        '/ask_guidance{"kb_entry": "tax"}', entities=[{"entity": "kb_entry", "value": "tax"}]
    )
    messages, events = run(ActionAnswerQuestion(lambda: guidance), t)
    assert messages[0]["answer"] == "每孩每月2000元。"
    assert events == [SlotSet("last_entry_id", "tax")]


def test_not_sure_offers_closest_topics_and_sets_nothing(guidance: GuidanceService) -> None:
    messages, events = run(ActionAnswerQuestion(lambda: guidance), tracker("qqq zzz www"))
    assert messages[0]["response"] == "utter_guidance_not_sure"
    assert messages[1]["response"] == "utter_guidance_closest_topics"
    assert messages[1]["buttons"]
    assert events == []


def test_a_broken_knowledge_base_gets_a_clear_message() -> None:
    def broken() -> GuidanceService:
        raise RuntimeError("index missing")

    messages, events = run(ActionAnswerQuestion(broken), tracker("宝宝发烧"))
    assert [m["response"] for m in messages] == ["utter_guidance_unavailable"]
    assert events == []
