"""Public JSON API for the registry: nearby institutions, the registration check and the map
search (coverage is in bot/gateway/coverage.py)."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from bot.gateway.keys import LIVE_REGISTRY, SETTINGS
from knowledge_base.content import load_entries
from knowledge_base.registry.check import NOT_FOUND_ENTRIES
from knowledge_base.registry.model import CARE_MODES, PROVIDER_TYPES
from knowledge_base.registry.nearby import NearbyFilters, NearbyResult

MAX_LIMIT = 50


class BadParameter(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message

    def response(self) -> web.Response:
        body = {"error": {"code": "bad_parameter", "field": self.name, "message": self.message}}
        return web.json_response(body, status=400)


def _required(query: Any, name: str, low: float, high: float) -> float:
    value = _number(query, name, low, high, None)
    if value is None:
        raise BadParameter(name, f"'{name}' is required")
    return value


def _number(query: Any, name: str, low: float, high: float, default: float | None) -> float | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(name, f"'{name}' must be a number, not {raw!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"'{name}' must be between {low:g} and {high:g}")
    return value


def _flag(query: Any, name: str) -> bool:
    raw = str(query.get(name, "")).strip().lower()
    if raw in ("", "0", "false", "no", "否"):
        return False
    if raw in ("1", "true", "yes", "是"):
        return True
    raise BadParameter(name, f"'{name}' must be true or false")


def _choice(query: Any, name: str, allowed: tuple[str, ...]) -> str | None:
    raw = str(query.get(name, "")).strip()
    if not raw:
        return None
    if raw not in allowed:
        raise BadParameter(name, f"'{name}' must be one of {', '.join(allowed)}")
    return raw


def nearby_filters(query: Any) -> NearbyFilters:
    """The filters parents can set, from query parameters; BadParameter says which is wrong."""
    return NearbyFilters(
        inclusive_only=_flag(query, "inclusive"),
        age_months=_number(query, "age_months", 0, 72, None),
        care_mode=_choice(query, "care_mode", CARE_MODES),
        has_vacancy=_flag(query, "has_vacancy"),
        max_fee_yuan=_number(query, "max_fee", 0, 100_000, None),
        provider_type=_choice(query, "provider_type", PROVIDER_TYPES),
    )


def result_json(result: NearbyResult) -> dict[str, Any]:
    i = result.institution
    return {
        "registration_no": i.registration_no,
        "name": i.name,
        "district": i.district,
        "subdistrict": i.subdistrict,
        "address": i.address,
        "distance_km": result.distance_km,
        "inclusive": i.inclusive,
        "provider_type": i.provider_type,
        "care_modes": list(i.care_modes),
        "min_age_months": i.min_age_months,
        "max_age_months": i.max_age_months,
        "vacancies": i.vacancies,
        "monthly_fee_yuan": i.monthly_fee_yuan,
        "phone": i.phone,
        "latitude": i.latitude,
        "longitude": i.longitude,
    }


async def handle_nearby(request: web.Request) -> web.Response:
    query = request.query
    try:
        lat = _required(query, "lat", 39.3, 41.1)
        lon = _required(query, "lon", 115.3, 117.6)
        limit = int(_number(query, "limit", 1, MAX_LIMIT, 5) or 5)
        radius = _number(query, "radius_km", 0.1, 200, 3.0) or 3.0
        filters = nearby_filters(query)
    except BadParameter as bad:
        return bad.response()
    live = request.app[LIVE_REGISTRY]
    search = await asyncio.get_running_loop().run_in_executor(None, live.current)
    answer = search.nearest(lat, lon, limit=limit, radius_km=radius, filters=filters)
    return web.json_response(
        {
            "results": [result_json(r) for r in answer.results],
            "radius_km": answer.radius_km,
            "widened": answer.widened,
        }
    )


@functools.cache
def not_found_advice(project_dir: Path, content_dir: Path) -> dict[str, str]:
    """What "not in the registry" means and how to report an unregistered provider: the same
    wording the chat uses (domain.yml), with the sources it rests on."""
    domain = yaml.safe_load((project_dir / "domain.yml").read_text("utf-8"))
    variants = domain["responses"]["utter_check_not_found"]
    entries = {e.id: e for e in load_entries(content_dir).published()}
    source = "；".join(
        dict.fromkeys(entries[i].source.line() for i in NOT_FOUND_ENTRIES if i in entries)
    )
    advice = {"report_to": "12345"}
    for variant in variants:
        language = "en" if variant.get("condition") else "zh"
        advice[language] = str(variant["text"]).replace("{source}", source)
    return advice


async def handle_check(request: web.Request) -> web.Response:
    query = request.query.get("q", "").strip()
    if not query:
        return BadParameter(
            "q", "'q' is required: a name, address or registration number"
        ).response()
    if len(query) > 500:
        return BadParameter("q", "'q' must be at most 500 characters").response()
    live = request.app[LIVE_REGISTRY]
    checker = await asyncio.get_running_loop().run_in_executor(None, live.registration_check)
    matches = checker.check(query)
    found = any(m.strong and not m.institution.deregistered for m in matches)
    settings = request.app[SETTINGS]
    extra = (
        {} if found else {"advice": not_found_advice(settings.project_dir, settings.content_dir)}
    )
    return web.json_response(
        {
            "query": query,
            "found": found,
            **extra,
            "matches": [
                {
                    "registration_no": m.institution.registration_no,
                    "name": m.institution.name,
                    "district": m.institution.district,
                    "address": m.institution.address,
                    "filed_on": m.institution.filed_on.isoformat(),
                    "deregistered": m.institution.deregistered,
                    "score": m.score,
                }
                for m in matches
            ],
        }
    )


BEIJING_CENTRE = (39.9042, 116.4074)


async def handle_map_search(request: web.Request) -> web.Response:
    """The e-map's search: a place name (resolved with the gazetteer) and the usual filters."""
    from knowledge_base.registry.address import resolve_location
    from knowledge_base.registry.places import default_gazetteer

    query = request.query
    text = query.get("q", "").strip()[:100]
    if query.get("lat") or query.get("lon"):
        # A point from a chat result (possibly a shared location, which has no name).
        try:
            lat = _required(query, "lat", -90, 90)
            lon = _required(query, "lon", -180, 180)
            limit = int(_number(query, "limit", 1, MAX_LIMIT, 20) or 20)
            filters = nearby_filters(query)
        except BadParameter as bad:
            return bad.response()
        live = request.app[LIVE_REGISTRY]
        search = await asyncio.get_running_loop().run_in_executor(None, live.current)
        answer = search.nearest(lat, lon, limit=limit, radius_km=3.0, filters=filters)
        return web.json_response(
            {
                "place": {"name": text, "latitude": lat, "longitude": lon, "district": None},
                "results": [result_json(r) for r in answer.results],
                "radius_km": answer.radius_km,
            }
        )
    live = request.app[LIVE_REGISTRY]
    place = None
    if text:
        roads = await asyncio.get_running_loop().run_in_executor(None, live.roads)
        resolution = resolve_location(text, default_gazetteer(), roads)
        place = resolution.match
        if place is None:
            choices = "、".join(a.label for a in resolution.alternatives)
            message = (
                f"'{text}' could be {choices}; add the district"
                if choices
                else f"'{text}' is not a district, subdistrict, area or address I know"
            )
            return BadParameter("q", message).response()
    lat, lon = (place.latitude, place.longitude) if place else BEIJING_CENTRE
    try:
        limit = int(_number(query, "limit", 1, MAX_LIMIT, 20) or 20)
        filters = nearby_filters(query)
    except BadParameter as bad:
        return bad.response()
    search = await asyncio.get_running_loop().run_in_executor(None, live.current)
    answer = search.nearest(lat, lon, limit=limit, radius_km=3.0, filters=filters)
    return web.json_response(
        {
            "place": None
            if place is None
            else {
                "name": place.label,
                "latitude": lat,
                "longitude": lon,
                "district": place.district,
            },
            "results": [result_json(r) for r in answer.results],
            "radius_km": answer.radius_km,
        }
    )
