"""One chat service for every channel: the web API, the widget and Telegram.

A channel adapter only translates. It hands over who is talking (a sender id in its own
namespace), the parent's text, a button's payload or a shared location, and the address to
rate-limit on. The service does the rest: validation, masking, language, payload checking,
rate limits, the Rasa call, reply shaping, and the emergency answer when a back end is down.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.gateway.answer_feedback import AnswerFeedback, with_feedback_tokens
from bot.gateway.backends import BackendDown, BackendWatch
from bot.gateway.channels import channel_of
from bot.gateway.languages import ConversationLanguages
from bot.gateway.limits import IN_FLIGHT_WAIT_S, Busy, ChatLimits
from bot.gateway.messages import emergency_text, gateway_message
from bot.gateway.payloads import PayloadSigner, as_text
from bot.gateway.validation import InvalidRequest, clean_message
from bot.rasa_client import BackendUnavailable, RasaClient
from knowledge_base.danger_signs import reply_for_category
from knowledge_base.language import Language, detect_language
from knowledge_base.privacy import mask_personal_numbers
from knowledge_base.review_queue import ReviewQueue
from knowledge_base.triage.decision import CRISIS, EMERGENCY, TriageDecider, TriageOutcome

logger = logging.getLogger(__name__)

# A message the rules see as an emergency waits at most this long for Rasa (whose triage turn
# takes about 130 ms at p95) before the gateway gives the emergency answer itself.
URGENT_WAIT_S = 3.0

SHARE_LOCATION = "/share_location"


@dataclass(frozen=True)
class ChatResult:
    """What the bot says, and for the web API how to say it (status, error, Retry-After)."""

    replies: list[dict[str, Any]]
    language: Language
    status: int = 200
    error: dict[str, Any] | None = None
    retry_after_s: float | None = None


@dataclass(frozen=True)
class Forgotten:
    """What a "delete my data" erased."""

    conversation_events: int
    review_questions: int

    def as_json(self) -> dict[str, Any]:
        return {
            "forgotten": True,
            "conversation_events": self.conversation_events,
            "review_questions": self.review_questions,
        }


def sender_tag(sender_id: str) -> str:
    """What logs say instead of a sender id."""
    return hashlib.sha256(sender_id.encode()).hexdigest()[:10]


def location_payload(latitude: float, longitude: float) -> str:
    """The payload a shared location becomes (already rounded to about 100 m)."""
    return SHARE_LOCATION + json.dumps({"latitude": latitude, "longitude": longitude})


def _shape(raw: dict[str, Any], sender_id: str, signer: PayloadSigner) -> dict[str, Any]:
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


def _stamped(metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata with the moment the message leaves for Rasa (Unix seconds). Rasa stamps
    the user event only after NLU has read it, so the staff dashboard measures reply times
    from here (the gateway and Rasa share one machine's clock)."""
    return {**metadata, "sent_at": round(time.time(), 3)}


def _urgent(outcome: TriageOutcome | None) -> bool:
    return outcome is not None and outcome.outcome in (EMERGENCY, CRISIS)


@dataclass
class ChatService:
    rasa: RasaClient
    backends: BackendWatch
    triage: TriageDecider
    signer: PayloadSigner
    limits: ChatLimits
    languages: ConversationLanguages = field(default_factory=ConversationLanguages)
    review_queue_path: Path | None = None
    # 👍/👎 tokens on guidance answers (bot/gateway/answer_feedback.py); None: no ratings.
    feedback: AnswerFeedback | None = None

    async def reply(
        self,
        sender_id: str,
        message: Any = None,
        *,
        location: tuple[float, float] | None = None,
        address: str = "",
        channel: str | None = None,
    ) -> ChatResult:
        """One parent message (text, a payload Tuoyu issued, or a shared location) in, the
        bot's replies out. sender_id must already be valid for its channel; channel is what a
        web API client said it is ("widget"), Telegram is told by its sender ids."""
        if location is not None and message is None:
            message = location_payload(*location)
        try:
            message = clean_message(message)
        except InvalidRequest as invalid:
            known: Language = self.languages.get(sender_id) or "zh"
            text = gateway_message(invalid.code, known, **invalid.details)
            error = {"code": invalid.code, "message": invalid.message}
            if invalid.field:
                error["field"] = invalid.field
            return ChatResult([{"text": text, "buttons": []}], known, 400, error)
        # A shared location is turned into its payload by the channel itself; any other
        # payload must be one Tuoyu issued to this sender, or it is the parent's own words.
        if location is None:
            message = self.signer.verify(sender_id, message) or as_text(message)
        # Button payloads ("/ask_guidance{...}") are ours, not the parent's words.
        spoken = None if message.startswith("/") else detect_language(message)
        if spoken is not None:
            self.languages.remember(sender_id, spoken)
        language: Language = spoken or self.languages.get(sender_id) or "zh"
        # Only a language the message itself shows goes to Rasa; otherwise ("ok", "👍") the
        # conversation keeps the one it has, even across a gateway restart.
        metadata: dict[str, Any] = {"language": spoken} if spoken else {}
        # Stored with the user event in the tracker store: the staff dashboard counts
        # channels from there rather than from a second log that could drift.
        metadata["channel"] = channel_of(sender_id, channel)
        # The rules alone (the classifier's vectors come from Rasa), never on a payload.
        outcome = None if message.startswith("/") else self.triage.decide(message)
        wait_s = self.limits.wait_s(sender_id, address)
        if wait_s:
            logger.warning("chat %s: rate limited", sender_tag(sender_id))
            return self._said_by_gateway(outcome, language, "rate_limited", 429, wait_s)
        try:
            async with self.limits.in_flight.one(sender_id):
                text = mask_personal_numbers(message)
                return await self._relay(sender_id, text, metadata, outcome, language)
        except Busy:
            return self._said_by_gateway(outcome, language, "busy", 429, IN_FLIGHT_WAIT_S)

    async def forget(self, sender_id: str) -> Forgotten:
        """Erases what is stored about a sender: the conversation in Rasa's tracker store
        and the questions and answer ratings they left in the review queue. Raises
        BackendUnavailable when Rasa cannot be reached (nothing is then claimed to be
        erased)."""
        events = await self.rasa.forget(sender_id)
        questions = 0
        if self.review_queue_path is not None and self.review_queue_path.is_file():
            questions = ReviewQueue(self.review_queue_path).forget(sender_id)
        self.languages.forget(sender_id)
        logger.info("forgot %s: %d events, %d questions", sender_tag(sender_id), events, questions)
        return Forgotten(events, questions)

    def _said_by_gateway(
        self,
        outcome: TriageOutcome | None,
        language: Language,
        code: str,
        status: int,
        retry_after_s: float,
        part: str | None = None,
    ) -> ChatResult:
        """The gateway's own answer (back end down, too fast, busy); an emergency or a parent
        in crisis, as the rules read the message, still gets the emergency answer first."""
        text = gateway_message(code, language)
        replies = [{"text": text, "buttons": []}]
        if outcome is not None and _urgent(outcome):
            reply = reply_for_category(
                self.triage.rules, outcome.category, language, outcome.parent_in_crisis
            )
            replies.insert(0, {"text": emergency_text(reply, language), "buttons": []})
        error: dict[str, Any] = {"code": code, "message": text}
        if part:
            error["part"] = part
        return ChatResult(replies, language, status, error, retry_after_s)

    def _unavailable(
        self, outcome: TriageOutcome | None, language: Language, part: str
    ) -> ChatResult:
        return self._said_by_gateway(outcome, language, "unavailable", 503, 5, part)

    async def _relay(
        self,
        sender_id: str,
        text: str,
        metadata: dict[str, Any],
        outcome: TriageOutcome | None,
        language: Language,
    ) -> ChatResult:
        """The message to Rasa and its replies back, signed; the gateway's own answer when a
        back end is down."""
        started = time.perf_counter()
        try:
            raw_replies = await self.backends.unless_down(
                lambda: self.rasa.send_message(sender_id, text, _stamped(metadata)),
                URGENT_WAIT_S if _urgent(outcome) else None,
            )
        except (BackendUnavailable, BackendDown) as down:
            logger.warning("chat %s: %s", sender_tag(sender_id), down)
            return self._unavailable(outcome, language, down.part)
        replies = _merge_custom([_shape(r, sender_id, self.signer) for r in raw_replies])
        if self.feedback is not None:
            replies = self.feedback.attach(sender_id, replies)
        else:  # the answer markers are for the gateway, never for a client
            replies = with_feedback_tokens(replies, lambda marker: None)
        if not replies:
            # Rasa answers with nothing when a custom action failed, most often because the
            # action server is down: say so rather than leave the parent waiting.
            actions = await self.rasa.actions_state()
            if not actions.ok:
                logger.warning(
                    "chat %s: action server down (%s)", sender_tag(sender_id), actions.detail
                )
                return self._unavailable(outcome, language, "actions")
            replies = [{"text": gateway_message("no_reply", language), "buttons": []}]
        logger.info(
            "chat %s lang=%s chars=%d replies=%d %.0fms",
            sender_tag(sender_id),
            language,
            len(text),
            len(replies),
            (time.perf_counter() - started) * 1000,
        )
        return ChatResult(replies, language)
