"""The Telegram connector: python-telegram-bot v22 over the chat service.

It only translates. Text, button presses and shared locations go to the chat service under
the sender id `tg:<chat id>` (a namespace the web API may not use); the service's replies come
back as Telegram messages, a knowledge-base answer with 👍/👎 buttons whose presses go to the
service's answer feedback. Commands (/start, /help, /lang, /reset, /privacy, /delete) and media
Tuoyu cannot read are answered here.

Sending goes through PTB's rate limiter (about 30 messages/s overall, bursts of 3 then about
1/s per chat, 429 retried after `retry_after`). 5xx answers and timeouts are retried with
backoff; a reply that still cannot go is replaced by a "please try again", never dropped
silently. When the Bot API cannot be reached, at start or later, the connector keeps retrying
with backoff and reports its state on /healthz; the web chat is not affected.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.gateway.answer_feedback import FeedbackRefused
from bot.gateway.service import ChatResult, ChatService, sender_tag
from bot.gateway.validation import rounded_location
from bot.rasa_client import BackendUnavailable
from bot.settings import Settings
from bot.telegram.buttons import RATING_PREFIX, ButtonStore
from bot.telegram.render import Outgoing, render, with_rating_chosen
from bot.telegram.texts import language_of, text
from knowledge_base.language import Language

logger = logging.getLogger(__name__)

SENDER_PREFIX = "tg:"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
# Retries of one message after a 5xx or a timeout (seconds to wait before each).
SEND_RETRY_DELAYS_S = (1.0, 2.0, 4.0)
MAX_BACKOFF_S = 60.0


def sender_of(chat_id: int) -> str:
    return f"{SENDER_PREFIX}{chat_id}"


def _seconds(retry_after: RetryAfter) -> float:
    value: Any = retry_after.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class ChatPacedRateLimiter(AIORateLimiter):
    """PTB's limiter (overall and group limits, 429 retries) plus a per-chat pace for
    private chats, which PTB leaves unlimited: bursts of 3, then one message a second."""

    def __init__(self, chats: int = 10_000, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._chats = chats
        self._per_chat: OrderedDict[int, AsyncLimiter] = OrderedDict()

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._per_chat.pop(chat_id, None) or AsyncLimiter(3, 3)
        self._per_chat[chat_id] = limiter
        while len(self._per_chat) > self._chats:
            self._per_chat.popitem(last=False)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        try:
            chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            chat_id = 0
        if chat_id > 0 and endpoint == "sendMessage":
            async with self._chat_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


@dataclass(frozen=True)
class ConnectorState:
    ok: bool
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail}


class TelegramConnector:
    def __init__(
        self,
        settings: Settings,
        service: ChatService,
        *,
        min_backoff_s: float = 1.0,
        probe_interval_s: float = 15.0,
        retry_delays_s: tuple[float, ...] = SEND_RETRY_DELAYS_S,
    ) -> None:
        if not settings.telegram_token:
            raise ValueError("TUOYU_TELEGRAM_TOKEN is not set")
        if settings.telegram_mode == "webhook" and not (
            settings.telegram_webhook_url and settings.telegram_webhook_secret
        ):
            raise ValueError(
                "Webhook mode needs TUOYU_TELEGRAM_WEBHOOK_URL and TUOYU_TELEGRAM_WEBHOOK_SECRET"
            )
        self.settings = settings
        self.service = service
        self.buttons = ButtonStore()
        self.state = ConnectorState(False, "starting")
        self._min_backoff_s = min_backoff_s
        self._probe_interval_s = probe_interval_s
        self._retry_delays_s = retry_delays_s
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._task: asyncio.Task[None] | None = None
        self._started = False
        builder = (
            ApplicationBuilder()
            .token(settings.telegram_token)
            .base_url(settings.telegram_api_url)
            .rate_limiter(
                ChatPacedRateLimiter(overall_max_rate=30, overall_time_period=1, max_retries=3)
            )
            .concurrent_updates(64)
            .connect_timeout(5)
            .read_timeout(15)
            .write_timeout(15)
            .get_updates_read_timeout(20)
        )
        if settings.telegram_mode == "webhook":
            builder = builder.updater(None)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self._add_handlers()

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Connects in the background, retrying with backoff until the Bot API answers."""
        self._task = asyncio.create_task(self._run(), name="telegram-connector")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        await self._shut_down()

    async def _run(self) -> None:
        delay = self._min_backoff_s
        while not self._started:
            try:
                await self._start_once()
            except TelegramError as error:
                self.state = ConnectorState(False, f"Bot API unreachable ({_name(error)})")
                logger.warning(
                    "telegram: cannot start (%s); retrying in %.0f s", _name(error), delay
                )
                await self._shut_down()
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)
        while True:
            await asyncio.sleep(self._probe_interval_s)
            await self._probe()

    async def _start_once(self) -> None:
        application = self.application
        await application.initialize()
        if self.settings.telegram_mode == "webhook":
            await application.bot.set_webhook(
                url=str(self.settings.telegram_webhook_url),
                secret_token=self.settings.telegram_webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            # A webhook left over from a webhook deployment would stop getUpdates working.
            await application.bot.delete_webhook()
        await application.start()
        if application.updater is not None:
            await application.updater.start_polling(
                allowed_updates=ALLOWED_UPDATES, error_callback=self._polling_error
            )
        self._started = True
        self.state = ConnectorState(
            True, f"{self.settings.telegram_mode} as @{application.bot.username}"
        )
        logger.info("telegram: connected (%s)", self.state.detail)

    async def _shut_down(self) -> None:
        application = self.application
        try:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()
        except (TelegramError, RuntimeError) as error:
            logger.debug("telegram: shutting down: %s", error)
        self._started = False

    def _polling_error(self, error: TelegramError) -> None:
        # PTB's updater keeps retrying getUpdates itself; this only keeps /healthz true.
        self.state = ConnectorState(False, f"polling failed ({_name(error)}); retrying")
        logger.warning("telegram: getUpdates failed (%s); PTB retries", _name(error))

    async def _probe(self) -> None:
        try:
            await self.application.bot.get_me()
        except TelegramError as error:
            self.state = ConnectorState(False, f"Bot API unreachable ({_name(error)})")
            return
        self.state = ConnectorState(
            True, f"{self.settings.telegram_mode} as @{self.application.bot.username}"
        )

    # --- webhook -------------------------------------------------------------------------

    def secret_matches(self, given: str) -> bool:
        secret = self.settings.telegram_webhook_secret or ""
        return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())

    async def feed(self, data: dict[str, Any]) -> None:
        """One update the webhook route received (its secret already checked)."""
        update = Update.de_json(data, self.application.bot)
        await self.application.update_queue.put(update)

    # --- handlers ------------------------------------------------------------------------

    def _add_handlers(self) -> None:
        private = filters.ChatType.PRIVATE
        add = self.application.add_handler
        add(CommandHandler("start", self._on_start, filters=private))
        add(CommandHandler("help", self._on_help, filters=private))
        add(CommandHandler("lang", self._on_lang, filters=private))
        add(CommandHandler("reset", self._on_reset, filters=private))
        add(CommandHandler("privacy", self._on_privacy, filters=private))
        add(CommandHandler("delete", self._on_delete, filters=private))
        add(CallbackQueryHandler(self._on_button))
        add(MessageHandler(private & filters.LOCATION, self._on_location))
        add(MessageHandler(private & filters.TEXT, self._on_text))
        add(MessageHandler(private & ~filters.UpdateType.EDITED, self._on_unsupported))
        add(MessageHandler(~private & filters.COMMAND, self._on_group))
        self.application.add_error_handler(self._on_error)

    def _language(self, update: Update) -> Language:
        chat = update.effective_chat
        known = self.service.languages.get(sender_of(chat.id)) if chat else None
        user = update.effective_user
        return known or language_of(user.language_code if user else None)

    @asynccontextmanager
    async def _one_at_a_time(self, sender_id: str) -> AsyncIterator[None]:
        """A chat's messages are answered in the order sent (chats run concurrently)."""
        lock = self._chat_locks.setdefault(sender_id, asyncio.Lock())
        async with lock:
            yield

    async def _say(self, update: Update, key: str, markup: Any = None) -> None:
        chat = update.effective_chat
        if chat is not None:
            await self.deliver(chat.id, [Outgoing(text(key, self._language(update)), markup)])

    async def _on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, "start")

    async def _on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, "help")

    async def _on_privacy(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, "privacy")

    async def _on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, "private_only")

    async def _on_lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup(
            [[
                InlineKeyboardButton("中文", callback_data="lang:zh"),
                InlineKeyboardButton("English", callback_data="lang:en"),
            ]]
        )  # fmt: skip
        await self._say(update, "lang_question", keyboard)

    async def _on_delete(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language = self._language(update)
        keyboard = InlineKeyboardMarkup(
            [[
                InlineKeyboardButton(text("delete_yes", language), callback_data="delete:yes"),
                InlineKeyboardButton(text("delete_no", language), callback_data="delete:no"),
            ]]
        )  # fmt: skip
        await self._say(update, "delete_question", keyboard)

    async def _on_reset(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        sender = sender_of(chat.id)
        async with self._one_at_a_time(sender):
            restart = self.service.signer.issue(sender, "/restart")
            result = await self.service.reply(sender, restart)
            self.buttons.forget(sender)
            await self._say(update, "reset_done")
            if result.status != 200:
                await self._deliver_result(chat.id, sender, result)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text is not None:
            await self._converse(update, message.text)

    async def _on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.location is not None:
            point = rounded_location(message.location.latitude, message.location.longitude)
            await self._converse(update, None, location=point)

    async def _on_unsupported(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._say(update, "unsupported")

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        chat = update.effective_chat
        if query is None or chat is None:
            return
        data = query.data or ""
        sender = sender_of(chat.id)
        if data.startswith(RATING_PREFIX):
            await self._on_rating(update, query, sender, data)
            return
        await self._answer_query(query)  # stops the button's spinner, whatever happens next
        if data in ("lang:zh", "lang:en"):
            language: Language = "en" if data == "lang:en" else "zh"
            self.service.languages.remember(sender, language)
            await self._say(update, "lang_set")
        elif data == "delete:yes":
            await self._forget(update, sender)
        elif data == "delete:no":
            await self._say(update, "delete_cancelled")
        else:
            payload = self.buttons.payload(sender, data)
            if payload is None:
                # Forged, another chat's, or issued before a restart: it sets nothing.
                await self._say(update, "expired_button")
            else:
                await self._converse(update, payload)

    async def _answer_query(self, query: CallbackQuery, notice: str | None = None) -> None:
        try:
            await query.answer(notice)
        except TelegramError as error:
            logger.warning("telegram: answerCallbackQuery failed (%s)", _name(error))

    async def _on_rating(
        self, update: Update, query: CallbackQuery, sender: str, data: str
    ) -> None:
        """👍/👎 under an answer: kept through the same feedback service as the web's, thanked
        with a notice on the button press, and the choice ticked on the keyboard."""
        language = self._language(update)
        pressed = self.buttons.rating(sender, data)
        feedback = self.service.feedback
        if pressed is None or feedback is None:
            await self._answer_query(query, text("expired_button", language))
            return
        key, token, rating = pressed
        try:
            await feedback.rate(sender, token, rating)
        except FeedbackRefused:
            await self._answer_query(query, text("rating_expired", language))
            return
        await self._answer_query(query, text(f"rated_{rating}", language))
        shown = query.message.reply_markup if isinstance(query.message, Message) else None
        with suppress(TelegramError):  # the rating is kept; the tick is only a courtesy
            await query.edit_message_reply_markup(with_rating_chosen(shown, key, rating, language))

    async def _forget(self, update: Update, sender: str) -> None:
        async with self._one_at_a_time(sender):
            try:
                await self.service.forget(sender)
            except BackendUnavailable as down:
                logger.warning("telegram %s: forget failed (%s)", sender_tag(sender), down)
                await self._say(update, "delete_failed")
                return
            self.buttons.forget(sender)
            await self._say(update, "delete_done")

    async def _converse(
        self,
        update: Update,
        message: str | None,
        *,
        location: tuple[float, float] | None = None,
    ) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        sender = sender_of(chat.id)
        if self.service.languages.get(sender) is None and update.effective_user is not None:
            self.service.languages.remember(sender, self._language(update))
        async with self._one_at_a_time(sender):
            with suppress(TelegramError):  # the typing indicator is only a courtesy
                await self.application.bot.send_chat_action(chat.id, "typing")
            result = await self.service.reply(sender, message, location=location)
            await self._deliver_result(chat.id, sender, result)

    async def _deliver_result(self, chat_id: int, sender: str, result: ChatResult) -> None:
        outgoing = render(
            result.replies, sender, self.buttons, result.language, self.settings.public_url
        )
        await self.deliver(chat_id, outgoing, result.language)

    # --- sending -------------------------------------------------------------------------

    async def deliver(
        self, chat_id: int, outgoing: list[Outgoing], language: Language | None = None
    ) -> bool:
        """Sends messages in order; if one cannot go after retries, a "please try again"
        takes its place and the rest are not sent (they would read out of context)."""
        for message in outgoing:
            if not await self._send(chat_id, message):
                logger.error(
                    "telegram %s: a reply could not be delivered", sender_tag(str(chat_id))
                )
                known = language or self.service.languages.get(sender_of(chat_id)) or "zh"
                await self._send(chat_id, Outgoing(text("try_again", known)), retry=False)
                return False
        return True

    async def _send(self, chat_id: int, message: Outgoing, *, retry: bool = True) -> bool:
        markup = message.markup
        delays = (0.0, *self._retry_delays_s) if retry else (0.0,)
        for delay in delays:
            if delay:
                await asyncio.sleep(delay)
            try:
                await self.application.bot.send_message(
                    chat_id,
                    message.text,
                    reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
                return True
            except RetryAfter as error:
                # The rate limiter already waited and retried; wait once more, then retry.
                await asyncio.sleep(_seconds(error))
            except Forbidden as error:
                logger.info("telegram: chat %s unreachable (%s)", sender_tag(str(chat_id)), error)
                return False
            except BadRequest as error:
                if markup is None:
                    logger.error("telegram: message refused (%s)", error)
                    return False
                # A keyboard Telegram refuses (a link it will not accept): the text still goes.
                logger.warning("telegram: keyboard refused (%s); sending without it", error)
                markup = None
            except NetworkError as error:  # 5xx and timeouts
                logger.warning("telegram: sendMessage failed (%s); retrying", _name(error))
        return False

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One place for what no handler caught: logged, and the parent asked to try again."""
        logger.error("telegram: unhandled %s", _name(context.error), exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            language = self._language(update)
            await self._send(
                update.effective_chat.id, Outgoing(text("try_again", language)), retry=False
            )


def _name(error: BaseException | None) -> str:
    if error is None:
        return "unknown error"
    detail = str(error)[:80]
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__
