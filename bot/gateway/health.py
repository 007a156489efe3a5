"""GET /healthz: 200 only when Rasa and the action server both answer."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.gateway.keys import BACKENDS, RASA


async def handle_healthz(request: web.Request) -> web.Response:
    rasa = request.app[RASA]
    rasa_state, actions_state = await asyncio.gather(rasa.rasa_state(), rasa.actions_state())
    request.app[BACKENDS].update(rasa_state, actions_state)
    ok = rasa_state.ok and actions_state.ok
    body = {
        "status": "ok" if ok else "unavailable",
        "parts": {
            "gateway": {"ok": True, "detail": "ok"},
            "rasa": rasa_state.as_json(),
            "actions": actions_state.as_json(),
        },
    }
    return web.json_response(body, status=200 if ok else 503)
