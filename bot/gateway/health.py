"""GET /healthz: 200 only when Rasa and the action server both answer.

The Telegram connector's state is reported too, but does not make the gateway unhealthy: the
web chat works without it, and a supervisor restarting the gateway would not bring Telegram's
servers back."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from bot.gateway.keys import BACKENDS, RASA, TELEGRAM


async def handle_healthz(request: web.Request) -> web.Response:
    rasa = request.app[RASA]
    rasa_state, actions_state = await asyncio.gather(rasa.rasa_state(), rasa.actions_state())
    request.app[BACKENDS].update(rasa_state, actions_state)
    ok = rasa_state.ok and actions_state.ok
    parts: dict[str, Any] = {
        "gateway": {"ok": True, "detail": "ok"},
        "rasa": rasa_state.as_json(),
        "actions": actions_state.as_json(),
    }
    telegram = request.app.get(TELEGRAM)
    if telegram is not None:
        parts["telegram"] = telegram.state.as_json()
    body = {
        "status": "ok" if ok else "unavailable",
        "parts": parts,
    }
    return web.json_response(body, status=200 if ok else 503)
