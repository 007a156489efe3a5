"""action_answer_question: a sourced answer from the knowledge base."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.composition import services
from knowledge_base.content import Entry
from knowledge_base.follow_up import is_follow_up
from knowledge_base.guidance import GuidanceAnswer, GuidanceService
from knowledge_base.language import Language

logger = logging.getLogger(__name__)


def entry_button(entry: Entry, language: Language) -> dict[str, str]:
    """A button that opens an entry directly, whatever NLU would make of its title."""
    payload = "/ask_guidance" + json.dumps({"kb_entry": entry.id}, ensure_ascii=False)
    return {"title": entry.title[language], "payload": payload}


def tracker_language(tracker: Tracker) -> Language:
    return "en" if tracker.get_slot("language") == "en" else "zh"


def requested_entry_id(tracker: Tracker) -> str | None:
    for entity in tracker.latest_message.get("entities", []) or []:
        if entity.get("entity") == "kb_entry" and isinstance(entity.get("value"), str):
            return str(entity["value"])
    return None


def process_guidance() -> GuidanceService:
    return services().guidance


class ActionAnswerQuestion(Action):
    """Answers with the best entry and its source, or says honestly that it is not sure."""

    # A module-level function, not a lambda: Sanic pickles actions into its worker process.
    def __init__(self, guidance: Callable[[], GuidanceService] = process_guidance) -> None:
        self._guidance = guidance

    def name(self) -> str:
        return "action_answer_question"

    def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        question = (tracker.latest_message.get("text") or "").strip()
        return self.answer(dispatcher, tracker, question, tracker_language(tracker))

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        question: str,
        language: Language,
    ) -> list[EventType]:
        """Answers question (the latest message, or one asked before a triage check)."""
        try:
            guidance = self._guidance()
            answer = self._answer(guidance, tracker, question, language)
        except Exception:
            # The parent gets a clear message instead of silence; staff get the traceback.
            logger.exception("Knowledge base failed to answer")
            dispatcher.utter_message(response="utter_guidance_unavailable")
            return []
        if answer is None or not answer.confident:
            self._say_not_sure(dispatcher, answer, language)
            return []
        self._say_answer(dispatcher, answer, language)
        assert answer.entry is not None
        events: list[EventType] = [SlotSet("last_entry_id", answer.entry.id)]
        # The topic a follow-up leans on: the last question that was not itself a follow-up.
        if question and not question.startswith("/") and not is_follow_up(question):
            events.append(SlotSet("last_question", question))
        return events

    @staticmethod
    def _answer(
        guidance: GuidanceService, tracker: Tracker, question: str, language: Language
    ) -> GuidanceAnswer | None:
        entry_id = requested_entry_id(tracker)
        if entry_id:
            by_id = guidance.answer_entry(entry_id, language)
            if by_id is not None:
                return by_id
        if not question or question.startswith("/"):
            return None
        previous = tracker.get_slot("last_question")
        return guidance.answer(question, language, previous_question=previous)

    @staticmethod
    def _say_answer(
        dispatcher: CollectingDispatcher, answer: GuidanceAnswer, language: Language
    ) -> None:
        dispatcher.utter_message(
            response="utter_guidance_answer", answer=answer.text, source=answer.source_line
        )
        if answer.entry is not None and answer.entry.needs_review:
            dispatcher.utter_message(response="utter_guidance_needs_review")
        if answer.from_summary_only:
            dispatcher.utter_message(response="utter_guidance_chinese_only")
        if answer.related:
            dispatcher.utter_message(
                response="utter_guidance_related",
                buttons=[entry_button(e, language) for e in answer.related],
            )

    @staticmethod
    def _say_not_sure(
        dispatcher: CollectingDispatcher, answer: GuidanceAnswer | None, language: Language
    ) -> None:
        dispatcher.utter_message(response="utter_guidance_not_sure")
        if answer is not None and answer.closest:
            dispatcher.utter_message(
                response="utter_guidance_closest_topics",
                buttons=[entry_button(e, language) for e in answer.closest],
            )
