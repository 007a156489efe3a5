"""The admin's view of how this service is configured, secrets shown only as set or not.

Settings come from the environment of the three processes (README "Settings") and change
with a restart; the page says which variable sets each one, so an admin can ask for a change
without reading code. Nothing here is editable: a value typed into a browser would reach only
the gateway, while Rasa and the action server kept the old one.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.console.guard import render, requires
from bot.gateway.keys import SETTINGS
from bot.settings import Settings


@dataclass(frozen=True)
class Shown:
    variable: str
    meaning: str
    value: str


def _secret(value: str | None) -> str:
    return "set" if value else "not set (generated into var/secrets/)"


def shown_settings(settings: Settings) -> dict[str, list[Shown]]:
    """The settings an admin may need, grouped, with secrets reduced to set / not set."""
    proxies = ", ".join(str(n) for n in settings.trusted_proxies) or "none"
    telegram = f"on ({settings.telegram_mode})" if settings.telegram_token else "off (no token set)"
    return {
        "Service": [
            Shown("TUOYU_PUBLIC_URL", "where parents reach Tuoyu", settings.public_url),
            Shown("TUOYU_HOST / TUOYU_PORT", "gateway address", f"{settings.host}:{settings.port}"),
            Shown("TUOYU_LOG_LEVEL", "log level", settings.log_level),
            Shown(
                "TUOYU_REQUEST_TIMEOUT", "seconds to wait for Rasa", str(settings.request_timeout_s)
            ),
        ],
        "Answers": [
            Shown(
                "TUOYU_CONFIDENCE_THRESHOLD",
                "similarity for a confident answer",
                str(settings.confidence_threshold),
            ),
            Shown(
                "TUOYU_MAYBE_THRESHOLD",
                "similarity for the middle tier",
                str(settings.maybe_threshold),
            ),
            Shown("TUOYU_CONTENT_DIR", "knowledge-base folder", str(settings.content_dir)),
        ],
        "Limits": [
            Shown(
                "TUOYU_RATE_PER_SENDER",
                "messages a minute per parent",
                str(settings.rate_per_sender),
            ),
            Shown(
                "TUOYU_RATE_PER_ADDRESS",
                "messages a minute per address",
                str(settings.rate_per_address),
            ),
            Shown("TUOYU_TRUSTED_PROXIES", "proxies whose X-Forwarded-For is believed", proxies),
        ],
        "Channels": [
            Shown(
                "TUOYU_WIDGET_ORIGINS",
                "sites that may embed the widget",
                ", ".join(settings.widget_origins),
            ),
            Shown("TUOYU_TELEGRAM_TOKEN", "Telegram", telegram),
        ],
        "Storage": [
            Shown(
                "TUOYU_DATABASE_URL",
                "registry database",
                "PostgreSQL"
                if settings.database_url.startswith("postgres")
                else "SQLite (embedded)",
            ),
            Shown(
                "TUOYU_TRACKER_STORE_URL",
                "conversation store",
                "external" if settings.tracker_store_url else "SQLite (embedded)",
            ),
            Shown("TUOYU_VAR_DIR", "data folder", str(settings.var_dir)),
        ],
        "Secrets": [
            Shown("TUOYU_RASA_TOKEN", "gateway ↔ Rasa token", _secret(settings.rasa_token_value)),
            Shown(
                "TUOYU_PAYLOAD_SECRET", "button-signing key", _secret(settings.payload_secret_value)
            ),
            Shown(
                "TUOYU_CONSOLE_SECRET", "console cookie key", _secret(settings.console_secret_value)
            ),
        ],
    }


@requires("admin")
async def settings_page(request: web.Request) -> web.StreamResponse:
    groups = shown_settings(request.config_dict[SETTINGS])
    return await render("settings.html", request, {"groups": groups})
