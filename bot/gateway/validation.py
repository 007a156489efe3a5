"""Checks what arrives at the public API, with messages that say what is wrong."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.gateway.channels import TELEGRAM_SENDER_PREFIX, WEB, WEB_API_CHANNELS
from knowledge_base.text.normalise import well_formed

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
_SENDER = re.compile(r"^[A-Za-z0-9_.:@\-]+$")


# Sender ids other channels use (bot/telegram/): the web API may not speak for them.
RESERVED_SENDER_PREFIXES = (TELEGRAM_SENDER_PREFIX,)


class InvalidRequest(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        # Values the parent-facing wording needs (bot/gateway/messages.py).
        self.details = details or {}

    def response(self) -> web.Response:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return web.json_response({"error": error}, status=400)


@dataclass(frozen=True)
class ChatRequest:
    sender_id: str
    # None when the request only shares a location.
    message: str | None
    # A location the parent chose to share (latitude, longitude), rounded to about 100 m:
    # enough to find the nearest places, less than a home address.
    location: tuple[float, float] | None = None
    # Which client sent it: "widget" from the embeddable widget, "web" (the default) otherwise.
    channel: str = WEB


def rounded_location(latitude: float, longitude: float) -> tuple[float, float]:
    """A shared location kept to about 100 m: enough to find the nearest places, less than
    a home address (every channel rounds the same way)."""
    return round(latitude, 3), round(longitude, 3)


def _location(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidRequest(
            "wrong_type", "'location' must be an object with latitude and longitude.", "location"
        )
    point = []
    for key, limit in (("latitude", 90.0), ("longitude", 180.0)):
        raw = value.get(key)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise InvalidRequest("wrong_type", f"'location.{key}' must be a number.", "location")
        if not -limit <= float(raw) <= limit:
            raise InvalidRequest(
                "invalid_field",
                f"'location.{key}' must be between -{limit:g} and {limit:g}.",
                "location",
            )
        point.append(float(raw))
    return rounded_location(point[0], point[1])


async def read_json_object(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise InvalidRequest(
            "wrong_content_type", "Send the body as JSON with Content-Type: application/json."
        )
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise InvalidRequest("body_too_large", "The request body is too large.") from None
    except Exception:
        # A body that cannot be read as declared (a gzip header on a body that is not gzip).
        raise InvalidRequest("invalid_body", "The request body could not be read.") from None
    if not raw.strip():
        raise InvalidRequest("empty_body", "The request body is empty; send a JSON object.")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        # ValueError covers bad UTF-8, bad JSON and integers past Python's 4,300-digit limit;
        # RecursionError, JSON nested a thousand levels deep.
        raise InvalidRequest("invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidRequest("invalid_json", "The request body must be a JSON object.")
    return body


def parse_sender(body: dict[str, Any]) -> str:
    sender = body.get("sender_id")
    if sender is None:
        raise InvalidRequest("missing_field", "'sender_id' is required.", "sender_id")
    if not isinstance(sender, str):
        raise InvalidRequest("wrong_type", "'sender_id' must be a string.", "sender_id")
    sender = sender.strip()
    if not sender:
        raise InvalidRequest("empty_field", "'sender_id' must not be empty.", "sender_id")
    if len(sender) > MAX_SENDER_CHARS or not _SENDER.match(sender):
        raise InvalidRequest(
            "invalid_field",
            f"'sender_id' must be at most {MAX_SENDER_CHARS} characters of letters, digits "
            "and _ . : @ -",
            "sender_id",
        )
    if sender.startswith(RESERVED_SENDER_PREFIXES):
        raise InvalidRequest(
            "invalid_field",
            f"'sender_id' must not start with {', '.join(RESERVED_SENDER_PREFIXES)} "
            "(reserved for other channels).",
            "sender_id",
        )
    return sender


def _channel(value: Any) -> str:
    if value is None:
        return WEB
    if value not in WEB_API_CHANNELS:
        raise InvalidRequest(
            "invalid_field",
            f"'channel' must be one of {', '.join(WEB_API_CHANNELS)}.",
            "channel",
        )
    return str(value)


def parse_chat_request(body: dict[str, Any]) -> ChatRequest:
    sender = parse_sender(body)
    location = _location(body.get("location"))
    channel = _channel(body.get("channel"))
    message = body.get("message")
    if message is None and location is not None:
        return ChatRequest(sender_id=sender, message=None, location=location, channel=channel)
    return ChatRequest(
        sender_id=sender, message=clean_message(message), location=location, channel=channel
    )


def clean_message(message: Any) -> str:
    """The parent's message as text any later step can store and read, or InvalidRequest."""
    if message is None:
        raise InvalidRequest("missing_field", "'message' is required.", "message")
    if not isinstance(message, str):
        raise InvalidRequest("wrong_type", "'message' must be a string.", "message")
    # A lone surrogate ("\\ud800" in JSON) is not text any later step can store or read.
    text = well_formed(message)
    # Control characters other than newlines and tabs carry nothing a parent meant to say.
    text = "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()
    if not text:
        raise InvalidRequest("empty_field", "'message' must not be empty.", "message")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidRequest(
            "message_too_long",
            f"'message' has {len(text)} characters; the limit is {MAX_MESSAGE_CHARS}.",
            "message",
            {"chars": len(text), "limit": MAX_MESSAGE_CHARS},
        )
    return text
