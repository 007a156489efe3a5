"""Which channel a parent's message came through: the web page, the widget or Telegram.

The chat service sends it to Rasa as message metadata, so it is stored with the user event in
the tracker store, where the staff dashboard counts it (bot/console/dashboard_stats.py).
"""

from __future__ import annotations

WEB = "web"
WIDGET = "widget"
TELEGRAM = "telegram"
CHANNELS = (WEB, WIDGET, TELEGRAM)
# The channels a client of the web API may name (the widget says so; the page says nothing).
WEB_API_CHANNELS = (WEB, WIDGET)
# Telegram chats are senders "tg:<chat id>" (bot/telegram/connector.py); the web API refuses
# that namespace, so the prefix alone tells a Telegram conversation.
TELEGRAM_SENDER_PREFIX = "tg:"


def channel_of(sender_id: str, claimed: str | None = None) -> str:
    """The channel of a message: Telegram by its sender namespace, else what the web API
    client said (the widget sends "widget"), else the web page."""
    if sender_id.startswith(TELEGRAM_SENDER_PREFIX):
        return TELEGRAM
    return claimed if claimed in WEB_API_CHANNELS else WEB
