"""Callback data for inline buttons: a short token that stands for what Tuoyu issued.

Telegram allows 64 bytes of callback data, less than a signed payload such as
`/ask_guidance{"kb_entry": "..."}~signature` or an answer's rating token. The payload (or the
rating token) stays here; the button carries a random token bound to the chat it was shown
in, so a crafted callback can set nothing.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict

from knowledge_base.review_queue import RATINGS, Rating

PREFIX = "b:"
# 👍/👎 under an answer: "r:up:<key>" and "r:down:<key>", one key for the pair.
RATING_PREFIX = "r:"


class _Bounded(OrderedDict[str, tuple[str, str]]):
    """When full, the oldest issued go first: old buttons expire, memory stays bounded."""

    def __init__(self, capacity: int) -> None:
        super().__init__()
        self.capacity = capacity

    def keep(self, value: tuple[str, str]) -> str:
        token = secrets.token_urlsafe(9)
        self[token] = value
        while len(self) > self.capacity:
            self.popitem(last=False)
        return token

    def forget(self, sender_id: str) -> None:
        for token in [t for t, (s, _) in self.items() if s == sender_id]:
            del self[token]


class ButtonStore:
    """Bounded maps from token to (sender id, payload) and from key to (sender id, an
    answer's rating token)."""

    def __init__(self, capacity: int = 100_000, rating_capacity: int = 20_000) -> None:
        self._payloads = _Bounded(capacity)
        self._ratings = _Bounded(rating_capacity)

    def issue(self, sender_id: str, payload: str) -> str:
        return PREFIX + self._payloads.keep((sender_id, payload))

    def payload(self, sender_id: str, data: str) -> str | None:
        """The payload behind callback data pressed in this chat, or None (forged, another
        chat's, or forgotten since)."""
        if not data.startswith(PREFIX):
            return None
        issued = self._payloads.get(data[len(PREFIX) :])
        if issued is None or issued[0] != sender_id:
            return None
        return issued[1]

    def issue_rating(self, sender_id: str, feedback_token: str) -> str:
        """The key of a 👍/👎 pair for one answer (see rating_data)."""
        return self._ratings.keep((sender_id, feedback_token))

    def rating(self, sender_id: str, data: str) -> tuple[str, str, Rating] | None:
        """(key, the answer's rating token, the rating) behind 👍/👎 callback data pressed in
        this chat, or None."""
        if not data.startswith(RATING_PREFIX):
            return None
        rating, _, key = data[len(RATING_PREFIX) :].partition(":")
        issued = self._ratings.get(key)
        if rating not in RATINGS or issued is None or issued[0] != sender_id:
            return None
        return key, issued[1], "up" if rating == "up" else "down"

    def forget(self, sender_id: str) -> None:
        self._payloads.forget(sender_id)
        self._ratings.forget(sender_id)


def rating_data(key: str, rating: Rating) -> str:
    return f"{RATING_PREFIX}{rating}:{key}"
