"""action_answer_question and action_answer_or_decline: sourced answers from the knowledge base."""

from __future__ import annotations

import json
import logging
import re
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
from knowledge_base.text.scope import mentions_parenting

logger = logging.getLogger(__name__)


def entry_button(entry: Entry, language: Language) -> dict[str, str]:
    """A button that opens an entry directly, whatever NLU would make of its title."""
    payload = "/ask_guidance" + json.dumps({"kb_entry": entry.id}, ensure_ascii=False)
    return {"title": entry.title[language], "payload": payload}


# A Chinese sentence end, or a full stop after a word of two lowercase letters or more (so that
# "Dr. Li" does not end a sentence) and before a capital or digit.
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[a-z0-9)]{2}\.)\s+(?=[A-Z0-9])")


def first_sentence(text: str) -> str:
    """The first sentence of a summary: the one line the middle tier shows."""
    return next((s.strip() for s in _SENTENCE_END.split(text) if s.strip()), text)


def answer_marker(answer: GuidanceAnswer, language: Language) -> dict[str, str]:
    """What the gateway needs to let the parent rate this answer: which entry answered which
    question (as asked, or the title of the entry a button opened), in which language."""
    return {
        "type": "guidance_answer",
        "entry_id": answer.entry.id if answer.entry else "",
        "language": language,
        "question": answer.question,
    }


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

    # Whether a message with nothing about parenting and no confident answer is declined.
    may_decline = False

    # A module-level function, not a lambda: rasa-sdk's own multi-worker runner pickles
    # actions (bot/action_server.py runs one process, but the actions work under both).
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
        language = tracker_language(tracker)
        return self.answer(dispatcher, tracker, question, language, may_decline=self.may_decline)

    def answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        question: str,
        language: Language,
        *,
        may_decline: bool = False,
    ) -> list[EventType]:
        """Answers question (the latest message, or one asked before a triage check).

        may_decline: NLU found the message out of scope. It is declined unless it talks about
        parenting or the knowledge base answers it confidently (the middle tier is not enough:
        "晚饭吃什么好" comes close to feeding entries); a declined message does not go to the
        staff's review queue.
        """
        decline = may_decline and not mentions_parenting(question)
        try:
            guidance = self._guidance()
            answer = self._answer(guidance, tracker, question, language, record=not decline)
        except Exception:
            # The parent gets a clear message instead of silence; staff get the traceback.
            logger.exception("Knowledge base failed to answer")
            dispatcher.utter_message(response="utter_guidance_unavailable")
            return []
        if decline and (answer is None or not answer.confident):
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        if answer is not None and answer.maybe is not None:
            self._say_maybe(dispatcher, answer, answer.maybe, language)
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
        guidance: GuidanceService,
        tracker: Tracker,
        question: str,
        language: Language,
        *,
        record: bool,
    ) -> GuidanceAnswer | None:
        entry_id = requested_entry_id(tracker)
        if entry_id:
            by_id = guidance.answer_entry(entry_id, language)
            if by_id is not None:
                return by_id
        if not question or question.startswith("/"):
            return None
        previous = tracker.get_slot("last_question")
        return guidance.answer(
            question,
            language,
            previous_question=previous,
            record_misses=record,
            asker=tracker.sender_id,
        )

    @staticmethod
    def _say_answer(
        dispatcher: CollectingDispatcher, answer: GuidanceAnswer, language: Language
    ) -> None:
        dispatcher.utter_message(
            response="utter_guidance_answer", answer=answer.text, source=answer.source_line
        )
        if answer.entry is not None:
            # Travels with the answer to the gateway, which turns it into the 👍/👎 token
            # parents rate the answer with (bot/gateway/answer_feedback.py); never shown.
            dispatcher.utter_message(json_message=answer_marker(answer, language))
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
    def _say_maybe(
        dispatcher: CollectingDispatcher, answer: GuidanceAnswer, best: Entry, language: Language
    ) -> None:
        dispatcher.utter_message(
            response="utter_guidance_maybe",
            title=best.title[language],
            line=first_sentence(best.summary[language]),
            source=best.source.line(),
            buttons=[entry_button(e, language) for e in answer.closest],
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


class ActionAnswerOrDecline(ActionAnswerQuestion):
    """For messages NLU found out of scope: a message about parenting is answered as any
    question is; another is answered only when the knowledge base is confident, and declined
    otherwise."""

    may_decline = True

    def name(self) -> str:
        return "action_answer_or_decline"
