""" "Is this place registered?": the form that gets a name, address or filing number, and the
answer, including what "not found" means and how to report an unregistered provider."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import TRIAGE_INTENTS
from actions.finder_services import FinderServices, finder_services
from actions.finder_texts import command_payload, data_source_line
from actions.guidance import entry_button, tracker_language
from knowledge_base.language import Language
from knowledge_base.registry.check import NOT_FOUND_ENTRIES, CheckMatch, searchable_part
from knowledge_base.registry.nearby import NearbyResult

logger = logging.getLogger(__name__)

QUERY = "check_query"
MAX_QUERY_CHARS = 300
CLEARLY_OTHER = 0.8
_SEARCH_WORDS = re.compile(
    r"找|附近|周边|推荐|哪里|哪儿|有没有|有哪些|有什么|near|find|looking for|recommend", re.I
)
# Messages the check form lets other rules answer when they name no place.
OTHER_REQUESTS = {"ask_guidance", "find_childcare", "deny", "goodbye", "bot_challenge"}
ADVICE_ENTRIES = ("choosing-filed-institution", "institution-licences-to-check")


def has_name(text: str) -> bool:
    return len(searchable_part(text)) >= 2


class ValidateRegistrationCheckForm(Action):
    def name(self) -> str:
        return "validate_registration_check_form"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = tracker.latest_message.get("intent") or {}
        name, confidence = str(intent.get("name") or ""), float(intent.get("confidence") or 0)
        if name in TRIAGE_INTENTS:
            return []
        text = (tracker.latest_message.get("text") or "").strip()
        requested = tracker.get_slot("requested_slot")
        # While waiting for a name, a clear other request is left to the rules; a name
        # alone ("小太阳托育中心") often looks like a search to NLU, but not confidently.
        named = bool(text) and not text.startswith("/") and has_name(text)
        # A bare institution name ("金色摇篮托育中心") reads like a search to NLU; when a name
        # was asked for, only a message that asks to find something starts a search.
        searching = name == "find_childcare" and (not named or bool(_SEARCH_WORDS.search(text)))
        clearly_other = name in OTHER_REQUESTS and confidence >= CLEARLY_OTHER
        if requested and clearly_other and (name != "find_childcare" or searching):
            return []
        if named:
            return [SlotSet(QUERY, text[:MAX_QUERY_CHARS])]
        return [SlotSet(QUERY, None)] if requested else []


class ActionCheckRegistration(Action):
    """Looks the place up in the registry and says what the result means."""

    def __init__(self, services: Callable[[], FinderServices] = finder_services) -> None:
        self._services = services

    def name(self) -> str:
        return "action_check_registration"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = tracker_language(tracker)
        query = str(tracker.get_slot(QUERY) or "").strip()
        done: list[EventType] = [SlotSet(QUERY, None)]
        if not query:
            dispatcher.utter_message(response="utter_ask_check_query")
            return done
        try:
            services = self._services()
            matches = services.live.registration_check().check(query, limit=5)
        except Exception:
            logger.exception("Registration check failed")
            dispatcher.utter_message(response="utter_finder_unavailable")
            return done
        strong = [m for m in matches if m.strong]
        shown = (strong or matches)[:3]
        if not shown:
            self._say_not_found(dispatcher, services, language)
            return done
        key = "utter_check_found" if strong else "utter_check_similar"
        dispatcher.utter_message(response=key)
        text = "\n\n".join(_match_lines(m, language) for m in shown)
        source = data_source_line([NearbyResult(m.institution, 0.0) for m in shown], language)
        dispatcher.utter_message(text=text + "\n\n" + source)
        if not strong:
            self._say_not_found(dispatcher, services, language, similar=True)
            return done
        advice = [services.entries[e] for e in ADVICE_ENTRIES if e in services.entries]
        dispatcher.utter_message(
            response="utter_check_advice",
            buttons=[entry_button(e, language) for e in advice],
        )
        return done

    @staticmethod
    def _say_not_found(
        dispatcher: CollectingDispatcher,
        services: FinderServices,
        language: Language,
        *,
        similar: bool = False,
    ) -> None:
        entries = [services.entries[e] for e in NOT_FOUND_ENTRIES if e in services.entries]
        sources = "；".join(dict.fromkeys(e.source.line() for e in entries))
        dispatcher.utter_message(
            response="utter_check_similar_not_same" if similar else "utter_check_not_found",
            source=sources,
        )
        buttons = [entry_button(e, language) for e in entries[:1]]
        buttons.append(
            {
                "title": "Find filed places nearby" if language == "en" else "找附近的备案机构",
                "payload": command_payload("search"),
            }
        )
        dispatcher.utter_message(response="utter_check_next_steps", buttons=buttons)


def _match_lines(match: CheckMatch, language: Language) -> str:
    i = match.institution
    en = language == "en"
    if i.deregistered:
        status = "⚠️ Was filed, no longer on the list" if en else "⚠️ 曾备案，现已不在名单中"
    else:
        status = "✅ Filed" if en else "✅ 已备案"
    inclusive = (" · inclusive (普惠)" if en else " · 普惠") if i.inclusive else ""
    number_label, date_label = ("Filing no.", "filed on") if en else ("备案编号", "备案日期")
    return (
        f"{status}: {i.name}\n"
        f"   {number_label} {i.registration_no} · {date_label} {i.filed_on.isoformat()}\n"
        f"   {i.district}{i.subdistrict} · {i.address}\n"
        f"   {i.provider_type}{inclusive}"
    )
