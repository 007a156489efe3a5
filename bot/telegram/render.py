"""The chat service's replies as Telegram messages: text chunks, inline keyboards, links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.telegram.buttons import RATING_PREFIX, ButtonStore, rating_data
from bot.telegram.texts import text
from knowledge_base.language import Language
from knowledge_base.review_queue import RATINGS, Rating

# Telegram refuses longer messages (4,096 characters after entity parsing; no parse mode is
# used, so characters are what count).
TEXT_LIMIT = 4096
# Titles longer than this are cut: a button shows about this much on a phone.
BUTTON_TITLE_CHARS = 60

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


@dataclass(frozen=True)
class Outgoing:
    """One sendMessage: plain text (never parsed as HTML or Markdown) and its keyboard."""

    text: str
    markup: Markup | None = None


def split_text(message: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Chunks under Telegram's limit, cut at paragraphs, then lines, then anywhere."""
    chunks: list[str] = []
    rest = message.strip()
    while len(rest) > limit:
        window = rest[:limit]
        # A paragraph or line break in the second half of the window, else a hard cut.
        cut = window.rfind("\n\n")
        if cut < limit // 2:
            cut = window.rfind("\n")
        if cut < limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def absolute_url(url: Any, public_url: str) -> str | None:
    """An http(s) link, or the gateway's own /map path made absolute; anything else: None."""
    url = str(url or "")
    if url.startswith("/map"):
        url = public_url.rstrip("/") + url
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def render(
    replies: list[dict[str, Any]],
    sender_id: str,
    buttons: ButtonStore,
    language: Language,
    public_url: str,
) -> list[Outgoing]:
    outgoing: list[Outgoing] = []
    for reply in replies:
        rows: list[list[InlineKeyboardButton]] = []
        for button in reply.get("buttons") or []:
            title = str(button.get("title") or "")[:BUTTON_TITLE_CHARS]
            data = buttons.issue(sender_id, str(button.get("payload") or title))
            rows.append([InlineKeyboardButton(title or "…", callback_data=data)])
        asks_location = False
        for extra in reply.get("extras") or []:
            if not isinstance(extra, dict):
                continue
            if extra.get("type") == "link":
                url = absolute_url(extra.get("url"), public_url)
                if url:
                    title = str(extra.get("title") or url)[:BUTTON_TITLE_CHARS]
                    rows.append([InlineKeyboardButton(title, url=url)])
            elif extra.get("type") == "request_location":
                asks_location = True
        if isinstance(reply.get("feedback"), str):
            rows.append(rating_row(buttons.issue_rating(sender_id, reply["feedback"]), language))
        chunks = split_text(str(reply.get("text") or "")) or (["👇"] if rows else [])
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            outgoing.append(Outgoing(chunk, InlineKeyboardMarkup(rows) if last and rows else None))
        if asks_location:
            keyboard = ReplyKeyboardMarkup(
                [[KeyboardButton(text("share_location", language), request_location=True)]],
                resize_keyboard=True,
                one_time_keyboard=True,
            )
            outgoing.append(Outgoing(text("share_location_hint", language), keyboard))
    return outgoing


def rating_row(
    key: str, language: Language, chosen: Rating | None = None
) -> list[InlineKeyboardButton]:
    """👍 and 👎 under an answer; the parent's choice is ticked (they can still change it)."""
    return [
        InlineKeyboardButton(
            text(f"rate_{rating}", language) + (" ✓" if rating == chosen else ""),
            callback_data=rating_data(key, rating),
        )
        for rating in RATINGS
    ]


def with_rating_chosen(
    keyboard: InlineKeyboardMarkup | None, key: str, chosen: Rating, language: Language
) -> InlineKeyboardMarkup:
    """The message's keyboard with this answer's 👍/👎 row showing the choice; its other
    buttons are kept as they were."""
    marked = rating_row(key, language, chosen)
    rows: list[list[InlineKeyboardButton]] = []
    for row in keyboard.inline_keyboard if keyboard else ():
        ours = any(
            str(b.callback_data or "").startswith(RATING_PREFIX)
            and str(b.callback_data).endswith(f":{key}")
            for b in row
        )
        rows.append(marked if ours else list(row))
    if marked not in rows:
        rows.append(marked)
    return InlineKeyboardMarkup(rows)
