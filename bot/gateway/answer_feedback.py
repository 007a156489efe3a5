"""👍 and 👎 on answers: a rating token goes out with each guidance answer, ratings come back.

The action server marks a knowledge-base answer with a custom payload of type
ANSWER_MARKER (actions/guidance.py: the entry, the language, the question). The chat service
turns that marker into a `feedback` token on the reply it came with; the marker itself never
reaches a client. The token is signed (HMAC-SHA256 with a key derived from the payload
secret) and carries a random answer id, the entry, the language, the question (masked, as
the bot saw it) and when it was issued, bound to the sender it was given to. So a client can
only rate an answer it was actually given, within TOKEN_TTL_S; the server keeps nothing until
a rating arrives, and a restart does not invalidate tokens.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge_base.language import Language
from knowledge_base.privacy import mask_personal_numbers
from knowledge_base.review_queue import AnswerRating, Rating, RatingChange, ReviewQueue

ANSWER_MARKER = "guidance_answer"
# Long enough to rate an answer when coming back to the page (the widget keeps its history
# across visits), short enough that an old token is not a standing licence.
TOKEN_TTL_S = 7 * 24 * 3600
# A question longer than this is kept to its start: staff see what it was about, and a
# token stays small (Telegram keeps them in memory).
MAX_RATED_QUESTION_CHARS = 500
MAX_TOKEN_CHARS = 4096
_TOKEN_VERSION = 1
_SIGNATURE_CHARS = 22  # 132 bits of the HMAC, as for button payloads
_ENTRY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Clocks of one machine; a token "from the future" beyond this was not made here.
_CLOCK_SKEW_S = 300


class FeedbackRefused(Exception):
    """A rating that cannot be taken; status, code and message say why."""

    def __init__(self, status: int, code: str, message: str, field: str | None = "token"):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class RatedAnswer:
    """What a rating token says about the answer it came with."""

    answer_id: str
    entry_id: str
    language: Language
    question: str
    issued_at: int


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _invalid() -> FeedbackRefused:
    return FeedbackRefused(
        400,
        "invalid_token",
        "'token' is not a rating token Tuoyu issued; send the feedback token that came with "
        "the answer.",
    )


class FeedbackTokens:
    """Signs and reads rating tokens. Stateless: everything is in the token."""

    def __init__(
        self, secret: str, *, ttl_s: int = TOKEN_TTL_S, clock: Callable[[], float] = time.time
    ) -> None:
        # Its own key: a rating token can never pass as a signed button payload, or back.
        self._key = hmac.new(secret.encode(), b"tuoyu answer feedback v1", hashlib.sha256).digest()
        self._ttl_s = ttl_s
        self._clock = clock

    def _mac(self, *parts: str) -> bytes:
        return hmac.new(self._key, "\0".join(parts).encode(), hashlib.sha256).digest()

    @staticmethod
    def _sender_tag(sender_id: str) -> str:
        """Says whom a token was given to, so that another sender's token is refused as
        such, not as a forgery. Not keyed: a token from before a key change is then refused
        as what it is (not signed by this gateway). A one-way hash of a random id."""
        return _b64(hashlib.sha256(f"tuoyu sender\0{sender_id}".encode()).digest())[:11]

    def issue(self, sender_id: str, entry_id: str, language: Language, question: str) -> str:
        fields = [
            _TOKEN_VERSION,
            secrets.token_urlsafe(12),
            self._sender_tag(sender_id),
            entry_id,
            language,
            int(self._clock()),
            mask_personal_numbers(question.strip())[:MAX_RATED_QUESTION_CHARS],
        ]
        body = _b64(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode())
        return f"{body}.{_b64(self._mac('token', sender_id, body))[:_SIGNATURE_CHARS]}"

    def read(self, sender_id: str, token: str) -> RatedAnswer:
        """The answer a token stands for, when this sender was given it and it is still
        valid; FeedbackRefused otherwise."""
        body, dot, signature = token.partition(".")
        try:
            fields = json.loads(_unb64(body)) if dot and len(token) <= MAX_TOKEN_CHARS else None
        except (ValueError, binascii.Error):
            fields = None
        parsed = _parsed(fields)
        if parsed is None:
            raise _invalid()
        answer, tag = parsed
        if tag != self._sender_tag(sender_id):
            raise FeedbackRefused(
                403,
                "not_your_answer",
                "This answer was given in another conversation; only the parent it was given "
                "to can rate it.",
            )
        expected = _b64(self._mac("token", sender_id, body))[:_SIGNATURE_CHARS]
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            raise _invalid()
        age = self._clock() - answer.issued_at
        if age < -_CLOCK_SKEW_S:
            raise _invalid()
        if age > self._ttl_s:
            raise FeedbackRefused(
                400,
                "token_expired",
                f"This answer is too old to rate: answers can be rated for "
                f"{self._ttl_s // 86400 or 1} days after they are given.",
            )
        return answer


def _parsed(fields: Any) -> tuple[RatedAnswer, str] | None:
    """The token's fields as an answer and the tag of the sender it was given to, or None
    when they are not what issue() writes."""
    if not isinstance(fields, list) or len(fields) != 7 or fields[0] != _TOKEN_VERSION:
        return None
    _, answer_id, tag, entry_id, language, issued_at, question = fields
    if not (
        isinstance(answer_id, str)
        and isinstance(tag, str)
        and isinstance(entry_id, str)
        and _ENTRY_ID.match(entry_id)
        and language in ("zh", "en")
        and isinstance(issued_at, int)
        and isinstance(question, str)
    ):
        return None
    lang: Language = "en" if language == "en" else "zh"
    return RatedAnswer(answer_id, entry_id, lang, question, issued_at), tag


def _marker(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict) and value.get("type") == ANSWER_MARKER:
        return value
    return None


class AnswerFeedback:
    """Rating tokens out with guidance answers; ratings into the review queue."""

    def __init__(self, tokens: FeedbackTokens, review_queue_path: Path) -> None:
        self.tokens = tokens
        self._queue_path = review_queue_path
        self._queue: ReviewQueue | None = None

    def attach(self, sender_id: str, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replies with each answer marker replaced by a `feedback` token on its reply."""
        return with_feedback_tokens(replies, lambda marker: self._issue(sender_id, marker))

    def _issue(self, sender_id: str, marker: dict[str, Any]) -> str | None:
        entry_id, language = marker.get("entry_id"), marker.get("language")
        if not isinstance(entry_id, str) or not _ENTRY_ID.match(entry_id):
            return None
        if language not in ("zh", "en"):
            return None
        question = marker.get("question")
        return self.tokens.issue(
            sender_id,
            entry_id,
            "en" if language == "en" else "zh",
            question if isinstance(question, str) else "",
        )

    async def rate(self, sender_id: str, token: str, rating: Rating) -> RatingChange:
        """Keeps the rating (one per answer; a new one replaces the old). Raises
        FeedbackRefused for a token this sender was not given or that has expired."""
        answer = self.tokens.read(sender_id, token)
        rated = AnswerRating(
            answer_id=answer.answer_id,
            asker=sender_id,
            rating=rating,
            question=answer.question,
            language=answer.language,
            entry_id=answer.entry_id,
        )
        return await asyncio.to_thread(lambda: self._review_queue().rate(rated))

    def _review_queue(self) -> ReviewQueue:
        # Opened on the first rating: a gateway nobody rates never creates the file.
        if self._queue is None:
            self._queue = ReviewQueue(self._queue_path)
        return self._queue


def with_feedback_tokens(
    replies: list[dict[str, Any]], token_for: Callable[[dict[str, Any]], str | None]
) -> list[dict[str, Any]]:
    """Takes the answer markers out of replies (from their extras, or a reply of its own) and
    puts token_for(marker) on the reply each came with. Without a token (no feedback here, a
    malformed marker) the marker simply disappears: it is never shown."""
    shaped: list[dict[str, Any]] = []
    for reply in replies:
        extras = reply.get("extras") or []
        markers = [m for m in (*map(_marker, extras), _marker(reply.get("custom"))) if m]
        if not markers:
            shaped.append(reply)
            continue
        kept = {k: v for k, v in reply.items() if k not in ("extras", "custom")}
        if others := [e for e in extras if _marker(e) is None]:
            kept["extras"] = others
        if reply.get("custom") is not None and _marker(reply["custom"]) is None:
            kept["custom"] = reply["custom"]
        for marker in markers:
            if (token := token_for(marker)) is not None:
                kept["feedback"] = token
        if kept.get("text") or kept.get("buttons") or len(kept) > 2:
            shaped.append(kept)
    return shaped
