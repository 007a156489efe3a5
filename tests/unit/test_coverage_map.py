"""The coverage page's district map: the vendored outlines, the population behind each
district's figure, and the API the page draws from."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.gateway.app import STATIC_DIR
from bot.gateway.coverage import PLACES_BREAKS, places_class
from bot.gateway.district_map import (
    BOUNDARIES_FILE,
    DISTRICT_NAMES_EN,
    VENDORED_MAP,
    beijing_district_map,
    contains,
    decode_ring,
    load_shapes,
    simplify,
)
from bot.settings import Settings
from knowledge_base.registry.coverage import TARGET_PLACES_PER_1000
from knowledge_base.registry.places import default_gazetteer
from tests.unit.fakes import gateway_app

# 北京市第七次全国人口普查公报（第二号）: the city's resident population at 2020-11-01.
CENSUS_2020_TOTAL = 21_893_095


def test_the_vendored_file_is_the_packaged_one() -> None:
    notes = (VENDORED_MAP / "README.md").read_text("utf-8")
    recorded = re.search(r"sha256 `([0-9a-f]{64})`", notes)
    assert recorded, "the README records the file's sha256"
    assert hashlib.sha256(BOUNDARIES_FILE.read_bytes()).hexdigest() == recorded.group(1)
    for fact in ("echarts", "4.9.0", "Apache License 2.0", "https://www.npmjs.com/package/echarts"):
        assert fact in notes
    assert (VENDORED_MAP / "LICENSE").read_text("utf-8").lstrip().startswith("Apache License")
    assert BOUNDARIES_FILE.stat().st_size < 150_000


def test_sixteen_districts_each_with_its_population_and_source() -> None:
    shapes = load_shapes()
    gazetteer = default_gazetteer()
    assert len(shapes) == 16
    assert len({s.adcode for s in shapes}) == 16
    populations = {}
    for shape in shapes:
        info = gazetteer.districts[shape.name]
        populations[shape.name] = int(info["population_2020"])
        assert DISTRICT_NAMES_EN[shape.name]
    assert min(populations.values()) > 300_000
    # The 16 figures are the census bulletin's: together, the city total.
    assert sum(populations.values()) == CENSUS_2020_TOTAL
    source = gazetteer.source["population"]
    for part in ("北京市第七次全国人口普查公报", "北京市统计局", "2021"):
        assert part in source


def test_each_outline_holds_its_own_label_point() -> None:
    """A wrong decoding (a sign, an offset) would move or scramble the rings."""
    for shape in load_shapes():
        outer_rings = [polygon[0] for polygon in shape.polygons]
        assert any(contains(ring, shape.centre) for ring in outer_rings), shape.name
        for ring in outer_rings:
            for longitude, latitude in ring:
                assert 115.3 < longitude < 117.6
                assert 39.4 < latitude < 41.1


def test_decoding_follows_echarts_zigzag_deltas() -> None:
    # From (100, 200): +1 and -1 zigzag to 2 and 1 ("B" and "A", 64 added), then +2 and 0
    # to 4 and 0 ("D" and "@"); the scale divides.
    assert decode_ring("BAD@", (100, 200), 10) == [(10.1, 19.9), (10.3, 19.9)]


def test_simplifying_keeps_the_corners() -> None:
    square = [(0.0, 0.0), (5.0, 0.01), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
    assert simplify(square, 0.5) == [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]


def test_the_map_fits_its_view_box() -> None:
    district_map = beijing_district_map()
    assert len(district_map.districts) == 16
    for outline in district_map.districts:
        assert outline.path.startswith("M")
        assert outline.path.endswith("Z")
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", outline.path)]
        xs, ys = numbers[0::2], numbers[1::2]
        assert 0 <= min(xs) <= max(xs) <= district_map.width
        assert 0 <= min(ys) <= max(ys) <= district_map.height
    labelled = {o.district for o in district_map.districts if o.label}
    assert {"朝阳区", "海淀区", "延庆区"} <= labelled
    assert "东城区" not in labelled  # too small to label: the panel and the table name it
    assert len(str(district_map.as_json())) < 80_000


@pytest.mark.parametrize(
    ("places", "expected"),
    [(None, None), (0.0, 0), (2.49, 0), (2.5, 1), (4.49, 2), (4.5, 3), (5.49, 3), (5.5, 4)],
)
def test_colour_classes_put_the_target_at_a_class_edge(
    places: float | None, expected: int | None
) -> None:
    assert TARGET_PLACES_PER_1000 in PLACES_BREAKS
    assert places_class(places) == expected


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient[Any, Any]:
    settings = Settings.from_env({"TUOYU_VAR_DIR": str(tmp_path), "TUOYU_RASA_TOKEN": "t"})
    result: TestClient[Any, Any] = await aiohttp_client(gateway_app(settings))
    return result


async def test_the_api_gives_each_district_its_english_name_and_colour(
    client: TestClient[Any, Any],
) -> None:
    coverage = await (await client.get("/api/coverage")).json()
    assert coverage["scale"]["places_per_1000_breaks"] == list(PLACES_BREAKS)
    by_name = {d["district"]: d for d in coverage["districts"]}
    assert by_name["朝阳区"]["district_en"] == "Chaoyang"
    for district in coverage["districts"]:
        assert district["places_class"] == places_class(district["places_per_1000"])
    assert by_name["北京经济技术开发区"]["places_class"] is None  # no population of its own


async def test_the_outlines_come_with_their_source_and_may_be_cached(
    client: TestClient[Any, Any],
) -> None:
    response = await client.get("/api/coverage/map")
    outlines = await response.json()
    assert response.status == 200
    assert "max-age" in response.headers["Cache-Control"]
    assert len(outlines["districts"]) == 16
    assert outlines["view_box"].startswith("0 0 560 ")
    assert outlines["source"]["package"] == "echarts"
    assert outlines["source"]["licence"] == "Apache-2.0"
    coverage = await (await client.get("/api/coverage")).json()
    named = {d["district"] for d in coverage["districts"]}
    assert {d["district"] for d in outlines["districts"]} <= named


async def test_the_page_keeps_its_strict_policy(client: TestClient[Any, Any]) -> None:
    response = await client.get("/coverage")
    page = await response.text()
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "style=" not in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/coverage.js">']
    assert 'id="legend"' in page
    assert 'id="map-info"' in page
    assert 'aria-live="polite"' in page
    script = (STATIC_DIR / "coverage.js").read_text("utf-8")
    assert "innerHTML" not in script  # names and figures go in as text
