"""The coverage page's district map in real headless Chromium: drawn under the page's strict
CSP, coloured by places per 1,000 residents, and its figures reachable by mouse and keyboard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.integration.browsers import chromium, gateway_alone

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with gateway_alone(tmp_path_factory.mktemp("coveragevar"), "/static/coverage.css") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, gateway_url: str) -> Iterator[Page]:
    opened = browser.new_page()
    problems: list[str] = []
    # A failed load is reported by its response (the browser's own favicon request is not
    # the page's); any other console error is a script error or something the CSP refused.
    opened.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    opened.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.goto(f"{gateway_url}/coverage")
    opened.wait_for_selector("#map path.district")
    yield opened
    assert problems == []  # no script error, nothing the CSP refused
    opened.close()


def test_sixteen_districts_are_drawn_in_colour_classes(page: Page) -> None:
    districts = page.locator("#map path.district")
    assert districts.count() == 16
    classes = districts.evaluate_all("paths => paths.map(p => p.getAttribute('class'))")
    assert all(c.split()[1] in {"c0", "c1", "c2", "c3", "c4"} for c in classes), classes
    assert page.locator("#legend li").count() == 6
    assert "echarts 4.9.0" in page.locator("#map-source").inner_text()
    assert page.locator("#rows tr").count() == 17  # the table: every district and the area


def test_hover_and_keyboard_focus_show_a_districts_figures(page: Page) -> None:
    chaoyang = page.locator('#map path.district[aria-label^="朝阳区"]')
    chaoyang.hover()
    info = page.locator("#map-info")
    assert "朝阳区 Chaoyang" in info.inner_text()
    assert "每千人托位" in info.inner_text()
    page.keyboard.press("Tab")  # the first thing to reach on the page is the first district
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused.startswith("东城区 Dongcheng")
    assert "东城区 Dongcheng" in info.inner_text()
    assert page.locator("#map path.highlight").get_attribute("d")
