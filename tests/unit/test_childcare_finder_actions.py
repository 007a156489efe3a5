"""The finder's actions against a small real registry (SQLite) and the real gazetteer.

Assertions are on response names, slots and the institutions listed, not on wording.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.childcare_finder import (
    ActionAskChildAge,
    ActionAskFinderLocation,
    ActionSearchChildcare,
    ValidateChildcareFinderForm,
    shared_location,
    whole_months,
)
from actions.finder_services import FinderServices
from actions.registration_check import ActionCheckRegistration, ValidateRegistrationCheckForm
from knowledge_base.content import load_entries
from knowledge_base.registry.live import LiveRegistry
from knowledge_base.registry.model import Institution
from knowledge_base.registry.places import default_gazetteer
from knowledge_base.registry.search_request import SearchFilters
from knowledge_base.registry.store import FacilityRegistry, sqlite_url

CONTENT = Path(__file__).resolve().parents[2] / "knowledge_base" / "content"
WANGJING = (39.996, 116.47)
TODAY = dt.date(2026, 11, 30)


def institution(number: str, km_north: float, **overrides: Any) -> Institution:
    values: dict[str, Any] = {
        "registration_no": number,
        "name": f"望京{number}托育中心",
        "district": "朝阳区",
        "subdistrict": "望京街道",
        "address": f"朝阳区望京街道阜通东大街{number[-2:]}号",
        "longitude": WANGJING[1],
        "latitude": WANGJING[0] + km_north / 111.0,
        "provider_type": "托育机构",
        "inclusive": True,
        "care_modes": ("全日托",),
        "min_age_months": 12,
        "max_age_months": 36,
        "capacity": 40,
        "vacancies": 3,
        "monthly_fee_yuan": 2800.0,
        "phone": "010-12345678",
        "filed_on": dt.date(2024, 5, 1),
    }
    values.update(overrides)
    return Institution(**values)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> FinderServices:
    path = tmp_path_factory.mktemp("registry") / "registry.sqlite3"
    store = FacilityRegistry.open(sqlite_url(path))
    items = [institution(f"BJ-CY-{n:02d}", n * 0.3) for n in range(1, 13)]
    items += [
        institution("BJ-CY-90", 0.1, inclusive=False, monthly_fee_yuan=6800.0),
        institution("BJ-CY-91", 0.2, min_age_months=24),
        institution("BJ-CY-92", 0.25, vacancies=0, name="小橡果托育中心"),
        institution("BJ-HD-01", 0.0, name="海淀星星托育", district="海淀区", latitude=39.98,
                    longitude=116.30, subdistrict="中关村街道", address="海淀区中关村大街1号"),
        institution("BJ-CY-99", 5.0, name="彩虹树托育中心", deregistered=True),
    ]  # fmt: skip
    store.import_institutions(items)
    entries = {e.id: e for e in load_entries(CONTENT).published()}
    return FinderServices(
        live=LiveRegistry(store, check_every_s=0.0),
        gazetteer=default_gazetteer(),
        entries=entries,
        public_url="https://tuoyu.example.org",
    )


def tracker(
    text: str,
    *,
    intent: str = "find_childcare",
    confidence: float = 0.95,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    language: str = "zh",
) -> Tracker:
    return Tracker(
        sender_id="test",
        slots={"language": language, **(slots or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def payload_entities(payload: str) -> list[dict[str, Any]]:
    """What Rasa makes of a button payload such as /find_childcare{"finder_command": "more"}."""
    body = json.loads(payload[payload.index("{") :])
    return [{"entity": k, "value": v} for k, v in body.items()]


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def validate(services: FinderServices, t: Tracker) -> list[dict[str, Any]]:
    action = ValidateChildcareFinderForm(lambda: services, lambda: TODAY)
    return action.run(CollectingDispatcher(), t, {})


def search(services: FinderServices, slots: dict[str, Any], language: str = "zh") -> Any:
    dispatcher = CollectingDispatcher()
    events = ActionSearchChildcare(lambda: services).run(
        dispatcher, tracker("", slots=slots, language=language), {}
    )
    return dispatcher.messages, events


def listed(messages: list[dict[str, Any]]) -> list[str]:
    text = "\n".join(m.get("text") or "" for m in messages)
    return [
        line.split()[-1] for line in text.splitlines() if "备案编号" in line or "Filing no" in line
    ]


def test_a_message_with_place_age_and_filter_fills_everything(services: FinderServices) -> None:
    slots = slots_of(validate(services, tracker("望京附近有普惠托育吗？孩子22个月")))
    assert slots["finder_location"]["label"] == "朝阳区望京"
    assert slots["child_age_months"] == 22
    assert slots["finder_search"]["filters"]["inclusive_only"] is True
    assert slots["finder_problem"] is None


def test_a_bare_request_fills_nothing_so_the_form_asks(services: FinderServices) -> None:
    slots = slots_of(validate(services, tracker("帮我找个托育机构")))
    assert "finder_location" not in slots
    assert "child_age_months" not in slots


def test_an_ambiguous_place_is_asked_back_with_choices(services: FinderServices) -> None:
    events = validate(
        services,
        tracker("八里庄", intent="nlu_fallback", slots={"requested_slot": "finder_location"}),
    )
    slots = slots_of(events)
    assert slots["finder_location"] is None
    problem = slots["finder_problem"]
    assert problem["kind"] == "ambiguous_place"
    assert {"朝阳区八里庄街道", "海淀区八里庄街道"} <= set(problem["choices"])

    dispatcher = CollectingDispatcher()
    ActionAskFinderLocation().run(dispatcher, tracker("", slots={"finder_problem": problem}), {})
    buttons = dispatcher.messages[0]["buttons"]
    choice = payload_entities(buttons[0]["payload"])
    picked = slots_of(
        validate(
            services,
            tracker(
                "/find_childcare", entities=choice, slots={"requested_slot": "finder_location"}
            ),
        )
    )
    assert picked["finder_location"]["district"] in ("朝阳区", "海淀区")


def test_an_unknown_place_is_explained_and_asked_again(services: FinderServices) -> None:
    requested = {"requested_slot": "finder_location"}
    slots = slots_of(
        validate(services, tracker("火星基地", intent="nlu_fallback", slots=requested))
    )
    assert slots["finder_location"] is None
    assert slots["finder_problem"] == {"kind": "unknown_place"}
    dispatcher = CollectingDispatcher()
    ActionAskFinderLocation().run(
        dispatcher, tracker("", slots={"finder_problem": {"kind": "unknown_place"}}), {}
    )
    responses = [m.get("response") for m in dispatcher.messages]
    assert responses[:2] == ["utter_finder_unknown_place", "utter_ask_finder_location"]
    assert dispatcher.messages[-1]["custom"] == {"type": "request_location", "language": "zh"}


def test_a_filter_while_asked_where_is_kept_without_complaint(services: FinderServices) -> None:
    t = tracker("要有空位的", slots={"requested_slot": "finder_location"})
    slots = slots_of(validate(services, t))
    assert slots["finder_search"]["filters"]["has_vacancy"] is True
    assert slots["finder_problem"] is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [("宝宝发烧38度5怎么办？", "ask_guidance"), ("不找了", "deny"), ("孩子抽搐了", "emergency")],
)
def test_other_requests_are_left_to_the_rules(
    services: FinderServices, text: str, intent: str
) -> None:
    t = tracker(text, intent=intent, slots={"requested_slot": "finder_location"})
    assert validate(services, t) == []


def test_an_emergency_is_never_taken_as_an_answer(services: FinderServices) -> None:
    t = tracker("望京 孩子22个月 呛到了喘不上气", intent="emergency")
    assert validate(services, t) == []


def test_a_small_bare_number_gets_months_or_years_buttons(services: FinderServices) -> None:
    t = tracker("2", intent="nlu_fallback", slots={"requested_slot": "child_age_months"})
    slots = slots_of(validate(services, t))
    assert slots["child_age_months"] is None
    assert slots["finder_problem"] == {"kind": "age_ambiguous", "value": 2.0}
    dispatcher = CollectingDispatcher()
    ActionAskChildAge().run(
        dispatcher, tracker("", slots={"finder_problem": slots["finder_problem"]}), {}
    )
    values = [
        payload_entities(b["payload"])[0]["value"] for b in dispatcher.messages[-1]["buttons"]
    ]
    assert values == [2, 24]


def test_the_age_question_can_be_skipped(services: FinderServices) -> None:
    dispatcher = CollectingDispatcher()
    ActionAskChildAge().run(dispatcher, tracker(""), {})
    skip = payload_entities(dispatcher.messages[-1]["buttons"][0]["payload"])
    t = tracker("/find_childcare", entities=skip, slots={"requested_slot": "child_age_months"})
    assert slots_of(validate(services, t))["child_age_months"] == "unknown"


def test_a_shared_location_in_beijing_is_used_and_one_outside_is_explained(
    services: FinderServices,
) -> None:
    inside = [{"entity": "latitude", "value": 39.99}, {"entity": "longitude", "value": 116.47}]
    slots = slots_of(
        validate(services, tracker("/share_location", intent="share_location", entities=inside))
    )
    assert slots["finder_location"]["precision"] == "shared"
    outside = [{"entity": "latitude", "value": 31.23}, {"entity": "longitude", "value": 121.47}]
    t = tracker("/share_location", intent="share_location", entities=outside,
                slots={"requested_slot": "finder_location"})  # fmt: skip
    slots = slots_of(validate(services, t))
    assert slots["finder_problem"] == {"kind": "outside_beijing"}


def wangjing(
    filters: dict[str, Any] | None = None, offset: int = 0, view: str = "list"
) -> dict[str, Any]:
    return {
        "finder_location": {"label": "朝阳区望京", "lat": WANGJING[0], "lon": WANGJING[1],
                            "district": "朝阳区", "precision": "alias"},
        "child_age_months": 22,
        "finder_search": {"filters": filters or {}, "offset": offset, "view": view},
    }  # fmt: skip


def test_results_are_the_closest_that_fit_the_child_with_map_link(services: FinderServices) -> None:
    messages, _ = search(services, wangjing())
    numbers = listed(messages)
    # BJ-CY-91 takes only 24 months and up; the deregistered one is never offered.
    assert numbers == ["BJ-CY-90", "BJ-CY-92", "BJ-CY-01", "BJ-CY-02", "BJ-CY-03"]
    assert messages[0]["response"] == "utter_finder_results"
    assert "工作人员导入的托育机构备案名单" in messages[1]["text"]
    titles = [b["title"] for b in messages[-2]["buttons"]]
    assert titles[:3] == ["再看5家", "只看普惠", "只看有空位"]
    link = messages[-1]["custom"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link["url"]).query)
    assert link["url"].startswith("https://tuoyu.example.org/map?")
    assert query["age_months"] == ["22"]
    assert query["lat"] == ["39.99600"]


def test_refinements_from_the_issue_narrow_the_last_search(services: FinderServices) -> None:
    state = wangjing()
    for text in ("附近有普惠的吗", "要有空位的", "不超过3000"):
        events = validate(services, tracker(text, slots=state))
        state = {**state, **slots_of(events)}
    assert state["finder_search"]["filters"] == {
        "inclusive_only": True, "has_vacancy": True, "max_fee_yuan": 3000.0,
        "care_mode": None, "provider_type": None,
    }  # fmt: skip
    messages, _ = search(services, state)
    assert listed(messages) == ["BJ-CY-01", "BJ-CY-02", "BJ-CY-03", "BJ-CY-04", "BJ-CY-05"]
    link = messages[-1]["custom"]["url"]
    assert "inclusive=true" in link
    assert "has_vacancy=true" in link
    assert "max_fee=3000" in link


def test_more_pages_on_and_a_new_filter_starts_from_the_closest(services: FinderServices) -> None:
    buttons = ActionSearchChildcare.buttons(SearchFilters(), has_more=True, language="zh")
    more = payload_entities(buttons[0]["payload"])
    t = tracker("/find_childcare", entities=more, slots=wangjing())
    state = {**wangjing(), **slots_of(validate(services, t))}
    assert state["finder_search"]["offset"] == 5
    messages, _ = search(services, state)
    assert messages[0]["response"] == "utter_finder_results_more"
    assert listed(messages)[0] == "BJ-CY-04"
    state = {**state, **slots_of(validate(services, tracker("要有空位的", slots=state)))}
    assert state["finder_search"]["offset"] == 0


def test_nothing_found_offers_to_clear_the_filters(services: FinderServices) -> None:
    messages, _ = search(services, wangjing({"max_fee_yuan": 500}))
    assert messages[0]["response"] == "utter_finder_nothing_found"
    payloads = [payload_entities(b["payload"])[0]["value"] for b in messages[0]["buttons"]]
    assert payloads == ["clear", "new_place"]


def test_costs_list_fees_and_point_to_sourced_support(services: FinderServices) -> None:
    messages, events = search(services, wangjing(view="costs"))
    assert messages[0]["response"] == "utter_finder_costs_intro"
    assert "6,800元/月" in messages[1]["text"]
    support = [b["payload"] for b in messages[-1]["buttons"]]
    assert any("childcare-subsidy-national" in p for p in support)
    assert any("tax-deduction-under-3" in p for p in support)
    assert slots_of(events)["finder_search"]["view"] == "list"


def test_english_results(services: FinderServices) -> None:
    messages, _ = search(services, wangjing(), language="en")
    assert "Filing no. BJ-CY-90" in messages[1]["text"]
    assert messages[-2]["buttons"][0]["title"] == "Show 5 more"


def check(services: FinderServices, query: str) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    ActionCheckRegistration(lambda: services).run(
        dispatcher, tracker("", slots={"check_query": query}), {}
    )
    messages: list[dict[str, Any]] = dispatcher.messages
    return messages


def test_a_filed_institution_is_confirmed_with_its_number(services: FinderServices) -> None:
    messages = check(services, "【火爆招生】小橡果托育中心 全日托 电话138****0000 这家备案了吗")
    assert messages[0]["response"] == "utter_check_found"
    assert "BJ-CY-92" in messages[1]["text"]
    assert messages[-1]["response"] == "utter_check_advice"


def test_a_deregistered_institution_says_so(services: FinderServices) -> None:
    messages = check(services, "彩虹托育备案了吗")
    assert "现已不在名单中" in messages[1]["text"]


def test_not_found_explains_and_cites_its_sources(services: FinderServices) -> None:
    messages = check(services, "金色摇篮早教托育备案了吗")
    assert messages[0]["response"] == "utter_check_not_found"
    assert "北京市托育服务体系建设三年行动方案" in messages[0]["source"]
    assert messages[-1]["response"] == "utter_check_next_steps"


def test_the_check_form_waits_for_a_name(services: FinderServices) -> None:
    form = ValidateRegistrationCheckForm()
    asked = {"requested_slot": "check_query"}
    first = tracker("帮我查一下这家机构有没有备案", intent="check_registration")
    no_name = form.run(CollectingDispatcher(), first, {})
    assert no_name == []
    named = form.run(CollectingDispatcher(), tracker("小橡果托育中心", intent="find_childcare",
                                                     confidence=0.5, slots=asked), {})  # fmt: skip
    assert slots_of(named) == {"check_query": "小橡果托育中心"}
    bare_name = tracker("金色摇篮国际早教托育中心", intent="find_childcare", slots=asked)
    assert slots_of(form.run(CollectingDispatcher(), bare_name, {})) == {
        "check_query": "金色摇篮国际早教托育中心"
    }
    search = tracker("望京附近有什么托育", intent="find_childcare", slots=asked)
    assert form.run(CollectingDispatcher(), search, {}) == []
    other = form.run(CollectingDispatcher(), tracker("宝宝几个月加辅食", intent="ask_guidance",
                                                     slots=asked), {})  # fmt: skip
    assert other == []


def test_a_knowledge_base_button_while_asked_where_is_left_to_the_rules(
    services: FinderServices,
) -> None:
    entity = [{"entity": "kb_entry", "value": "feeding-solids-start"}]
    t = tracker(
        '/ask_guidance{"kb_entry": "feeding-solids-start"}',
        intent="ask_guidance",
        entities=entity,
        slots={"requested_slot": "finder_location"},
    )
    assert validate(services, t) == []


def test_the_place_is_confirmed_only_in_the_turn_it_was_given() -> None:
    location = {"label": "朝阳区望京", "lat": WANGJING[0], "lon": WANGJING[1]}

    def asked(events: list[dict[str, Any]]) -> list[str]:
        t = tracker("", slots={"finder_location": location})
        t.events = events
        dispatcher = CollectingDispatcher()
        ActionAskChildAge().run(dispatcher, t, {})
        return [str(m.get("response")) for m in dispatcher.messages]

    just_set = [{"event": "user", "text": "望京"}, {"event": "slot", "name": "finder_location"}]
    earlier = [{"event": "slot", "name": "finder_location"}, {"event": "user", "text": "2"}]
    assert asked(just_set)[0] == "utter_finder_place_noted"
    assert "utter_finder_place_noted" not in asked(earlier)


def test_cheaper_offers_budgets_below_what_was_shown(services: FinderServices) -> None:
    state = {
        **wangjing(),
        **slots_of(validate(services, tracker("有没有便宜点的", slots=wangjing()))),
    }
    messages, _ = search(services, state)
    assert messages[0]["response"] == "utter_finder_budget_hint"
    budgets = [payload_entities(b["payload"]) for b in messages[0]["buttons"]]
    # The places shown cost 2,800 and 6,800 a month.
    assert [b[1]["value"] for b in budgets] == [2000, 3000, 4000, 5000, 6000]
    picked = tracker("/find_childcare", entities=budgets[0], slots=state)
    state = {**state, **slots_of(validate(services, picked))}
    assert state["finder_search"]["filters"]["max_fee_yuan"] == 2000
    messages, _ = search(services, state)
    assert messages[0]["response"] == "utter_finder_nothing_found"


def test_a_child_over_three_is_pointed_to_kindergarten(services: FinderServices) -> None:
    messages, _ = search(services, {**wangjing(), "child_age_months": 40})
    assert messages[0]["response"] == "utter_finder_over_three"
    assert "北京市托育服务体系建设三年行动方案" in messages[0]["source"]
    assert "kindergarten-nursery-class" in messages[0]["buttons"][0]["payload"]


@pytest.mark.parametrize(
    ("value", "months"),
    [(22, 22), ("18", 18), (0, 0), (72, 72), (1e999, None), (-3, None), (73, None),
     ("abc", None), (float("nan"), None), (2.5, None), (None, None)],
)  # fmt: skip
def test_payload_ages_are_whole_months_from_0_to_72(value: object, months: int | None) -> None:
    assert whole_months(value) == months


@pytest.mark.parametrize(
    "entities",
    [
        {"latitude": 1e999, "longitude": 116.4},
        {"latitude": float("nan"), "longitude": 116.4},
        {"latitude": 31.2, "longitude": 121.5},  # Shanghai
        {"latitude": "x", "longitude": 116.4},
    ],
)
def test_a_location_outside_beijing_or_not_a_number_is_outside(entities: dict[str, object]) -> None:
    assert shared_location(entities) == "outside"


def test_a_shared_location_is_rounded_to_about_100_m() -> None:
    place = shared_location({"latitude": 39.99612345, "longitude": 116.47098765})
    assert isinstance(place, dict)
    assert (place["lat"], place["lon"]) == (39.996, 116.471)
