"""The action asserts response names and events, not wording (wording lives in the domain)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guidance import ActionAnswerOrDecline, ActionAnswerQuestion
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


def uncertain(guidance: GuidanceService, *, maybe_threshold: float) -> GuidanceService:
    """The same knowledge base with nothing trusted as a confident answer."""
    return GuidanceService(
        guidance._search,
        {e.id: e for e in guidance._search.entries()},
        guidance._review_queue,
        threshold=2.0,
        maybe_threshold=maybe_threshold,
    )


def test_a_plausible_match_offers_the_best_entries_as_may_answer(
    guidance: GuidanceService,
) -> None:
    action = ActionAnswerQuestion(lambda: uncertain(guidance, maybe_threshold=0.0))
    messages, events = run(action, tracker("宝宝几个月加辅食"))
    assert [m["response"] for m in messages] == ["utter_guidance_maybe"]
    maybe = messages[0]
    assert maybe["title"] == "宝宝几个月加辅食"
    assert maybe["line"] == "宝宝几个月加辅食的简要回答。"
    assert "国家卫生健康委员会" in maybe["source"]
    assert maybe["buttons"][0]["payload"] == '/ask_guidance{"kb_entry": "solids"}'
    assert 1 <= len(maybe["buttons"]) <= 3
    assert events == []


def test_a_real_miss_is_still_not_sure(guidance: GuidanceService) -> None:
    action = ActionAnswerQuestion(lambda: uncertain(guidance, maybe_threshold=1.01))
    messages, _ = run(action, tracker("宝宝几个月加辅食"))
    assert messages[0]["response"] == "utter_guidance_not_sure"


def test_out_of_scope_about_something_else_is_declined_and_not_queued(
    guidance: GuidanceService,
) -> None:
    service = uncertain(guidance, maybe_threshold=0.0)
    messages, _ = run(ActionAnswerOrDecline(lambda: service), tracker("明天北京天气怎么样"))
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]
    assert service._review_queue is not None
    assert service._review_queue.recent() == []


def test_out_of_scope_about_a_child_is_never_declined(guidance: GuidanceService) -> None:
    service = uncertain(guidance, maybe_threshold=1.01)
    messages, _ = run(ActionAnswerOrDecline(lambda: service), tracker("孩子不睡觉怎么办"))
    assert messages[0]["response"] == "utter_guidance_not_sure"


def test_out_of_scope_that_the_knowledge_base_answers_is_answered(
    guidance: GuidanceService,
) -> None:
    messages, events = run(ActionAnswerOrDecline(lambda: guidance), tracker("个税专项附加扣除"))
    assert messages[0]["response"] == "utter_guidance_answer"
    assert SlotSet("last_entry_id", "tax") in events
