"""POST /api/chat and POST /api/forget: the web API's side of the chat service."""

from __future__ import annotations

import math

from aiohttp import web

from bot.gateway.client_address import client_address
from bot.gateway.keys import CHAT
from bot.gateway.service import ChatResult, sender_tag
from bot.gateway.validation import (
    InvalidRequest,
    parse_chat_request,
    parse_sender,
    read_json_object,
)
from bot.rasa_client import BackendUnavailable
from knowledge_base.language import Language


def _response(result: ChatResult) -> web.Response:
    if result.status == 200:
        return web.json_response({"replies": result.replies, "language": result.language})
    if result.status == 400:
        return web.json_response({"error": result.error}, status=400)
    body = {"error": result.error, "replies": result.replies, "language": result.language}
    headers = {"Retry-After": str(max(1, math.ceil(result.retry_after_s or 1)))}
    return web.json_response(body, status=result.status, headers=headers)


async def handle_chat(request: web.Request) -> web.Response:
    try:
        chat = parse_chat_request(await read_json_object(request))
    except InvalidRequest as invalid:
        return invalid.response()
    result = await request.app[CHAT].reply(
        chat.sender_id,
        chat.message,
        location=chat.location,
        address=client_address(request),
        channel=chat.channel,
    )
    return _response(result)


async def handle_forget(request: web.Request) -> web.Response:
    """A parent's "delete my data": the conversation and anything else kept about them."""
    try:
        sender = parse_sender(await read_json_object(request))
    except InvalidRequest as invalid:
        return invalid.response()
    service = request.app[CHAT]
    language: Language = service.languages.get(sender) or "zh"
    try:
        forgotten = await service.forget(sender)
    except BackendUnavailable as down:
        error = {
            "code": "backend_unavailable",
            "part": down.part,
            "message": "Nothing was erased: the conversation store cannot be reached. "
            "Try again shortly.",
        }
        request.app.logger.warning("forget %s: %s", sender_tag(sender), down)
        return web.json_response(
            {"error": error, "language": language}, status=503, headers={"Retry-After": "5"}
        )
    return web.json_response(forgotten.as_json())
