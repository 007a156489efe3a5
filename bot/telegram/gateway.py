"""The Telegram connector inside the gateway process: started with it, and its webhook route."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.gateway.keys import CHAT, SETTINGS, TELEGRAM
from bot.telegram.connector import SECRET_HEADER, TelegramConnector

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
MAX_UPDATE_BYTES = 64 * 1024


def setup_telegram(app: web.Application) -> None:
    """Runs the connector when TUOYU_TELEGRAM_TOKEN is set; must come after the chat service's
    cleanup context (it uses the service)."""
    settings = app[SETTINGS]
    if not settings.telegram_token:
        return

    async def connector(app: web.Application) -> AsyncIterator[None]:
        telegram = TelegramConnector(settings, app[CHAT])
        app[TELEGRAM] = telegram
        telegram.start()
        yield
        await telegram.stop()

    app.cleanup_ctx.append(connector)
    if settings.telegram_mode == "webhook":
        app.router.add_post(WEBHOOK_PATH, handle_webhook)


async def handle_webhook(request: web.Request) -> web.Response:
    """Telegram's webhook: only with the secret token set when the webhook was registered."""
    telegram = request.app.get(TELEGRAM)
    if telegram is None or not telegram.secret_matches(request.headers.get(SECRET_HEADER, "")):
        return web.json_response({"error": {"code": "forbidden"}}, status=403)
    if request.content_length is not None and request.content_length > MAX_UPDATE_BYTES:
        return web.json_response({"error": {"code": "body_too_large"}}, status=413)
    try:
        update = await request.json()
    except ValueError:
        return web.json_response({"error": {"code": "invalid_json"}}, status=400)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return web.json_response({"error": {"code": "invalid_update"}}, status=400)
    await telegram.feed(update)
    return web.json_response({"ok": True})
