"""Runs the gateway: python -m bot.gateway (the `tuoyu run` supervisor starts it)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.gateway.app import create_app
from bot.logs import configure_logging
from bot.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        print=None,
        access_log=None,
        # A parent who closes the page stops the work done for them: the wait on Rasa is
        # cancelled with the request.
        handler_cancellation=True,
    )


if __name__ == "__main__":
    main()
