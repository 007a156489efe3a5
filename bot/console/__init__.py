"""The staff console: an aiohttp sub-app at /admin/ (see docs/console.md)."""

from __future__ import annotations

from bot.console.app import setup_console

__all__ = ["setup_console"]
