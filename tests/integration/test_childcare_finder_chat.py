"""Finding childcare and checking registration in the chat, through the three real processes.

The stack's var/ holds the SAMPLE registry (as `make run` does); results are checked against
the public nearby API, which is the same search without the conversation.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from bot.local_stack import LocalStack as Stack
from knowledge_base.registry.address import LocationMatch, resolve_location
from knowledge_base.registry.places import default_gazetteer
from tests.integration.browsers import chromium

pytestmark = pytest.mark.integration
NUMBER = re.compile(r"(?:备案编号|Filing no\.) (\S+)")


def sender() -> str:
    return f"finder-{uuid.uuid4().hex[:10]}"


def say(stack: Stack, person: str, message: str) -> list[dict[str, Any]]:
    status, body = stack.chat(person, message)
    assert status == 200, body
    replies: list[dict[str, Any]] = body["replies"]
    return replies


def all_text(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] for r in replies)


def listed(replies: list[dict[str, Any]]) -> list[str]:
    return NUMBER.findall(all_text(replies))


def nearby(stack: Stack, **params: Any) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{stack.base_url}/api/facilities/nearby?{query}") as response:
        results: list[dict[str, Any]] = json.loads(response.read())["results"]
        return results


def button(replies: list[dict[str, Any]], title: str) -> str:
    for reply in replies:
        for b in reply["buttons"]:
            if b["title"] == title:
                return str(b["payload"])
    raise AssertionError(f"no button {title!r} in {replies}")


def map_link(replies: list[dict[str, Any]]) -> str:
    for reply in replies:
        for extra in reply.get("extras", []):
            if extra.get("type") == "link":
                return str(extra["url"])
    raise AssertionError(f"no map link in {replies}")


def _wangjing() -> LocationMatch:
    match = resolve_location("望京", default_gazetteer()).match
    assert match is not None
    return match


WANGJING = _wangjing()


def test_a_parent_finds_inclusive_places_for_a_22_month_old_near_wangjing(stack: Stack) -> None:
    person = sender()
    asked = say(stack, person, "望京附近有普惠的托育吗")
    assert "宝宝现在多大" in all_text(asked)
    assert "只记月龄" in all_text(asked)  # says why it asks and what it keeps

    replies = say(stack, person, "22个月")
    expected = nearby(
        stack, lat=WANGJING.latitude, lon=WANGJING.longitude, inclusive="true", age_months=22,
        limit=5,
    )  # fmt: skip
    assert listed(replies) == [r["registration_no"] for r in expected]
    text = all_text(replies)
    assert "朝阳区望京附近的备案托育机构（22个月，只看普惠）" in text
    assert text.count("【普惠】") == 5
    assert re.search(r"\d+\.\d km · 月收费[\d,]+元", text)
    assert "示例数据" in text  # the sample registry is labelled as such
    link = map_link(replies)
    assert "/map?" in link
    assert "inclusive=true" in link
    assert "age_months=22" in link

    # Refinements narrow the same search.
    replies = say(stack, person, "要有空位的")
    vacant = nearby(
        stack, lat=WANGJING.latitude, lon=WANGJING.longitude, inclusive="true", age_months=22,
        has_vacancy="true", limit=5,
    )  # fmt: skip
    assert listed(replies) == [r["registration_no"] for r in vacant]
    replies = say(stack, person, "不超过3000")
    cheap = nearby(
        stack, lat=WANGJING.latitude, lon=WANGJING.longitude, inclusive="true", age_months=22,
        has_vacancy="true", max_fee=3000, limit=10,
    )  # fmt: skip
    assert listed(replies) == [r["registration_no"] for r in cheap[:5]]
    assert "月收费不超过3,000元" in all_text(replies)

    # "More" pages on from where the list stopped.
    replies = say(stack, person, button(replies, "再看5家"))
    assert listed(replies) == [r["registration_no"] for r in cheap[5:10]]


def test_age_is_asked_only_when_missing_and_place_when_missing(stack: Stack) -> None:
    person = sender()
    replies = say(stack, person, "帮我找个托育机构，孩子1岁半")
    assert "想找哪里附近" in all_text(replies)
    assert "宝宝现在多大" not in all_text(replies)
    replies = say(stack, person, "回龙观")
    assert "昌平区回龙观附近的备案托育机构（18个月）" in all_text(replies)
    assert len(listed(replies)) == 5


def test_an_ambiguous_place_is_asked_back(stack: Stack) -> None:
    person = sender()
    say(stack, person, "我想找托育")
    replies = say(stack, person, "八里庄")
    titles = [b["title"] for r in replies for b in r["buttons"]]
    assert "朝阳区八里庄街道" in titles
    assert "海淀区八里庄街道" in titles
    replies = say(stack, person, button(replies, "海淀区八里庄街道"))
    assert "宝宝现在多大" in all_text(replies)
    replies = say(stack, person, "2")
    replies = say(stack, person, button(replies, "2岁"))
    assert "海淀区八里庄街道附近的备案托育机构（24个月）" in all_text(replies)


def test_a_shared_location_is_used_and_kept_to_about_100_m(stack: Stack) -> None:
    person = sender()
    say(stack, person, "找托育，宝宝10个月")
    status, body = stack.post_chat(
        {"sender_id": person, "location": {"latitude": 39.915321, "longitude": 116.403874}}
    )
    assert status == 200
    text = all_text(body["replies"])
    assert "您的位置附近的备案托育机构（10个月）" in text
    expected = nearby(stack, lat=39.915, lon=116.404, age_months=10, limit=5)
    assert listed(body["replies"]) == [r["registration_no"] for r in expected]
    stored = json.dumps(stack.tracker(person))
    assert "39.915321" not in stored


def test_a_question_during_the_search_is_answered_and_the_search_goes_on(stack: Stack) -> None:
    person = sender()
    say(stack, person, "附近有托育机构吗")
    replies = say(stack, person, "宝宝几个月可以加辅食？")
    text = all_text(replies)
    assert "6月龄" in text
    assert "想找哪里附近" in text  # back to the search
    replies = say(stack, person, "望京")
    assert "宝宝现在多大" in all_text(replies)


def test_a_danger_sign_during_the_search_gets_120_first_and_ends_the_search(stack: Stack) -> None:
    person = sender()
    say(stack, person, "帮我找找望京的托育")
    replies = say(stack, person, "孩子突然抽搐了怎么办")
    assert "120" in replies[0]["text"]
    assert stack.tracker(person)["active_loop"] in ({}, None) or not stack.tracker(person)[
        "active_loop"
    ].get("name")


def test_no_stops_the_search(stack: Stack) -> None:
    person = sender()
    say(stack, person, "帮我找托育机构")
    replies = say(stack, person, "算了不找了")
    assert "先不找了" in all_text(replies)


def test_english_search(stack: Stack) -> None:
    person = sender()
    replies = say(stack, person, "Find an inclusive daycare near Wangjing for my 22 month old")
    text = all_text(replies)
    heading = "Filed childcare institutions near 朝阳区望京 (22 months old, inclusive (普惠) only)"
    assert heading in text
    assert len(listed(replies)) == 5


def test_a_registered_sample_institution_is_confirmed(stack: Stack) -> None:
    first = nearby(stack, lat=WANGJING.latitude, lon=WANGJING.longitude, limit=1)[0]
    replies = say(stack, sender(), f"{first['name']}备案了吗")
    text = all_text(replies)
    assert "✅ 已备案" in text
    assert first["registration_no"] in text


def test_the_check_asks_for_a_name_then_explains_not_found(stack: Stack) -> None:
    person = sender()
    replies = say(stack, person, "帮我查一下托育机构有没有备案")
    assert "名称、地址或备案编号" in all_text(replies)
    replies = say(stack, person, "金色摇篮国际早教托育中心")
    text = all_text(replies)
    assert "没有找到" in text
    assert "12345" in text
    assert "来源：北京市人民政府办公厅" in text


def chat_page_after_asking(base_url: str, question: str) -> str:
    """The chat page's DOM after a parent types question and presses send, in Chromium."""
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base_url}/")
        page.fill("#message", question)
        page.click("#send")
        page.wait_for_selector("a.link-button", timeout=60_000)
        return page.content()


def test_a_link_with_q_only_fills_in_the_box(stack: Stack) -> None:
    question = urllib.parse.quote("/restart")
    with chromium() as browser:
        page = browser.new_page()
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.url) if "/api/chat" in r.url else None)
        page.goto(f"{stack.base_url}/?q={question}")
        page.wait_for_timeout(1000)
        assert page.input_value("#message") == "/restart"
        assert sent == []
        assert page.locator("#log li.user").count() == 0
        # The sender id the page made: 128 random bits, not guessable.
        sender_id = page.evaluate("window.localStorage.getItem('tuoyu-sender-id')")
        assert re.fullmatch(r"web-[0-9a-f]{32}", sender_id)


def test_the_chat_page_shows_results_with_a_working_map_link_in_chromium(
    stack: Stack, tmp_path: Path
) -> None:
    from tests.integration.test_map_browser import rendered

    dom = chat_page_after_asking(stack.base_url, "望京附近有普惠的托育吗 孩子22个月")
    assert "朝阳区望京附近的备案托育机构（22个月，只看普惠）" in dom
    assert "再看5家" in dom
    link = re.search(r'<a class="link-button" href="([^"]+)"', dom)
    assert link is not None, dom[-2000:]
    url = html.unescape(link.group(1))
    assert url.startswith(f"{stack.base_url}/map?")

    # The link opens the e-map on the same search: the same five closest come first.
    shown = re.findall(r"备案编号 ([A-Za-z0-9-]+)", dom)
    map_dom = rendered(url, tmp_path / "map")
    results = map_dom.split('<ol id="results">', 1)[1].split("</ol>", 1)[0]
    names = re.findall(r"<strong>\d+\. ([^<]+)</strong>", results)
    assert len(names) >= 5
    expected = nearby(
        stack, lat=WANGJING.latitude, lon=WANGJING.longitude, inclusive="true", age_months=22,
        limit=5,
    )  # fmt: skip
    assert [r["registration_no"] for r in expected] == shown[:5]
    assert names[:5] == [r["name"] for r in expected]


def test_delete_my_data_on_the_chat_page_erases_it_and_starts_afresh(stack: Stack) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{stack.base_url}/")
        page.fill("#message", "宝宝几个月可以加辅食？")
        page.click("#send")
        page.wait_for_selector("#log li.bot >> nth=1", timeout=60_000)
        before = page.evaluate("window.localStorage.getItem('tuoyu-sender-id')")
        assert [e for e in stack.tracker(before)["events"] if e.get("event") == "user"]
        page.on("dialog", lambda dialog: dialog.accept())
        page.click("#forget")
        # (wait_for_function would evaluate a string, which the page's CSP forbids)
        page.locator("#status", has_text="已删除").wait_for(timeout=30_000)
        after = page.evaluate("window.localStorage.getItem('tuoyu-sender-id')")
        assert after != before
        assert not [e for e in stack.tracker(before)["events"] if e.get("event") == "user"]
