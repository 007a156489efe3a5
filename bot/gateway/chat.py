"""POST /api/chat: one parent message in, the bot's replies out."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import Any

from aiohttp import web

from bot.gateway.backends import BackendDown
from bot.gateway.keys import BACKENDS, LANGUAGES, LIMITS, PAYLOADS, RASA, TRIAGE
from bot.gateway.limits import IN_FLIGHT_WAIT_S, Busy
from bot.gateway.messages import emergency_text, gateway_message
from bot.gateway.payloads import PayloadSigner, as_text
from bot.gateway.validation import InvalidRequest, parse_chat_request, read_json_object
from bot.rasa_client import BackendUnavailable
from knowledge_base.danger_signs import reply_for_category
from knowledge_base.language import Language, detect_language
from knowledge_base.privacy import mask_personal_numbers
from knowledge_base.triage.decision import CRISIS, EMERGENCY, TriageOutcome

logger = logging.getLogger(__name__)

# A message the rules see as an emergency waits at most this long for Rasa (whose triage turn
# takes about 130 ms at p95) before the gateway gives the emergency answer itself.
URGENT_WAIT_S = 3.0


def _reply(raw: dict[str, Any], sender_id: str, signer: PayloadSigner) -> dict[str, Any]:
    buttons = [
        {
            "title": str(b.get("title", "")),
            "payload": signer.issue(sender_id, str(b.get("payload", ""))),
        }
        for b in raw.get("buttons") or []
        if isinstance(b, dict)
    ]
    reply: dict[str, Any] = {"text": str(raw.get("text") or ""), "buttons": buttons}
    for key in ("image", "custom"):
        if raw.get(key):
            reply[key] = raw[key]
    return reply


def _merge_custom(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa sends a custom payload (a map link, a location request) as a reply of its own;
    channels show it with the text before it, so it travels with that reply."""
    merged: list[dict[str, Any]] = []
    for reply in replies:
        if merged and not reply["text"] and not reply["buttons"] and reply.get("custom"):
            merged[-1].setdefault("extras", []).append(reply["custom"])
            continue
        merged.append(reply)
    return merged


def _rules_decision(request: web.Request, message: str) -> TriageOutcome | None:
    """The rules alone (the classifier's vectors come from Rasa); a button payload is ours,
    not the parent's words, and is never read for danger signs."""
    return None if message.startswith("/") else request.app[TRIAGE].decide(message)


def _urgent(outcome: TriageOutcome | None) -> bool:
    return outcome is not None and outcome.outcome in (EMERGENCY, CRISIS)


def _said_by_gateway(
    request: web.Request,
    outcome: TriageOutcome | None,
    language: Language,
    *,
    key: str,
    status: int,
    error: dict[str, str],
    retry_after_s: float,
) -> web.Response:
    """The gateway's own answer (back end down, too fast, busy); an emergency or a parent in
    crisis, as the rules read the message, still gets the emergency answer first."""
    text = gateway_message(key, language)
    replies = [{"text": text, "buttons": []}]
    if outcome is not None and _urgent(outcome):
        reply = reply_for_category(request.app[TRIAGE].rules, outcome.category, language)
        replies.insert(0, {"text": emergency_text(reply, language), "buttons": []})
    body = {"error": {**error, "message": text}, "replies": replies, "language": language}
    headers = {"Retry-After": str(max(1, math.ceil(retry_after_s)))}
    return web.json_response(body, status=status, headers=headers)


def _unavailable(
    request: web.Request, outcome: TriageOutcome | None, language: Language, part: str
) -> web.Response:
    error = {"code": "backend_unavailable", "part": part}
    return _said_by_gateway(
        request, outcome, language, key="unavailable", status=503, error=error, retry_after_s=5
    )


def _sender_tag(sender_id: str) -> str:
    return hashlib.sha256(sender_id.encode()).hexdigest()[:10]


async def handle_chat(request: web.Request) -> web.Response:
    try:
        chat = parse_chat_request(await read_json_object(request))
    except InvalidRequest as invalid:
        return invalid.response()
    languages = request.app[LANGUAGES]
    signer = request.app[PAYLOADS]
    # A shared location is turned into its payload by the gateway itself; any other payload
    # must be one Tuoyu issued to this sender, or it is the parent's own words.
    if chat.location is not None:
        message = chat.message
    else:
        message = signer.verify(chat.sender_id, chat.message) or as_text(chat.message)
    # Button payloads ("/ask_guidance{...}") are ours, not the parent's words.
    spoken = None if message.startswith("/") else detect_language(message)
    if spoken is not None:
        languages.remember(chat.sender_id, spoken)
    language: Language = spoken or languages.get(chat.sender_id) or "zh"
    # Only a language the message itself shows goes to Rasa; otherwise ("ok", "👍") the
    # conversation keeps the one it has, even across a gateway restart.
    metadata = {"language": spoken} if spoken else {}
    text = mask_personal_numbers(message)
    outcome = _rules_decision(request, message)
    limits = request.app[LIMITS]
    wait_s = limits.wait_s(chat.sender_id, request.remote or "")
    if wait_s:
        logger.warning("chat %s: rate limited", _sender_tag(chat.sender_id))
        return _said_by_gateway(
            request, outcome, language, key="rate_limited", status=429,
            error={"code": "rate_limited"}, retry_after_s=wait_s,
        )  # fmt: skip
    try:
        async with limits.in_flight.one(chat.sender_id):
            return await _relay(request, chat.sender_id, text, metadata, outcome, language)
    except Busy:
        return _said_by_gateway(
            request, outcome, language, key="busy", status=429,
            error={"code": "busy"}, retry_after_s=IN_FLIGHT_WAIT_S,
        )  # fmt: skip


async def _relay(
    request: web.Request,
    sender_id: str,
    text: str,
    metadata: dict[str, Any],
    outcome: TriageOutcome | None,
    language: Language,
) -> web.Response:
    """The message to Rasa and its replies back, signed; the gateway's own answer when a back
    end is down."""
    started = time.perf_counter()
    rasa = request.app[RASA]
    signer = request.app[PAYLOADS]
    try:
        raw_replies = await request.app[BACKENDS].unless_down(
            lambda: rasa.send_message(sender_id, text, metadata),
            URGENT_WAIT_S if _urgent(outcome) else None,
        )
    except (BackendUnavailable, BackendDown) as down:
        logger.warning("chat %s: %s", _sender_tag(sender_id), down)
        return _unavailable(request, outcome, language, down.part)
    replies = _merge_custom([_reply(r, sender_id, signer) for r in raw_replies])
    if not replies:
        # Rasa answers with nothing when a custom action failed, most often because the
        # action server is down: say so rather than leave the parent waiting.
        actions = await rasa.actions_state()
        if not actions.ok:
            logger.warning(
                "chat %s: action server down (%s)", _sender_tag(sender_id), actions.detail
            )
            return _unavailable(request, outcome, language, "actions")
        replies = [{"text": gateway_message("no_reply", language), "buttons": []}]
    logger.info(
        "chat %s lang=%s chars=%d replies=%d %.0fms",
        _sender_tag(sender_id),
        language,
        len(text),
        len(replies),
        (time.perf_counter() - started) * 1000,
    )
    return web.json_response({"replies": replies, "language": language})
