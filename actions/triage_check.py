"""One quick yes/no question when the triage signals disagree, and what the answer decides."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import process_detector, say_emergency, triage_category
from actions.guidance import ActionAnswerQuestion, process_guidance, tracker_language
from knowledge_base.danger_signs import PARENT_CRISIS
from knowledge_base.guidance import GuidanceService
from knowledge_base.text import normalise
from knowledge_base.text.scope import asks_something
from knowledge_base.triage.decision import TriageDecider

PENDING_SLOT = "triage_pending"
# The category stored when the check had none of its own (the generic question).
GENERIC = "generic"


@functools.cache
def process_decider() -> TriageDecider:
    return TriageDecider.from_files(process_detector())


class ActionTriageCheck(Action):
    """Asks ONE question (is the child struggling to breathe, hard to wake...?) with yes/no."""

    def name(self) -> str:
        return "action_triage_check"

    def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        category = triage_category(tracker)
        question = process_decider().question(category, tracker_language(tracker))
        dispatcher.utter_message(response="utter_triage_check", question=question)
        return [SlotSet(PENDING_SLOT, category or GENERIC)]


def asked_text(tracker: Tracker) -> str | None:
    """The parent's message that the check question was about."""
    users = [e for e in tracker.events if e.get("event") == "user"]
    for event in reversed(users[:-1]):
        text = (event.get("text") or "").strip()
        if text and not text.startswith("/"):
            return text
    return None


class ActionTriageResolve(Action):
    """Yes: the emergency (or crisis) answer. No: a calm answer to the original question (after
    a crisis question, warmth and 12356 first, and the answer only if something was asked)."""

    # A module-level function, not a lambda: rasa-sdk's own multi-worker runner pickles actions.
    def __init__(self, guidance: Callable[[], GuidanceService] = process_guidance) -> None:
        self._guidance = guidance

    def name(self) -> str:
        return "action_triage_resolve"

    def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        pending = tracker.get_slot(PENDING_SLOT)
        category = None if pending in (None, GENERIC) else str(pending)
        language = tracker_language(tracker)
        events: list[EventType] = [SlotSet(PENDING_SLOT, None)]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "affirm":
            say_emergency(dispatcher, process_detector(), category, language)
            return events
        question = asked_text(tracker)
        if category == PARENT_CRISIS:
            dispatcher.utter_message(response="utter_triage_not_crisis")
            # A tired parent who also asked something ("好累…孩子夜醒怎么办？") still gets the
            # answer; words that only let off steam are not searched.
            if question and (asks_something(question) or "?" in normalise(question)):
                events += ActionAnswerQuestion(self._guidance).answer(
                    dispatcher, tracker, question, language
                )
            return events
        dispatcher.utter_message(response="utter_triage_not_emergency")
        if question:
            events += ActionAnswerQuestion(self._guidance).answer(
                dispatcher, tracker, question, language
            )
        return events
