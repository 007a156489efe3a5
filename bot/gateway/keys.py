"""Typed keys for what the gateway app holds."""

from __future__ import annotations

from aiohttp import web

from bot.gateway.backends import BackendWatch
from bot.gateway.languages import ConversationLanguages
from bot.gateway.limits import ChatLimits
from bot.gateway.payloads import PayloadSigner
from bot.gateway.service import ChatService
from bot.rasa_client import RasaClient
from bot.settings import Settings
from bot.telegram.connector import TelegramConnector
from knowledge_base.registry.live import LiveRegistry
from knowledge_base.triage.decision import TriageDecider

SETTINGS = web.AppKey("settings", Settings)
RASA = web.AppKey("rasa", RasaClient)
BACKENDS = web.AppKey("backends", BackendWatch)
PAYLOADS = web.AppKey("payloads", PayloadSigner)
LIMITS = web.AppKey("limits", ChatLimits)
LANGUAGES = web.AppKey("languages", ConversationLanguages)
TRIAGE = web.AppKey("triage", TriageDecider)
LIVE_REGISTRY = web.AppKey("live_registry", LiveRegistry)
CHAT = web.AppKey("chat", ChatService)
# Only when TUOYU_TELEGRAM_TOKEN is set (bot/telegram/gateway.py).
TELEGRAM = web.AppKey("telegram", TelegramConnector)
