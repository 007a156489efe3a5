"""POST /api/feedback: a parent's 👍 ("up") or 👎 ("down") on an answer the bot gave them.

Body: {"sender_id", "token" (the `feedback` token that came with the answer), "rating"}.
One rating per answer; sending another changes it. A 👎 puts the question, masked, in the
review queue as "unhelpful" with the entry it got (bot/gateway/answer_feedback.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.gateway.answer_feedback import MAX_TOKEN_CHARS, FeedbackRefused
from bot.gateway.keys import CHAT
from bot.gateway.validation import InvalidRequest, parse_sender, read_json_object
from knowledge_base.review_queue import RATINGS, Rating


@dataclass(frozen=True)
class FeedbackRequest:
    sender_id: str
    token: str
    rating: Rating


def _text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        raise InvalidRequest("missing_field", f"'{name}' is required.", name)
    if not isinstance(value, str):
        raise InvalidRequest("wrong_type", f"'{name}' must be a string.", name)
    if not value.strip():
        raise InvalidRequest("empty_field", f"'{name}' must not be empty.", name)
    return value.strip()


def parse_feedback_request(body: dict[str, Any]) -> FeedbackRequest:
    sender = parse_sender(body)
    token = _text_field(body, "token")
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidRequest(
            "invalid_field",
            f"'token' is longer than any Tuoyu issues ({MAX_TOKEN_CHARS} characters).",
            "token",
        )
    rating = _text_field(body, "rating")
    if rating not in RATINGS:
        raise InvalidRequest("invalid_field", "'rating' must be up or down.", "rating")
    return FeedbackRequest(sender, token, "up" if rating == "up" else "down")


async def handle_feedback(request: web.Request) -> web.Response:
    try:
        rated = parse_feedback_request(await read_json_object(request))
    except InvalidRequest as invalid:
        return invalid.response()
    feedback = request.app[CHAT].feedback
    if feedback is None:
        body = {"error": {"code": "not_found", "message": "Ratings are not taken here."}}
        return web.json_response(body, status=404)
    try:
        change = await feedback.rate(rated.sender_id, rated.token, rated.rating)
    except FeedbackRefused as refused:
        error = {"code": refused.code, "message": refused.message}
        if refused.field:
            error["field"] = refused.field
        return web.json_response({"error": error}, status=refused.status)
    return web.json_response({"rating": change.rating, "previous": change.previous})
