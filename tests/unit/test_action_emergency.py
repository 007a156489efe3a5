from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import ActionEmergencyResponse, ActionParentCrisis
from actions.triage_check import ActionTriageCheck, ActionTriageResolve
from knowledge_base.guidance import GuidanceService
from tests.unit.trackers import category_entity, make_tracker, user_event


def tracker(text: str, language: str = "zh") -> Tracker:
    return Tracker(
        sender_id="t",
        slots={"language": language},
        latest_message={"text": text, "intent": {"name": "emergency"}, "entities": []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def test_emergency_response_gives_number_steps_and_source() -> None:
    dispatcher = CollectingDispatcher()
    events = ActionEmergencyResponse().run(dispatcher, tracker("宝宝噎住了 脸都紫了"), {})
    assert events == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_emergency"
    assert message["number"] == "120"
    assert "海姆立克" in message["steps"]
    assert message["source"]


def test_abuse_gets_110_in_english() -> None:
    dispatcher = CollectingDispatcher()
    ActionEmergencyResponse().run(dispatcher, tracker("the nanny hit my baby", "en"), {})
    assert dispatcher.messages[0]["number"] == "110"
    assert "call 110" in dispatcher.messages[0]["steps"]


# --- triage: the category from NLU, the crisis answer, the one question -------------------


def test_the_category_decided_in_nlu_picks_the_steps() -> None:
    # The classifier saw a drowning the rules did not name: its steps, not generic ones.
    dispatcher = CollectingDispatcher()
    t = make_tracker("孩子在水里不动了", intent="emergency", entities=[category_entity("drowning")])
    ActionEmergencyResponse().run(dispatcher, t, {})
    assert "水里" in dispatcher.messages[0]["steps"]
    assert dispatcher.messages[0]["number"] == "120"
    assert "伤害预防" in dispatcher.messages[0]["source"]


def test_a_parent_in_crisis_gets_12356_with_warmth_and_a_source() -> None:
    dispatcher = CollectingDispatcher()
    ActionParentCrisis().run(dispatcher, make_tracker("我不想活了", intent="parent_crisis"), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_parent_crisis"
    assert "12356" in message["steps"]
    assert "120" in message["steps"]
    assert "12356" in message["source"]


def test_an_emergency_whose_writer_is_in_crisis_too_ends_with_12356() -> None:
    dispatcher = CollectingDispatcher()
    entities = [category_entity("abuse"), {"entity": "triage_parent_crisis", "value": "yes"}]
    t = make_tracker("我用手捂住了他的嘴，我好怕我自己", intent="emergency", entities=entities)
    ActionEmergencyResponse().run(dispatcher, t, {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_emergency"
    assert message["number"] == "110"
    steps = message["steps"]
    assert steps.index("110") < steps.index("12356")
    assert "12356" in message["source"]  # the hotline's own source, with the abuse steps'
    plain = CollectingDispatcher()
    ActionEmergencyResponse().run(
        plain, make_tracker("保姆捂住他的嘴", intent="emergency", entities=entities[:1]), {}
    )
    assert "12356" not in plain.messages[0]["steps"]


def test_the_check_asks_the_categorys_question_and_remembers_it() -> None:
    dispatcher = CollectingDispatcher()
    t = make_tracker(
        "my toddler has a barking cough",
        intent="triage_check",
        language="en",
        entities=[category_entity("croup_stridor")],
    )
    events = ActionTriageCheck().run(dispatcher, t, {})
    assert dispatcher.messages[0]["response"] == "utter_triage_check"
    assert "breathing in" in dispatcher.messages[0]["question"]
    assert events == [SlotSet("triage_pending", "croup_stridor")]


def test_yes_to_the_check_gives_the_emergency_answer() -> None:
    dispatcher = CollectingDispatcher()
    t = make_tracker("是", intent="affirm", slots={"triage_pending": "croup_stridor"})
    events = ActionTriageResolve().run(dispatcher, t, {})
    assert dispatcher.messages[0]["response"] == "utter_emergency"
    assert "吸气" in dispatcher.messages[0]["steps"]
    assert SlotSet("triage_pending", None) in events


def test_yes_to_the_crisis_question_gives_the_crisis_answer() -> None:
    dispatcher = CollectingDispatcher()
    t = make_tracker("yes", intent="affirm", slots={"triage_pending": "parent_crisis"})
    ActionTriageResolve().run(dispatcher, t, {})
    assert dispatcher.messages[0]["response"] == "utter_parent_crisis"


def test_no_to_the_check_answers_the_original_question_calmly(
    guidance_service: GuidanceService,
) -> None:
    dispatcher = CollectingDispatcher()
    t = make_tracker(
        "没有",
        intent="deny",
        slots={"triage_pending": "generic"},
        events=[user_event("宝宝几个月加辅食"), user_event("/deny")],
    )
    ActionTriageResolve(lambda: guidance_service).run(dispatcher, t, {})
    responses = [m["response"] for m in dispatcher.messages]
    assert responses[0] == "utter_triage_not_emergency"
    assert "utter_guidance_answer" in responses


def test_no_to_the_crisis_question_is_warm_and_names_12356() -> None:
    dispatcher = CollectingDispatcher()
    t = make_tracker("no", intent="deny", slots={"triage_pending": "parent_crisis"})
    ActionTriageResolve().run(dispatcher, t, {})
    assert dispatcher.messages[0]["response"] == "utter_triage_not_crisis"


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        # A tired parent who also asked something still gets the answer...
        ("带娃好累，宝宝几个月加辅食？", True),
        # ...words that only let off steam are not searched.
        ("带娃好累啊，每天都睡不够", False),
    ],
)
def test_no_to_the_crisis_question_answers_only_what_was_asked(
    guidance_service: GuidanceService, asked: str, answered: bool
) -> None:
    dispatcher = CollectingDispatcher()
    t = make_tracker(
        "不是",
        intent="deny",
        slots={"triage_pending": "parent_crisis"},
        events=[user_event(asked), user_event("/deny")],
    )
    ActionTriageResolve(lambda: guidance_service).run(dispatcher, t, {})
    responses = [m["response"] for m in dispatcher.messages]
    assert responses[0] == "utter_triage_not_crisis"
    if answered:
        assert "utter_guidance_answer" in responses
    else:
        assert responses == ["utter_triage_not_crisis"]
