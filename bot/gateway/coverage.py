"""The public coverage figures: places per 1,000 residents by district, and the district map.

GET /api/coverage gives each district's figures from the live registry against the plan's
targets, with the colour class the map uses; GET /api/coverage/map gives the district
outlines (bot/gateway/district_map.py), which never change while the process runs.
"""

from __future__ import annotations

import asyncio
import bisect

from aiohttp import web

from bot.gateway.district_map import DISTRICT_NAMES_EN, beijing_district_map
from bot.gateway.keys import LIVE_REGISTRY
from knowledge_base.registry.coverage import (
    TARGET_INCLUSIVE_SHARE,
    TARGET_PLACES_PER_1000,
    district_coverage,
)
from knowledge_base.registry.places import default_gazetteer
from knowledge_base.registry.sample import SAMPLE_PREFIX

PLAN = "北京市托育服务体系建设三年行动方案（2023年—2025年）"
# The map's colour classes, one place per 1,000 residents wide and anchored on the plan's
# target, so that the two darkest classes are exactly the districts that meet it and the
# others say how far short they are: below 2.5, 2.5–3.5, 3.5–4.5, 4.5–5.5, 5.5 and more.
PLACES_BREAKS = tuple(TARGET_PLACES_PER_1000 + step for step in (-2.0, -1.0, 0.0, 1.0))
# The outlines are fixed for the life of the process: browsers may keep them a day.
MAP_CACHE_CONTROL = "public, max-age=86400"


def places_class(places_per_1000: float | None) -> int | None:
    """The colour class of a figure (0 lightest … 4 darkest); None without a population."""
    if places_per_1000 is None:
        return None
    return bisect.bisect_right(PLACES_BREAKS, places_per_1000)


async def handle_coverage(request: web.Request) -> web.Response:
    live = request.app[LIVE_REGISTRY]
    search = await asyncio.get_running_loop().run_in_executor(None, live.current)
    gazetteer = default_gazetteer()
    items = search.institutions()
    rows = district_coverage(items, gazetteer)
    return web.json_response(
        {
            "sample": any(i.registration_no.startswith(SAMPLE_PREFIX) for i in items),
            "targets": {
                "places_per_1000_residents": TARGET_PLACES_PER_1000,
                "inclusive_share": TARGET_INCLUSIVE_SHARE,
                "source": PLAN,
            },
            "population_source": gazetteer.source.get("population", ""),
            "scale": {"places_per_1000_breaks": list(PLACES_BREAKS)},
            "districts": [
                {
                    "district": row.district,
                    "district_en": DISTRICT_NAMES_EN.get(row.district, ""),
                    "population": row.population,
                    "places": row.places,
                    "inclusive_places": row.inclusive_places,
                    "places_per_1000": row.places_per_1000,
                    "places_class": places_class(row.places_per_1000),
                    "inclusive_share": row.inclusive_share,
                    "meets_places_target": row.meets_places_target,
                    "meets_inclusive_target": row.meets_inclusive_target,
                    "subdistricts_without_inclusive": row.subdistricts_without_inclusive,
                }
                for row in rows
            ],
        }
    )


async def handle_coverage_map(request: web.Request) -> web.Response:
    """The 16 district outlines as SVG paths in one view box, with their source."""
    district_map = await asyncio.get_running_loop().run_in_executor(None, beijing_district_map)
    response = web.json_response(
        district_map.as_json(), headers={"Cache-Control": MAP_CACHE_CONTROL}
    )
    # About 40 KB of path data, a quarter of that compressed.
    response.enable_compression()
    return response
