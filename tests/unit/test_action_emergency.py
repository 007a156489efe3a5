from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import ActionEmergencyResponse


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
