"""Callback data for inline buttons: a short token that stands for a payload Tuoyu issued.

Telegram allows 64 bytes of callback data, less than a signed payload such as
`/ask_guidance{"kb_entry": "..."}~signature`. The payload stays here; the button carries a
random token bound to the chat it was shown in, so a crafted callback can set nothing.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict

PREFIX = "b:"


class ButtonStore:
    """A bounded, most-recently-issued map from token to (sender id, payload)."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._payloads: OrderedDict[str, tuple[str, str]] = OrderedDict()

    def issue(self, sender_id: str, payload: str) -> str:
        token = secrets.token_urlsafe(9)
        self._payloads[token] = (sender_id, payload)
        while len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        return PREFIX + token

    def payload(self, sender_id: str, data: str) -> str | None:
        """The payload behind callback data pressed in this chat, or None (forged, another
        chat's, or forgotten since)."""
        if not data.startswith(PREFIX):
            return None
        issued = self._payloads.get(data[len(PREFIX) :])
        if issued is None or issued[0] != sender_id:
            return None
        return issued[1]

    def forget(self, sender_id: str) -> None:
        for token in [t for t, (s, _) in self._payloads.items() if s == sender_id]:
            del self._payloads[token]
