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


_LAT_BEIJING = {"type": "number", "minimum": 39.3, "maximum": 41.1}
_LON_BEIJING = {"type": "number", "minimum": 115.3, "maximum": 117.6}
_AGE = {"type": "number", "minimum": 0, "maximum": 72}
_FEE = {"type": "number", "minimum": 0, "maximum": 100000}
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


_REPLY = {
    "type": "object",
    "required": ["text", "buttons"],
    "properties": {
        "text": {"type": "string"},
        "buttons": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["title", "payload"],
                "properties": {
                    "title": {"type": "string"},
                    "payload": {
                        "type": "string",
                        "description": "Send it back as the next message to follow the button. "
                        "A payload starting with / is signed for this sender; any other / "
                        "message is read as text.",
                    },
                },
            },
        },
        "extras": {"type": "array", "items": {"type": "object"}},
        "feedback": {
            "type": "string",
            "description": "Only on an answer from the knowledge base: send it to "
            "/api/feedback with a rating (👍 up, 👎 down). Valid for this sender, 7 days.",
        },
    },
}
_REPLIES = {
    "type": "object",
    "required": ["replies", "language"],
    "properties": {
        "replies": {"type": "array", "items": _REPLY},
        "language": {"type": "string", "enum": ["zh", "en"]},
    },
}
# The gateway's own answer (back end down, too fast, busy): an error and replies to show.
_GATEWAY_ANSWER = {
    "type": "object",
    "required": ["error", "replies", "language"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "enum": ["backend_unavailable", "rate_limited", "busy"],
                },
                "part": {"type": "string", "enum": ["rasa", "actions"]},
                "message": {"type": "string"},
            },
        },
        "replies": {"type": "array", "items": _REPLY},
        "language": {"type": "string", "enum": ["zh", "en"]},
    },
}


_SENDER_ID = {
    "type": "string",
    "minLength": 1,
    "maxLength": 128,
    "pattern": "^(?!tg:)[A-Za-z0-9_.:@-]+$",
    "description": "An opaque random id the client creates once and keeps (tg: is reserved "
    "for Telegram chats)",
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
                                "description": "message, location, or both; a message is "
                                "required unless a location is given",
                                "properties": {
                                    "sender_id": _SENDER_ID,
                                    "message": {
                                        "type": "string",
                                        "minLength": 1,
                                        "maxLength": 2000,
                                        "description": "Not blank",
                                    },
                                    "channel": {
                                        "type": "string",
                                        "enum": ["web", "widget"],
                                        "default": "web",
                                        "description": "Which client sends it (the embeddable "
                                        "widget sends widget); counted on the staff dashboard",
                                    },
                                    "location": {
                                        "type": "object",
                                        "description": "A location the parent shared "
                                        "(WGS-84), rounded to about 100 m; starts or answers "
                                        "a childcare search",
                                        "required": ["latitude", "longitude"],
                                        "properties": {
                                            "latitude": {
                                                "type": "number",
                                                "minimum": -90,
                                                "maximum": 90,
                                            },
                                            "longitude": {
                                                "type": "number",
                                                "minimum": -180,
                                                "maximum": 180,
                                            },
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json("Replies in order", _REPLIES),
                    "400": _json(
                        "What is wrong with the request (also: a body that is not "
                        "application/json, nested too deep or not decodable)",
                        _ERROR,
                    ),
                    "429": _json(
                        "Too many messages (rate_limited, see Retry-After) or the sender's "
                        "previous message is still being answered (busy); an emergency "
                        "still gets its answer in replies",
                        _GATEWAY_ANSWER,
                    ),
                    "503": _json(
                        "A back end is down; replies holds a message to show (and the "
                        "emergency answer when the message describes one)",
                        _GATEWAY_ANSWER,
                    ),
                },
            }
        },
        "/api/forget": {
            "post": {
                "summary": "Delete what Tuoyu stored about a sender: the conversation and "
                "the questions they left for staff",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["sender_id"],
                                "properties": {"sender_id": _SENDER_ID},
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        "Erased",
                        {
                            "type": "object",
                            "required": ["forgotten"],
                            "properties": {
                                "forgotten": {"type": "boolean"},
                                "conversation_events": {"type": "integer"},
                                "review_questions": {"type": "integer"},
                            },
                        },
                    ),
                    "400": _json("What is wrong with the request", _ERROR),
                    "503": _json("Nothing was erased: the conversation store is down", _ERROR),
                },
            }
        },
        "/api/feedback": {
            "post": {
                "summary": "Rate an answer the bot gave: up (👍) or down (👎)",
                "description": "One rating per answer; sending another changes it. A down "
                "rating puts the question, phone and ID numbers masked, in the staff review "
                "queue with the entry it got.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["sender_id", "token", "rating"],
                                "properties": {
                                    "sender_id": _SENDER_ID,
                                    "token": {
                                        "type": "string",
                                        "minLength": 1,
                                        "maxLength": 4096,
                                        "description": "The feedback token of the reply rated",
                                    },
                                    "rating": {"type": "string", "enum": ["up", "down"]},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        "Kept",
                        {
                            "type": "object",
                            "required": ["rating", "previous"],
                            "properties": {
                                "rating": {"type": "string", "enum": ["up", "down"]},
                                "previous": {
                                    "type": ["string", "null"],
                                    "enum": ["up", "down", None],
                                },
                            },
                        },
                    ),
                    "400": _json(
                        "What is wrong with the request; invalid_token (not a token Tuoyu "
                        "issued) or token_expired",
                        _ERROR,
                    ),
                    "403": _json("not_your_answer: the answer was given to another sender", _ERROR),
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
                    _query("lat", _LAT_BEIJING, "WGS-84 latitude, within Beijing", True),
                    _query("lon", _LON_BEIJING, "WGS-84 longitude, within Beijing", True),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 50}, "default 5"),
                    _query(
                        "radius_km",
                        {"type": "number", "minimum": 0.1, "maximum": 200},
                        "default 3; widened when too few match",
                    ),
                    _query("inclusive", {"type": "boolean"}, "inclusive (普惠) places only"),
                    _query("age_months", _AGE, "only places taking this age"),
                    _query("care_mode", {"type": "string", "enum": list(CARE_MODES)}, ""),
                    _query("has_vacancy", {"type": "boolean"}, "only places with vacancies"),
                    _query("max_fee", _FEE, "monthly full-day fee at most"),
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
                    _query(
                        "q",
                        {"type": "string", "maxLength": 100},
                        "district, subdistrict or area, e.g. 望京",
                    ),
                    _query("lat", {"type": "number", "minimum": -90, "maximum": 90}, "a point"),
                    _query("lon", {"type": "number", "minimum": -180, "maximum": 180}, ""),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 50}, ""),
                    _query("age_months", _AGE, ""),
                    _query("inclusive", {"type": "boolean"}, ""),
                    _query("has_vacancy", {"type": "boolean"}, ""),
                    _query("max_fee", _FEE, ""),
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
                "description": "Each district's figures from the registry against the plan's "
                "targets, its English name, and its colour class on the district map "
                "(places_class, 0-4, from scale.places_per_1000_breaks; null without a "
                "population figure)",
                "responses": {
                    "200": _json("Coverage against the plan's targets", {"type": "object"})
                },
            }
        },
        "/api/coverage/map": {
            "get": {
                "summary": "Beijing's 16 district outlines as SVG paths",
                "description": "view_box, then per district its code, Chinese and English "
                "names, an SVG path and a label point (null when too small to label); "
                "source names the packaged boundary data and its licence",
                "responses": {"200": _json("District outlines", {"type": "object"})},
            }
        },
    },
}


async def handle_openapi(request: web.Request) -> web.Response:
    return web.json_response(OPENAPI)
