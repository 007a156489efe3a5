"""Rasa's REST channel, open only to the gateway: every request must carry the shared secret.

The secret is the Rasa API token the runner keeps (TUOYU_RASA_TOKEN, never on a command
line); the gateway sends it in the X-Tuoyu-Secret header. Without it, anyone who could reach
Rasa's port could post messages under any sender id, skipping the gateway's checks.
"""

from __future__ import annotations

import hmac
import os
from typing import Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

SECRET_HEADER = "X-Tuoyu-Secret"


class SecureRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "tuoyu"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        secret = os.environ.get("TUOYU_RASA_TOKEN", "")

        @webhook.middleware("request")
        async def require_secret(request: Request) -> Optional[HTTPResponse]:
            given = request.headers.get(SECRET_HEADER, "")
            if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
                return response.json({"error": "forbidden"}, status=403)
            return None

        return webhook
