"""Rasa's REST channel, open only to the gateway: every request must carry the shared secret.

The secret is the Rasa API token the runner keeps (TUOYU_RASA_TOKEN, never on a command
line); the gateway sends it in the X-Tuoyu-Secret header. Without it, anyone who could reach
Rasa's port could post messages under any sender id, skipping the gateway's checks.

It also answers POST /webhooks/tuoyu/forget {"sender": ...}: a parent's "delete my data",
relayed by the gateway, erases that conversation from the tracker store.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_addons.forget import UnsupportedTrackerStore, forget_conversation

logger = logging.getLogger(__name__)

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

        @webhook.route("/forget", methods=["POST"])
        async def forget(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender = body.get("sender")
            if not isinstance(sender, str) or not sender:
                return response.json({"error": "sender is required"}, status=400)
            agent = request.app.ctx.agent
            # Under the conversation's lock, so a message being handled cannot save the
            # tracker back after it was erased.
            async with agent.lock_store.lock(sender):
                try:
                    # Synchronous, as Rasa's own SQL tracker store calls are.
                    removed = forget_conversation(agent.tracker_store, sender)
                except UnsupportedTrackerStore as unsupported:
                    logger.error("Cannot erase from a %s tracker store", unsupported)
                    return response.json({"error": "unsupported tracker store"}, status=501)
            return response.json({"forgotten": removed})

        return webhook
