"""Emergency and crisis answers: the number to call and what to do now, before anything else."""

from __future__ import annotations

import functools
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.guidance import tracker_language
from knowledge_base.danger_signs import (
    PARENT_CRISIS,
    DangerSignDetector,
    EmergencyReply,
    reply_for_category,
)

CATEGORY_ENTITY = "triage_category"
PARENT_CRISIS_ENTITY = "triage_parent_crisis"
# Intents the triage component sets; a form waiting for an answer lets their rules go first.
TRIAGE_INTENTS = ("emergency", "parent_crisis", "triage_check")


@functools.cache
def process_detector() -> DangerSignDetector:
    return DangerSignDetector.from_file()


def _triage_entity(tracker: Tracker, name: str) -> str | None:
    for entity in tracker.latest_message.get("entities", []) or []:
        if entity.get("entity") == name and isinstance(entity.get("value"), str):
            return str(entity["value"])
    return None


def triage_category(tracker: Tracker) -> str | None:
    """The category the triage component decided on for the latest message."""
    return _triage_entity(tracker, CATEGORY_ENTITY)


def parent_in_crisis_too(tracker: Tracker) -> bool:
    """Whether triage found the writer of this emergency in crisis as well."""
    return _triage_entity(tracker, PARENT_CRISIS_ENTITY) == "yes"


def say_emergency(
    dispatcher: CollectingDispatcher,
    detector: DangerSignDetector,
    category: str | None,
    language: str,
    parent_in_crisis: bool = False,
) -> None:
    reply: EmergencyReply = reply_for_category(detector, category, language, parent_in_crisis)
    if reply.category == PARENT_CRISIS:
        dispatcher.utter_message(
            response="utter_parent_crisis", steps=reply.steps_text, source=reply.source_line
        )
        return
    dispatcher.utter_message(
        response="utter_emergency",
        number=reply.number,
        steps=reply.steps_text,
        source=reply.source_line,
    )


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
        category = self._category(detector, tracker)
        language = tracker_language(tracker)
        say_emergency(dispatcher, detector, category, language, parent_in_crisis_too(tracker))
        return []

    def _category(self, detector: DangerSignDetector, tracker: Tracker) -> str | None:
        category = triage_category(tracker)
        if category is None:
            # A story or a client that set the intent itself: find the sign in the text.
            sign = detector.detect(tracker.latest_message.get("text") or "")
            category = sign.category if sign else None
        return category


class ActionParentCrisis(ActionEmergencyResponse):
    """A parent or carer in crisis: warmth, 12356, and 120/110 when life is in danger now."""

    def name(self) -> str:
        return "action_parent_crisis"

    def _category(self, detector: DangerSignDetector, tracker: Tracker) -> str | None:
        return PARENT_CRISIS
