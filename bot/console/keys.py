"""Typed keys for what the console sub-app holds."""

from __future__ import annotations

from aiohttp import web

from bot.console.accounts import ConsoleAccounts
from bot.console.uploads import UploadStore

ACCOUNTS = web.AppKey("console_accounts", ConsoleAccounts)
UPLOADS = web.AppKey("console_uploads", UploadStore)
# On the gateway app: the console sub-app itself (tests list its routes from its router).
CONSOLE_APP = web.AppKey("console_app", web.Application)
