"""Typed keys for what the console sub-app holds."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.console.accounts import ConsoleAccounts
from bot.console.kb_desk import KnowledgeBaseDesk
from bot.console.review_model import EntryCatalog, ReviewModel
from bot.console.uploads import UploadStore
from knowledge_base.embedding import Embedder

ACCOUNTS = web.AppKey("console_accounts", ConsoleAccounts)
UPLOADS = web.AppKey("console_uploads", UploadStore)
KB = web.AppKey("console_kb", KnowledgeBaseDesk)
# How the console gets its embedding model: set when the console is built (the real model,
# loaded on first use); tests put a small deterministic one here before the app starts.
KB_EMBEDDER: web.AppKey[Callable[[], Embedder]] = web.AppKey("console_kb_embedder")
# The review queue's share of the embedding model and live guidance, and the entries it
# links questions to (bot/console/review_model.py).
REVIEW_MODEL = web.AppKey("console_review_model", ReviewModel)
ENTRY_CATALOG = web.AppKey("console_entry_catalog", EntryCatalog)
# On the gateway app: the console sub-app itself (tests list its routes from its router).
CONSOLE_APP = web.AppKey("console_app", web.Application)
