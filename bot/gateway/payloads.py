"""Button payloads only from Tuoyu: each one is signed for the sender it was issued to.

A payload such as `/ask_guidance{"kb_entry": "fever"}` makes Rasa set intents and entities
directly, so a client that could type one could restart a conversation (`/restart`), raise a
false alarm (`/emergency`) or put any value in a slot. The gateway signs every payload it
hands out with an HMAC over the sender id and the payload, and accepts back only payloads
carrying a valid signature for that sender. Anything else that starts with "/" is the
parent's own words and reaches Rasa as text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PAYLOAD_PREFIX = "/"
_SEPARATOR = "~"
_SIGNATURE_CHARS = 22  # 132 bits of the HMAC-SHA256, base64url
# What reaches Rasa instead of a leading "/" that Tuoyu did not issue: a full-width solidus,
# which Rasa's intent-payload syntax does not recognise.
_TEXT_SLASH = "／"


class PayloadSigner:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _signature(self, sender_id: str, payload: str) -> str:
        digest = hmac.new(self._key, f"{sender_id}\0{payload}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode()[:_SIGNATURE_CHARS]

    def issue(self, sender_id: str, payload: str) -> str:
        """The payload as the client gets it; plain-text suggestions are left alone."""
        if not payload.startswith(PAYLOAD_PREFIX):
            return payload
        return f"{payload}{_SEPARATOR}{self._signature(sender_id, payload)}"

    def verify(self, sender_id: str, message: str) -> str | None:
        """The payload, when message is one Tuoyu issued to this sender; otherwise None."""
        if not message.startswith(PAYLOAD_PREFIX) or _SEPARATOR not in message:
            return None
        payload, _, signature = message.rpartition(_SEPARATOR)
        expected = self._signature(sender_id, payload)
        return payload if hmac.compare_digest(signature, expected) else None


def as_text(message: str) -> str:
    """A message that starts with "/" but was not issued by Tuoyu, as text for Rasa."""
    return _TEXT_SLASH + message[1:] if message.startswith(PAYLOAD_PREFIX) else message
