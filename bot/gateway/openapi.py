"""The public API described as OpenAPI 3.1, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from knowledge_base.registry.model import CARE_MODES, PROVIDER_TYPES


def _query(name: str, schema: dict[str, Any], description: str, required: bool = False) -> Any:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "field": {"type": "string"},
                "message": {"type": "string"},
            },
        }
    },
}
_INSTITUTION = {
    "type": "object",
    "properties": {
        "registration_no": {"type": "string"},
        "name": {"type": "string"},
        "district": {"type": "string"},
        "subdistrict": {"type": "string"},
        "address": {"type": "string"},
        "distance_km": {"type": "number"},
        "inclusive": {"type": "boolean"},
        "provider_type": {"type": "string", "enum": list(PROVIDER_TYPES)},
        "care_modes": {"type": "array", "items": {"type": "string", "enum": list(CARE_MODES)}},
        "min_age_months": {"type": "integer"},
        "max_age_months": {"type": "integer"},
        "vacancies": {"type": ["integer", "null"]},
        "monthly_fee_yuan": {"type": ["number", "null"]},
        "phone": {"type": ["string", "null"]},
        "latitude": {"type": "number"},
        "longitude": {"type": "number"},
    },
}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Tuoyu (托育助手) public API",
        "version": "1",
        "description": "Chat with the assistant and search Beijing's registry of filed childcare "
        "institutions. Until real registry files are imported, results come from a SAMPLE "
        "registry whose names all start with 示例.",
    },
    "paths": {
        "/api/chat": {
            "post": {
                "summary": "Send one message; get the bot's replies",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["sender_id"],
                                "description": "message, location, or both",
                                "properties": {
                                    "sender_id": {"type": "string", "maxLength": 128},
                                    "message": {"type": "string", "maxLength": 2000},
                                    "location": {
                                        "type": "object",
                                        "description": "A location the parent shared "
                                        "(WGS-84); starts or answers a childcare search",
                                        "required": ["latitude", "longitude"],
                                        "properties": {
                                            "latitude": {"type": "number"},
                                            "longitude": {"type": "number"},
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json("Replies in order", {"type": "object"}),
                    "400": _json("What is wrong with the request", _ERROR),
                    "503": _json("A backend is down; replies holds a message to show", _ERROR),
                },
            }
        },
        "/healthz": {
            "get": {
                "summary": "200 only when Rasa and the action server answer",
                "responses": {
                    "200": {"description": "All parts up"},
                    "503": {"description": "A part is down"},
                },
            }
        },
        "/api/facilities/nearby": {
            "get": {
                "summary": "Filed institutions nearest a point, nearest first",
                "parameters": [
                    _query("lat", {"type": "number"}, "WGS-84 latitude", True),
                    _query("lon", {"type": "number"}, "WGS-84 longitude", True),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 50}, "default 5"),
                    _query("radius_km", {"type": "number"}, "widened when too few match"),
                    _query("inclusive", {"type": "boolean"}, "inclusive (普惠) places only"),
                    _query("age_months", {"type": "number"}, "only places taking this age"),
                    _query("care_mode", {"type": "string", "enum": list(CARE_MODES)}, ""),
                    _query("has_vacancy", {"type": "boolean"}, "only places with vacancies"),
                    _query("max_fee", {"type": "number"}, "monthly full-day fee at most"),
                    _query("provider_type", {"type": "string", "enum": list(PROVIDER_TYPES)}, ""),
                ],
                "responses": {
                    "200": _json(
                        "Results",
                        {
                            "type": "object",
                            "properties": {
                                "results": {"type": "array", "items": _INSTITUTION},
                                "radius_km": {"type": "number"},
                                "widened": {"type": "boolean"},
                            },
                        },
                    ),
                    "400": _json("Which parameter is wrong and why", _ERROR),
                },
            }
        },
        "/api/facilities/check": {
            "get": {
                "summary": "Is this name, address or registration number in the registry?",
                "parameters": [_query("q", {"type": "string", "maxLength": 500}, "", True)],
                "responses": {
                    "200": _json(
                        "Matches, best first; when not found, `advice` (zh, en, report_to) "
                        "says what that means and how to report an unregistered provider",
                        {"type": "object"},
                    ),
                    "400": _json("q missing or too long", _ERROR),
                },
            }
        },
        "/api/map/search": {
            "get": {
                "summary": "The e-map's search: a place name and filters",
                "parameters": [
                    _query("q", {"type": "string"}, "district, subdistrict or area, e.g. 望京"),
                    _query("age_months", {"type": "number"}, ""),
                    _query("inclusive", {"type": "boolean"}, ""),
                    _query("has_vacancy", {"type": "boolean"}, ""),
                    _query("max_fee", {"type": "number"}, ""),
                    _query("care_mode", {"type": "string", "enum": list(CARE_MODES)}, ""),
                ],
                "responses": {
                    "200": _json("Place and results", {"type": "object"}),
                    "400": _json("Unknown or ambiguous place, or a bad filter", _ERROR),
                },
            }
        },
        "/api/coverage": {
            "get": {
                "summary": "Places per 1,000 residents and inclusive share by district",
                "responses": {
                    "200": _json("Coverage against the plan's targets", {"type": "object"})
                },
            }
        },
    },
}


async def handle_openapi(request: web.Request) -> web.Response:
    return web.json_response(OPENAPI)
