"""The e-map in real headless Chromium: a parent near 望京 with a 22-month-old."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.browsers import chromium_path, gateway_alone

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with gateway_alone(tmp_path_factory.mktemp("mapvar"), "/static/map.css") as url:
        yield url


def rendered(url: str, tmp_path: Path) -> str:
    chromium = chromium_path()
    result = subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=8000", "--dump-dom", url,
        ],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return result.stdout


def test_map_lists_the_nearest_inclusive_places_for_a_22_month_old(
    gateway_url: str, tmp_path: Path
) -> None:
    dom = rendered(f"{gateway_url}/map?q=望京&age_months=22&inclusive=1", tmp_path)
    results = dom.split('<ol id="results">', 1)[1].split("</ol>", 1)[0]
    assert results.count("<li>") >= 5
    assert results.count("<button") == results.count("<li>")  # reachable by keyboard
    assert results.count("普惠") == results.count("<li>")
    assert "km" in results
    assert "找到" in dom
    assert 'id="sample-note" class="note" hidden' not in dom  # sample data is labelled
    assert "leaflet-marker-icon" in dom


def test_an_unknown_place_gets_a_message_not_an_empty_map(gateway_url: str, tmp_path: Path) -> None:
    dom = rendered(f"{gateway_url}/map?q=火星基地", tmp_path)
    assert "not a district, subdistrict, area or address I know" in dom


def test_coverage_page_shows_every_district_against_the_targets(
    gateway_url: str, tmp_path: Path
) -> None:
    dom = rendered(f"{gateway_url}/coverage", tmp_path)
    rows = dom.split('<tbody id="rows">', 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == 17
    assert "朝阳区" in rows
    assert "4.5" in dom
    assert "北京市第七次全国人口普查公报" in dom
    assert 'id="sample-note" class="note" hidden' not in dom
