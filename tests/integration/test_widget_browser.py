"""The embeddable widget on a community centre's own page, in real headless Chromium.

The page (bot/widget_demo.py, hostile CSS and all) is served from another port than the
gateway, so every chat request is cross-origin, as on a real centre's site; the widget talks
to the three real processes.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    Page,
    Request,
    Route,
    expect,
)

from bot.local_stack import LocalStack as Stack
from bot.widget_demo import HostSite, host_page, serving
from tests.integration.browsers import chromium

pytestmark = pytest.mark.integration
AXE_VERSION = "4.14.1"
AXE = Path(__file__).resolve().parents[1] / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
REPLY_TIMEOUT_MS = 60_000
CJK = re.compile(r"[\u4e00-\u9fff]")
XSS = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=1</script>"]

# Read from the page: the widget's shadow root, and the text of each message bubble without
# the screen-reader prefix ("您：", "托育助手：") that opens it.
SHADOW = "document.querySelector('tuoyu-widget').shadowRoot"
BUBBLES = f"""who => Array.from({SHADOW}.querySelectorAll('.msg.' + who + ' .bubble'))
    .map(b => b.lastChild.textContent)"""
REPLIED = f"""n => {SHADOW}.querySelectorAll('.msg.bot').length > n
    && {SHADOW}.querySelector('.typing').hidden"""
# What has focus: "<class>#<id>" inside the widget, "page:<TAG>" outside it.
FOCUSED = f"""() => {{
    const outer = document.activeElement;
    if (!outer || outer.tagName !== 'TUOYU-WIDGET') return 'page:' + (outer ? outer.tagName : '');
    const inner = {SHADOW}.activeElement;
    return inner ? inner.className + '#' + inner.id : 'widget';
}}"""

OpenPage = Callable[..., Page]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def site() -> Iterator[HostSite]:
    """The community centre's own site: 127.0.0.1 on a port of its own."""
    with serving() as started:
        yield started


@pytest.fixture
def open_page(browser: Browser, site: HostSite, stack: Stack) -> Iterator[OpenPage]:
    """open_page(data-attributes, copies=1, **context options): a fresh browser profile on
    the centre's page, the widget mounted; uncaught page errors fail the test."""
    contexts = []
    errors: list[str] = []

    def opened(
        attributes: dict[str, str] | None = None, *, copies: int = 1, **options: Any
    ) -> Page:
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        path = f"/centre-{len(contexts)}.html"
        url = site.add(path, host_page(f"{stack.base_url}/widget.js", attributes, copies=copies))
        page.goto(url)
        page.wait_for_selector("tuoyu-widget[data-ready=true]", state="attached")
        return page

    yield opened
    for context in contexts:
        context.close()
    assert errors == [], errors


def bubbles(page: Page, who: str) -> list[str]:
    result: list[str] = page.evaluate(BUBBLES, who)
    return result


def bot_count(page: Page) -> int:
    count: int = page.evaluate(f"{SHADOW}.querySelectorAll('.msg.bot').length")
    return count


def wait_for_reply(page: Page, before: int) -> None:
    page.wait_for_function(REPLIED, arg=before, timeout=REPLY_TIMEOUT_MS)


def ask(page: Page, text: str) -> list[str]:
    """Types text, presses Enter, waits for the answer; returns the bot's new bubbles."""
    before = bot_count(page)
    page.locator("#tuoyu-input").fill(text)
    page.locator("#tuoyu-input").press("Enter")
    wait_for_reply(page, before)
    return bubbles(page, "bot")[before:]


def press_until_focused(page: Page, key: str, wanted: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press(key)
        if wanted in page.evaluate(FOCUSED):
            return
    raise AssertionError(f"{key} never reached {wanted}; at {page.evaluate(FOCUSED)}")


def stored(page: Page, stack: Stack) -> dict[str, Any]:
    raw = page.evaluate(
        "key => window.localStorage.getItem(key)", f"tuoyu-widget:v1:{stack.base_url}"
    )
    state: dict[str, Any] = json.loads(raw)
    return state


def axe_violations(page: Page) -> tuple[list[dict[str, Any]], int]:
    """axe-core over the widget (its shadow root included): serious and critical violations,
    and how many elements inside the shadow root axe checked (proof that it looked in)."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        """async () => {
            const r = await axe.run(document.querySelector('tuoyu-widget'),
                                    {resultTypes: ['violations', 'passes']});
            const inShadow = new Set();
            for (const rule of r.passes) for (const node of rule.nodes)
                if (Array.isArray(node.target[0])) inShadow.add(JSON.stringify(node.target));
            return {
                violations: r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)})),
                checked: inShadow.size,
            };
        }"""
    )
    return result["violations"], result["checked"]


def test_a_parent_asks_presses_a_button_and_finds_it_all_after_a_reload(
    open_page: OpenPage, stack: Stack
) -> None:
    page = open_page()
    assert page.locator(".panel").is_hidden()
    page.locator(".launcher").click()
    assert page.locator(".panel").is_visible()
    # Whether the typing indicator showed while the answer was on its way.
    page.evaluate(
        f"""() => {{ const t = {SHADOW}.querySelector('.typing');
        new MutationObserver(() => {{ if (!t.hidden) window.__typingSeen = true; }})
            .observe(t, {{attributes: true}}); }}"""
    )
    answer = "\n".join(ask(page, "孩子几个月可以吃辅食"))
    assert CJK.search(answer)
    assert "来源" in answer
    assert page.evaluate("window.__typingSeen") is True

    # The answer's related questions are buttons; one press sends its signed payload.
    choices = page.locator(".msg.bot").last.locator("button.choice")
    assert choices.count() >= 1
    title = choices.first.inner_text()
    before = bot_count(page)
    choices.first.click()
    wait_for_reply(page, before)
    assert bubbles(page, "user")[-1] == title
    followed = "\n".join(bubbles(page, "bot")[before:])
    assert "来源" in followed

    state = stored(page, stack)
    assert re.fullmatch(r"widget-[0-9a-f]{32}", state["sender"])
    users, bots = bubbles(page, "user"), bubbles(page, "bot")

    page.reload()
    page.wait_for_selector("tuoyu-widget[data-ready=true]", state="attached")
    # The panel was open when the page was left, so it opens again where the parent was.
    assert page.locator(".panel").is_visible()
    assert bubbles(page, "user") == users
    assert bubbles(page, "bot") == bots
    assert stored(page, stack)["sender"] == state["sender"]


def test_text_from_the_parent_or_the_bot_never_runs(open_page: OpenPage, stack: Stack) -> None:
    page = open_page()
    page.locator(".launcher").click()
    for payload in XSS:
        ask(page, payload)
    assert bubbles(page, "user") == XSS
    # And a reply that carries markup, script links and a relative e-map link (a forged
    # answer: the real bot never sends these, which is what this makes sure of).
    forged = {
        "replies": [
            {
                "text": XSS[0] + XSS[1],
                "buttons": [{"title": XSS[0], "payload": "/x"}],
                "extras": [
                    {"type": "link", "url": "javascript:window.__pwned=1", "title": "js"},
                    {"type": "link", "url": "data:text/html,<script>1</script>", "title": "d"},
                    {"type": "link", "url": "//evil.example/map?x", "title": "proto"},
                    {"type": "link", "url": "/map?q=望京&age_months=22", "title": XSS[1]},
                ],
            }
        ],
        "language": "zh",
    }

    def fulfil(route: Route) -> None:
        route.fulfill(
            status=200,
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": "*"},
            body=json.dumps(forged),
        )

    page.route(f"{stack.base_url}/api/chat", fulfil)
    ask(page, "你好")
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate(f"{SHADOW}.querySelectorAll('img, script, iframe, object').length") == 0
    assert page.evaluate("document.querySelectorAll('img, iframe, object').length") == 0
    assert bubbles(page, "bot")[-1] == XSS[0] + XSS[1]
    assert page.locator(".msg.bot").last.locator("button.choice").inner_text() == XSS[0]
    links = page.locator(".msg.bot").last.locator("a")
    assert links.count() == 1
    assert links.get_attribute("href") == f"{stack.base_url}/map?q=%E6%9C%9B%E4%BA%AC&age_months=22"
    assert links.get_attribute("target") == "_blank"
    assert links.get_attribute("rel") == "noopener"
    assert XSS[1] in links.inner_text()


def test_keyboard_only(open_page: OpenPage) -> None:
    page = open_page()
    # From the top of the centre's page, Tab reaches the launcher after the page's own links.
    press_until_focused(page, "Tab", "launcher")
    page.keyboard.press("Enter")
    assert page.locator(".panel").is_visible()
    assert page.evaluate(FOCUSED).endswith("#tuoyu-input")
    before = bot_count(page)
    page.keyboard.type("宝宝几个月可以加辅食？")
    page.keyboard.press("Enter")
    wait_for_reply(page, before)
    assert page.evaluate(FOCUSED).endswith("#tuoyu-input")  # ready for the next one

    # Back from the input lands on the last answer's buttons; Enter presses one.
    press_until_focused(page, "Shift+Tab", "choice")
    before = bot_count(page)
    page.keyboard.press("Enter")
    wait_for_reply(page, before)

    # Escape closes and gives focus back to the launcher; Enter opens it again.
    page.keyboard.press("Escape")
    assert page.locator(".panel").is_hidden()
    assert "launcher" in page.evaluate(FOCUSED)
    page.keyboard.press("Enter")
    assert page.locator(".panel").is_visible()

    # Clearing by keyboard: the confirmation takes focus, Escape backs out of it, Enter clears.
    press_until_focused(page, "Shift+Tab", "clear")
    page.keyboard.press("Enter")
    assert "confirm-yes" in page.evaluate(FOCUSED)
    page.keyboard.press("Escape")
    assert page.locator(".confirm").is_hidden()
    assert page.locator(".panel").is_visible()
    assert "clear" in page.evaluate(FOCUSED)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert bubbles(page, "user") == []
    assert page.evaluate(FOCUSED).endswith("#tuoyu-input")
    # The close button is reachable too.
    press_until_focused(page, "Shift+Tab", "close")
    page.keyboard.press("Enter")
    assert page.locator(".panel").is_hidden()
    assert "launcher" in page.evaluate(FOCUSED)


def test_no_serious_accessibility_violations(open_page: OpenPage) -> None:
    page = open_page()
    closed, checked = axe_violations(page)
    assert closed == []
    page.locator(".launcher").click()
    ask(page, "孩子几个月可以吃辅食")
    ask(page, "帮我找附近的托育机构")  # the location buttons
    violations, checked = axe_violations(page)
    assert violations == []
    assert checked >= 10, "axe did not look inside the shadow root"


def test_a_pale_site_colour_still_reads_and_passes_axe(open_page: OpenPage) -> None:
    page = open_page({"color": "#ffd400", "open": "true"})
    ask(page, "宝宝几个月可以加辅食？")
    head = page.locator(".head")
    assert head.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 212, 0)"
    assert head.evaluate("e => getComputedStyle(e).color") == "rgb(0, 0, 0)"
    violations, _ = axe_violations(page)
    assert violations == []


def test_the_data_attributes(open_page: OpenPage) -> None:
    page = open_page(
        {"open": "true", "title": "朝阳社区育儿助手", "color": "#1f6f5c", "lang": "en"}
    )
    # data-open: expanded at once, without taking focus from the centre's page.
    assert page.locator(".panel").is_visible()
    assert page.evaluate("document.activeElement === document.body")
    # data-title and data-color: header and launcher; white text on the dark green.
    assert page.locator("#tuoyu-title").inner_text() == "朝阳社区育儿助手"
    assert page.locator(".launcher .label").text_content() == "朝阳社区育儿助手"
    head = page.locator(".head")
    assert head.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(31, 111, 92)"
    assert head.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    # data-lang=en: the interface in English.
    assert page.locator(".send").inner_text() == "Send"
    assert page.locator("aside.root").get_attribute("lang") == "en"
    assert page.locator("#tuoyu-input").get_attribute("placeholder") == "Type your question…"

    # Anything that is not a #rgb colour is ignored (never reaches the style).
    page = open_page({"color": "red; background: url(//evil.example/x)"})
    launcher = page.locator(".launcher")
    assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 107, 203)"
    assert page.locator(".send").inner_text() == "发送"


def test_the_centres_district_is_one_tap_away(open_page: OpenPage) -> None:
    page = open_page({"district": "朝阳区", "open": "true"})
    # In the welcome: a search in the centre's district.
    welcome = page.locator(".msg.bot").first.locator("button.choice")
    assert "找朝阳区的普惠托育" in welcome.all_inner_texts()
    # When the finder asks where, the district is offered beside "use my location".
    ask(page, "帮我找附近的托育机构")
    last = page.locator(".msg.bot").last
    assert last.locator("button.location").is_visible()
    district = last.locator("button.district")
    assert district.inner_text() == "在朝阳区找"
    before = bot_count(page)
    district.click()
    wait_for_reply(page, before)
    assert bubbles(page, "user")[-1] == "朝阳区"
    assert "在朝阳区附近找" in "\n".join(bubbles(page, "bot")[before:])


def test_a_parent_rates_an_answer_by_keyboard_and_the_choice_survives_a_reload(
    open_page: OpenPage, stack: Stack
) -> None:
    question = "宝宝湿疹了怎么护理皮肤"

    def queued() -> int:
        with sqlite3.connect(stack.settings.review_queue_path) as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM unanswered_questions WHERE question = ? "
                "AND kind = 'unhelpful'",
                (question,),
            ).fetchone()
        return int(count)

    page = open_page({"open": "true"})
    ask(page, question)
    before = queued()
    group = page.locator(".msg.bot .rating").last
    assert group.get_attribute("role") == "group"
    assert group.get_attribute("aria-label") == "这条回答有帮助吗？"
    down = group.get_by_role("button", name="没帮助")
    assert down.get_attribute("aria-pressed") == "false"
    down.focus()
    with page.expect_response(f"{stack.base_url}/api/feedback") as rated:
        page.keyboard.press("Enter")
    assert rated.value.status == 200
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(group.locator(".rated")).to_have_text("谢谢，工作人员会查看这条回答。")
    assert queued() == before + 1
    page.reload()
    page.wait_for_selector("tuoyu-widget[data-ready=true]", state="attached")
    group = page.locator(".msg.bot .rating").last
    expect(group.get_by_role("button", name="没帮助")).to_have_attribute("aria-pressed", "true")
    # A change of mind: 👍 takes the question out of the queue again.
    with page.expect_response(f"{stack.base_url}/api/feedback"):
        group.get_by_role("button", name="有帮助").click()
    expect(group.get_by_role("button", name="有帮助")).to_have_attribute("aria-pressed", "true")
    assert queued() == before


def test_use_my_location_shares_the_browsers_position(open_page: OpenPage) -> None:
    page = open_page(
        {"open": "true"},
        geolocation={"latitude": 39.996, "longitude": 116.47},
        permissions=["geolocation"],
    )
    ask(page, "帮我找附近的托育机构")
    assert page.locator(".msg.bot").last.locator("button.district").count() == 0
    before = bot_count(page)
    page.locator(".msg.bot").last.locator("button.location").click()
    wait_for_reply(page, before)
    assert bubbles(page, "user")[-1] == "📍 我的位置"
    assert "在您的位置附近找" in "\n".join(bubbles(page, "bot")[before:])


def test_a_360_pixel_phone_gets_a_full_screen_panel(open_page: OpenPage) -> None:
    page = open_page(
        {"open": "true"}, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    # data-open does not cover a phone's whole page before the parent has seen it.
    assert page.locator(".panel").is_hidden()
    width_before = page.evaluate("document.documentElement.scrollWidth")
    launcher = page.locator(".launcher").bounding_box()
    assert launcher is not None
    assert launcher["x"] >= 0
    assert launcher["x"] + launcher["width"] <= 360
    assert launcher["y"] + launcher["height"] <= 740
    page.locator(".launcher").tap()
    panel = page.locator(".panel").bounding_box()
    assert panel == {"x": 0, "y": 0, "width": 360, "height": 740}
    for part in ("#tuoyu-input", ".send", ".close", ".clear"):
        box = page.locator(part).bounding_box()
        assert box is not None
        assert box["x"] >= 0, part
        assert box["x"] + box["width"] <= 360, part
        assert box["y"] >= 0, part
        assert box["y"] + box["height"] <= 740, part
    answer = ask(page, "宝宝几个月可以加辅食？")
    assert answer
    assert page.evaluate("document.documentElement.scrollWidth") == width_before


def test_clear_conversation_forgets_here_and_on_the_server(
    open_page: OpenPage, stack: Stack
) -> None:
    page = open_page({"open": "true"})
    ask(page, "宝宝几个月可以加辅食？")
    old = stored(page, stack)["sender"]
    forgets: list[Request] = []
    page.on("request", lambda r: forgets.append(r) if r.url.endswith("/api/forget") else None)
    page.locator(".clear").click()
    with page.expect_response(f"{stack.base_url}/api/forget") as forgot:
        page.locator(".confirm-yes").click()
    assert forgot.value.status == 200
    assert forgot.value.json()["forgotten"] is True
    assert [json.loads(r.post_data or "{}") for r in forgets if r.method == "POST"] == [
        {"sender_id": old}
    ]
    assert bubbles(page, "user") == []
    assert len(bubbles(page, "bot")) == 1  # the welcome only
    state = stored(page, stack)
    assert state["items"] == []
    assert state["forget"] == []
    assert re.fullmatch(r"widget-[0-9a-f]{32}", state["sender"])
    assert state["sender"] != old
    page.wait_for_function(f"{SHADOW}.querySelector('.status').textContent === '对话已清除。'")
    page.reload()
    page.wait_for_selector("tuoyu-widget[data-ready=true]", state="attached")
    assert bubbles(page, "user") == []


def test_the_host_page_is_left_alone(open_page: OpenPage) -> None:
    # The tag pasted twice: one widget, one global, no errors (open_page checks those).
    page = open_page(copies=2)
    assert page.evaluate("document.querySelectorAll('tuoyu-widget').length") == 1
    assert page.evaluate("document.querySelectorAll('script[src$=\"/widget.js\"]').length") == 2
    globals_added = page.evaluate(
        """() => {
            const frame = document.createElement('iframe');
            document.body.appendChild(frame);
            const clean = new Set(Object.getOwnPropertyNames(frame.contentWindow));
            frame.remove();
            return Object.getOwnPropertyNames(window).filter(name => !clean.has(name));
        }"""
    )
    assert globals_added == ["TuoyuWidget"]
    # Nothing of the widget's styles in the page, and the page's styles do not reach in.
    assert page.evaluate("document.styleSheets.length") == 1
    host_button = page.locator("#host-button")
    assert host_button.evaluate("e => getComputedStyle(e).fontSize") == "30px"
    launcher = page.locator(".launcher")
    assert launcher.evaluate("e => getComputedStyle(e).fontSize") == "15px"
    assert "Georgia" not in launcher.evaluate("e => getComputedStyle(e).fontFamily")
    assert launcher.evaluate("e => getComputedStyle(e).position") == "fixed"
    assert launcher.is_visible()
    page.locator(".launcher").click()
    assert page.locator("[role=log]").is_visible()
    assert page.locator("#tuoyu-input").evaluate("e => getComputedStyle(e).fontSize") == "15px"


def test_refusals_and_failures_are_shown(open_page: OpenPage, stack: Stack) -> None:
    page = open_page({"open": "true"})
    status = page.locator(".status")
    # Past the per-sender burst the gateway answers 429: its replies are shown (they would
    # carry the emergency answer first) and Retry-After is readable across origins.
    for _ in range(30):
        ask(page, "你好")
        if status.is_visible():
            break
    assert re.fullmatch(r"请 \d+ 秒后再试。", status.inner_text())
    assert bubbles(page, "bot")[-1]
    # The network gone: the parent is told, and the widget still works afterwards.
    page.route(f"{stack.base_url}/api/chat", lambda route: route.abort())
    page.locator("#tuoyu-input").fill("还在吗")
    page.locator("#tuoyu-input").press("Enter")
    page.wait_for_function(f"{SHADOW}.querySelector('.status').textContent.includes('网络')")
    assert page.locator(".typing").is_hidden()
