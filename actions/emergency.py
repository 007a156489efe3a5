"""action_emergency_response: emergency numbers and immediate steps, before anything else."""

from __future__ import annotations

import functools
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.guidance import tracker_language
from knowledge_base.danger_signs import DangerSignDetector, EmergencyReply, emergency_reply


@functools.cache
def process_detector() -> DangerSignDetector:
    return DangerSignDetector.from_file()


class ActionEmergencyResponse(Action):
    """Says which number to call and what to do now, from the maintained danger-sign data."""

    def __init__(self, detector: DangerSignDetector | None = None) -> None:
        self._detector = detector

    def name(self) -> str:
        return "action_emergency_response"

    def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        detector = self._detector or process_detector()
        text = tracker.latest_message.get("text") or ""
        reply: EmergencyReply = emergency_reply(detector, text, tracker_language(tracker))
        dispatcher.utter_message(
            response="utter_emergency",
            number=reply.number,
            steps=reply.steps_text,
            source=reply.source_line,
        )
        return []
