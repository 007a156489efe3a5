"""Finding childcare in the chat: where and how old (asked only when not yet known), then
the closest filed institutions, refined by later messages ("附近有普惠的吗", "要有空位的",
"不超过3000").

The form `childcare_finder_form` asks for two slots. Its validation action reads every
message the form sees: a place or shared location, the child's age, and changes to the
filters. action_search_childcare then shows the results.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.emergency import TRIAGE_INTENTS
from actions.finder_services import FinderServices, finder_services
from actions.finder_texts import (
    UNKNOWN_AGE,
    age_payload,
    age_text,
    command_payload,
    data_source_line,
    filters_text,
    map_url,
    place_payload,
    result_lines,
)
from actions.guidance import entry_button, tracker_language
from knowledge_base.child_age import parse_child_age
from knowledge_base.language import Language
from knowledge_base.registry.address import resolve_location
from knowledge_base.registry.nearby import NearbyFilters
from knowledge_base.registry.search_request import (
    SearchChanges,
    SearchFilters,
    parse_search_changes,
)

logger = logging.getLogger(__name__)

FORM = "childcare_finder_form"
LOCATION = "finder_location"
AGE = "child_age_months"
PROBLEM = "finder_problem"
SEARCH = "finder_search"
PAGE_SIZE = 5
# Beijing's bounding box, a little generous: a shared location outside it is not a Beijing
# parent's home, and the registry has nothing there.
BEIJING = (39.40, 41.10, 115.40, 117.55)
# Messages the form should let other rules answer when they carry no place or age.
OTHER_REQUESTS = {"ask_guidance", "check_registration", "deny", "goodbye", "bot_challenge"}
_QUESTION = re.compile(
    r"[?？]|吗|怎么|什么|为什么|如何|能不能|可以.{0,6}吗|\b(?:how|what|why|when|can|should|is|do)\b",
    re.I,
)
# Childcare in the registry is for children under 3; at 3 they go to kindergarten.
OLDEST_MONTHS = 36
KINDERGARTEN_ENTRY = "kindergarten-nursery-class"
BUDGETS = (2000, 3000, 4000, 5000, 6000)
COST_ENTRIES = (
    "childcare-subsidy-national",
    "tax-deduction-under-3",
    "inclusive-fees-supervision",
    "contract-fees-refunds",
)


def _entities(tracker: Tracker) -> dict[str, Any]:
    return {
        str(e.get("entity")): e.get("value")
        for e in tracker.latest_message.get("entities") or []
        if isinstance(e, dict)
    }


def _intent(tracker: Tracker) -> tuple[str, float]:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def shared_location(entities: dict[str, Any]) -> dict[str, Any] | str | None:
    """A location the parent shared: the slot value, "outside" or None when none was shared."""
    if "latitude" not in entities or "longitude" not in entities:
        return None
    try:
        lat, lon = float(entities["latitude"]), float(entities["longitude"])
    except (TypeError, ValueError):
        return "outside"
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return "outside"
    # Rounded as the gateway rounds a shared location (about 100 m), whoever sent it.
    lat, lon = round(lat, 3), round(lon, 3)
    south, north, west, east = BEIJING
    if not (south <= lat <= north and west <= lon <= east):
        return "outside"
    return {"label": "", "lat": lat, "lon": lon, "district": None, "precision": "shared"}


def location_from_text(
    text: str, services: FinderServices
) -> tuple[dict[str, Any] | None, list[str]]:
    """The place a message names (slot value) or, when it could be several, their labels."""
    resolution = resolve_location(text, services.gazetteer, services.live.roads())
    if resolution.match is not None:
        m = resolution.match
        return {
            "label": m.label,
            "lat": m.latitude,
            "lon": m.longitude,
            "district": m.district,
            "subdistrict": m.subdistrict,
            "precision": m.precision,
        }, []
    return None, [a.label for a in resolution.alternatives]


class ValidateChildcareFinderForm(Action):
    """Reads each message the finder form sees; returns nothing to let other rules answer."""

    def __init__(
        self,
        services: Callable[[], FinderServices] = finder_services,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._services = services
        self._today = today

    def name(self) -> str:
        return "validate_childcare_finder_form"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent, confidence = _intent(tracker)
        if intent in TRIAGE_INTENTS:
            return []  # triage answers (or asks) first; the search waits
        text = (tracker.latest_message.get("text") or "").strip()
        typed = "" if text.startswith("/") else text
        entities = _entities(tracker)
        requested = tracker.get_slot("requested_slot")
        events: list[EventType] = []
        problem: dict[str, Any] | None = None

        command = str(entities.get("finder_command") or "")
        changes = parse_search_changes(typed) if typed else SearchChanges()
        events += self._search_events(tracker, changes, command, requested, entities)

        location: dict[str, Any] | None = None
        shared = shared_location(entities)
        if isinstance(shared, dict):
            location = shared
        elif shared == "outside":
            problem = {"kind": "outside_beijing"}
        else:
            place_text = str(entities.get("finder_place") or typed)
            if place_text:
                location, choices = location_from_text(place_text, self._services())
                if choices:
                    problem = {"kind": "ambiguous_place", "choices": choices[:5]}
        if location is not None:
            events.append(SlotSet(LOCATION, location))
        elif changes.new_place or command == "new_place":
            events.append(SlotSet(LOCATION, None))

        age_events, age_problem = self._age_events(entities, typed, requested, changes)
        events += age_events
        problem = problem or age_problem

        informative = bool(events)
        answered = any(
            e.get("event") == "slot" and e.get("name") == requested and e.get("value") is not None
            for e in events
        )
        if requested and not answered and problem is None and not informative:
            # A button (an entry to open) or a question is meant for another rule; a short
            # reply NLU happened to read as a question is still an attempt to answer.
            question = not typed or bool(_QUESTION.search(typed))
            if intent in OTHER_REQUESTS and (intent != "ask_guidance" or question):
                logger.debug("finder form: %s (%.2f) is not an answer", intent, confidence)
                return []
            problem = {"kind": "unknown_place" if requested == LOCATION else "age_unclear"}
        if requested and not answered:
            # Setting the requested slot to None keeps the form going: it asks again, and the
            # ask action explains what it could not use.
            events.append(SlotSet(requested, None))
        events.append(SlotSet(PROBLEM, problem))
        return events

    def _search_events(
        self,
        tracker: Tracker,
        changes: SearchChanges,
        command: str,
        requested: Any,
        entities: dict[str, Any],
    ) -> list[EventType]:
        state = dict(tracker.get_slot(SEARCH) or {})
        filters = SearchFilters.from_slot(state.get("filters"))
        offset = int(state.get("offset") or 0)
        view = "list"
        if command == "more" or (changes.more and not changes.refines):
            offset += PAGE_SIZE
        elif command == "costs":
            view = "costs"
        else:
            offset = 0
        if command == "clear":
            filters = SearchFilters()
        elif command == "inclusive":
            filters = SearchChanges(inclusive_only=True).apply(filters)
        elif command == "vacancy":
            filters = SearchChanges(has_vacancy=True).apply(filters)
        elif command == "budget":
            fee = _number_or_none(entities.get("finder_max_fee"))
            filters = SearchChanges(max_fee_yuan=fee, no_fee_limit=fee is None).apply(filters)
        filters = changes.apply(filters)
        if requested and not changes.refines and not command:
            return []  # an answer to the form's question changes nothing about the search
        new_state = {
            "filters": filters.to_slot(),
            "offset": offset,
            "view": view,
            "cheaper": changes.cheaper,
        }
        return [SlotSet(SEARCH, new_state)]

    def _age_events(
        self, entities: dict[str, Any], typed: str, requested: Any, changes: SearchChanges
    ) -> tuple[list[EventType], dict[str, Any] | None]:
        given = entities.get("finder_age")
        if given is not None:
            if given == UNKNOWN_AGE:
                return [SlotSet(AGE, UNKNOWN_AGE)], None
            months = whole_months(given)
            if months is None:
                return [], {"kind": "age_unclear"}
            return [SlotSet(AGE, months)], None
        if not typed:
            return [], None
        answer = parse_child_age(typed, self._today(), expecting=requested == AGE)
        if answer.months is not None:
            return [SlotSet(AGE, answer.months)], None
        if answer.skipped:
            return [SlotSet(AGE, UNKNOWN_AGE)], None
        if answer.unborn:
            return [SlotSet(AGE, UNKNOWN_AGE)], {"kind": "unborn", "note_only": True}
        if answer.ambiguous is not None:
            return [], {"kind": "age_ambiguous", "value": answer.ambiguous}
        if changes.new_age:
            return [SlotSet(AGE, None)], None
        return [], None


class ActionAskFinderLocation(Action):
    """Asks where to search, saying why, after explaining what was wrong with the last answer."""

    def name(self) -> str:
        return "action_ask_finder_location"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        problem, kind = _problem(tracker)
        language = tracker_language(tracker)
        if kind == "ambiguous_place":
            choices = [str(c) for c in problem.get("choices") or []]
            dispatcher.utter_message(
                response="utter_finder_which_place",
                buttons=[{"title": c, "payload": place_payload(c)} for c in choices],
            )
            return [SlotSet(PROBLEM, None)]
        if kind == "outside_beijing":
            dispatcher.utter_message(response="utter_finder_outside_beijing")
        elif kind == "unknown_place":
            dispatcher.utter_message(response="utter_finder_unknown_place")
        dispatcher.utter_message(response="utter_ask_finder_location")
        dispatcher.utter_message(json_message={"type": "request_location", "language": language})
        return [SlotSet(PROBLEM, None)]


class ActionAskChildAge(Action):
    """Asks the child's age in months, saying why and that nothing more is kept."""

    def name(self) -> str:
        return "action_ask_child_age_months"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        problem, kind = _problem(tracker)
        language = tracker_language(tracker)
        location = tracker.get_slot(LOCATION)
        if isinstance(location, dict) and set_this_turn(tracker, LOCATION):
            dispatcher.utter_message(
                response="utter_finder_place_noted", place=_place_label(location, language)
            )
        if kind == "age_ambiguous":
            value = float(problem.get("value") or 0)
            shown = f"{value:g}"
            en = language == "en"
            dispatcher.utter_message(
                response="utter_finder_months_or_years",
                value=shown,
                buttons=[
                    {
                        "title": f"{shown} months" if en else f"{shown}个月",
                        "payload": age_payload(int(value)),
                    },
                    {
                        "title": f"{shown} years" if en else f"{shown}岁",
                        "payload": age_payload(int(value * 12)),
                    },
                ],
            )
            return [SlotSet(PROBLEM, None)]
        if kind == "age_unclear":
            dispatcher.utter_message(response="utter_finder_age_unclear")
        dispatcher.utter_message(
            response="utter_ask_child_age_months",
            buttons=[
                {
                    "title": "Skip" if language == "en" else "先不说",
                    "payload": age_payload(UNKNOWN_AGE),
                }
            ],
        )
        return [SlotSet(PROBLEM, None)]


# Ages a payload may set: whole months from birth to 6 years (the registry's widest range).
MAX_AGE_MONTHS = 72


def whole_months(value: Any) -> int | None:
    """An age in whole months from 0 to 72; None for anything else (1e999, -3, "abc", NaN)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or number != int(number) or not 0 <= number <= MAX_AGE_MONTHS:
        return None
    return int(number)


def _number_or_none(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= 100_000 else None


def _problem(tracker: Tracker) -> tuple[dict[str, Any], str | None]:
    """What the validation action could not use in the last answer, and its kind."""
    problem = tracker.get_slot(PROBLEM)
    if not isinstance(problem, dict):
        return {}, None
    return problem, problem.get("kind")


def set_this_turn(tracker: Tracker, slot: str) -> bool:
    """Whether the slot was set since the parent's last message (so it is news to confirm)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == slot:
            return True
    return False


def _place_label(location: dict[str, Any], language: Language) -> str:
    label = str(location.get("label") or "")
    if location.get("precision") == "shared" or not label:
        return "your location" if language == "en" else "您的位置"
    return label


class ActionSearchChildcare(Action):
    """The closest filed institutions for the search so far, with ways to go on."""

    def __init__(self, services: Callable[[], FinderServices] = finder_services) -> None:
        self._services = services

    def name(self) -> str:
        return "action_search_childcare"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = tracker_language(tracker)
        location = tracker.get_slot(LOCATION)
        age = tracker.get_slot(AGE)
        problem = tracker.get_slot(PROBLEM) or {}
        if not isinstance(location, dict):
            dispatcher.utter_message(response="utter_ask_finder_location")
            return []
        state = dict(tracker.get_slot(SEARCH) or {})
        filters = SearchFilters.from_slot(state.get("filters"))
        offset = int(state.get("offset") or 0)
        try:
            services = self._services()
            search = services.live.current()
            answer = search.nearest(
                float(location["lat"]),
                float(location["lon"]),
                limit=offset + PAGE_SIZE,
                radius_km=3.0,
                filters=NearbyFilters(
                    inclusive_only=filters.inclusive_only,
                    age_months=float(age) if isinstance(age, int | float) else None,
                    care_mode=filters.care_mode,
                    has_vacancy=filters.has_vacancy,
                    max_fee_yuan=filters.max_fee_yuan,
                    provider_type=filters.provider_type,
                ),
            )
        except Exception:
            logger.exception("Childcare search failed")
            dispatcher.utter_message(response="utter_finder_unavailable")
            return []
        if isinstance(problem, dict) and problem.get("kind") == "unborn":
            dispatcher.utter_message(response="utter_finder_unborn")
        if isinstance(age, int | float) and not isinstance(age, bool) and age > OLDEST_MONTHS:
            self._say_over_three(dispatcher, services, language)
            return [SlotSet(PROBLEM, None)]
        page = answer.results[offset : offset + PAGE_SIZE]
        place = _place_label(location, language)
        conditions = "，".join([age_text(age, language), *filters_text(filters, language)])
        if language == "en":
            conditions = ", ".join([age_text(age, language), *filters_text(filters, language)])
        link = {
            "type": "link",
            "title": "🗺 See them on the map" if language == "en" else "🗺 在地图上查看",
            "url": map_url(services.public_url, location, age, filters),
        }
        if not page:
            self._say_nothing_found(dispatcher, place, conditions, filters, offset, language)
            return [SlotSet(PROBLEM, None)]
        if state.get("cheaper"):
            self._offer_budgets(dispatcher, page, filters.max_fee_yuan, language)
            return [SlotSet(PROBLEM, None)]
        if state.get("view") == "costs":
            self._say_costs(dispatcher, services, page, language)
            return [SlotSet(PROBLEM, None), SlotSet(SEARCH, {**state, "view": "list"})]
        header_key = "utter_finder_results_more" if offset else "utter_finder_results"
        dispatcher.utter_message(
            response=header_key,
            place=place,
            conditions=conditions,
            radius=f"{answer.radius_km:g}",
        )
        body = "\n\n".join(result_lines(offset + n + 1, r, language) for n, r in enumerate(page))
        dispatcher.utter_message(text=body + "\n\n" + data_source_line(page, language))
        dispatcher.utter_message(
            response="utter_finder_next_steps",
            buttons=self.buttons(
                filters,
                has_more=len(answer.results) > offset + len(page) or len(page) == PAGE_SIZE,
                language=language,
            ),
        )
        dispatcher.utter_message(json_message=link)
        return [SlotSet(PROBLEM, None)]

    @staticmethod
    def buttons(
        filters: SearchFilters, *, has_more: bool, language: Language
    ) -> list[dict[str, str]]:
        en = language == "en"
        buttons = []
        if has_more:
            buttons.append(
                {"title": "Show 5 more" if en else "再看5家", "payload": command_payload("more")}
            )
        if not filters.inclusive_only:
            buttons.append(
                {
                    "title": "Inclusive only" if en else "只看普惠",
                    "payload": command_payload("inclusive"),
                }
            )
        if not filters.has_vacancy:
            buttons.append(
                {
                    "title": "With vacancies" if en else "只看有空位",
                    "payload": command_payload("vacancy"),
                }
            )
        buttons.append(
            {
                "title": "Fees and support" if en else "费用与补贴",
                "payload": command_payload("costs"),
            }
        )
        if filters.any:
            buttons.append(
                {
                    "title": "Clear filters" if en else "清除条件",
                    "payload": command_payload("clear"),
                }
            )
        buttons.append(
            {"title": "Another area" if en else "换个地方", "payload": command_payload("new_place")}
        )
        return buttons

    @staticmethod
    def _offer_budgets(
        dispatcher: CollectingDispatcher,
        page: list[Any],
        limit: float | None,
        language: Language,
    ) -> None:
        """ "Cheaper?": budgets below what the places shown cost (and below any limit set)."""
        fees = [r.institution.monthly_fee_yuan for r in page if r.institution.monthly_fee_yuan]
        ceiling = min(max(fees) if fees else 10_000.0, limit or 10_000.0)
        budgets = [b for b in BUDGETS if b < ceiling]
        en = language == "en"
        dispatcher.utter_message(
            response="utter_finder_budget_hint",
            buttons=[
                {
                    "title": f"Up to ¥{b:,}" if en else f"不超过{b}元",
                    "payload": command_payload("budget", finder_max_fee=b),
                }
                for b in budgets
            ],
        )

    @staticmethod
    def _say_over_three(
        dispatcher: CollectingDispatcher, services: FinderServices, language: Language
    ) -> None:
        entry = services.entries.get(KINDERGARTEN_ENTRY)
        dispatcher.utter_message(
            response="utter_finder_over_three",
            source=entry.source.line() if entry else "",
            buttons=[entry_button(entry, language)] if entry else [],
        )

    @staticmethod
    def _say_nothing_found(
        dispatcher: CollectingDispatcher,
        place: str,
        conditions: str,
        filters: SearchFilters,
        offset: int,
        language: Language,
    ) -> None:
        if offset:
            dispatcher.utter_message(response="utter_finder_no_more")
            return
        en = language == "en"
        buttons = []
        if filters.any:
            buttons.append(
                {
                    "title": "Clear filters" if en else "清除条件",
                    "payload": command_payload("clear"),
                }
            )
        buttons.append(
            {"title": "Another area" if en else "换个地方", "payload": command_payload("new_place")}
        )
        dispatcher.utter_message(
            response="utter_finder_nothing_found",
            place=place,
            conditions=conditions,
            buttons=buttons,
        )

    @staticmethod
    def _say_costs(
        dispatcher: CollectingDispatcher,
        services: FinderServices,
        page: list[Any],
        language: Language,
    ) -> None:
        en = language == "en"
        lines = []
        for result in page:
            i = result.institution
            fee = (
                ("not published" if en else "未公布")
                if i.monthly_fee_yuan is None
                else (
                    f"¥{i.monthly_fee_yuan:,.0f}/month" if en else f"{i.monthly_fee_yuan:,.0f}元/月"
                )
            )
            tag = (" (inclusive)" if en else "（普惠）") if i.inclusive else ""
            lines.append(f"• {i.name}{tag}: {fee}")
        dispatcher.utter_message(response="utter_finder_costs_intro")
        dispatcher.utter_message(text="\n".join(lines) + "\n\n" + data_source_line(page, language))
        entries = [services.entries[e] for e in COST_ENTRIES if e in services.entries]
        if entries:
            dispatcher.utter_message(
                response="utter_finder_costs_support",
                buttons=[entry_button(e, language) for e in entries],
            )
