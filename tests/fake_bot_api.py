"""A local fake of Telegram's Bot API on 127.0.0.1, for driving the real python-telegram-bot.

It records every call (method and parameters, as PTB sent them), hands out updates to
getUpdates (long polling) and answers sendMessage with a Message. Faults can be queued for
sendMessage (429 with retry_after, 502) and the server can be started late, to test
recovery. Used by tests/unit/test_telegram.py, the integration test and the benchmark.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")
TOKEN = "123456:TEST-token"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Tuoyu",
    "username": "tuoyu_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


def _decoded(value: str) -> Any:
    """PTB sends form fields; objects and arrays arrive as JSON text."""
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.faults: list[int] = []  # statuses for the next sendMessage calls (429, 502)
        self.retry_after_s = 1
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self.port = 0

    # --- server --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What TUOYU_TELEGRAM_API_URL is set to (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port or self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            form = await request.post()
            params = {k: _decoded(str(v)) for k, v in form.items()}
        if method == "sendMessage" and self.faults:
            status = self.faults.pop(0)
            await self._record(Call(f"{method}!{status}", params))
            if status == 429:
                return web.json_response(
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {self.retry_after_s}",
                        "parameters": {"retry_after": self.retry_after_s},
                    },
                    status=429,
                )
            return web.Response(status=status, text="<html>Bad Gateway</html>")
        if method == "getUpdates":
            return self._ok(await self._get_updates(params))
        await self._record(Call(method, params))
        if method == "getMe":
            return self._ok(BOT_USER)
        if method == "sendMessage":
            return self._ok(self._message(int(params["chat_id"]), str(params["text"])))
        return self._ok(True)  # answerCallbackQuery, sendChatAction, set/deleteWebhook

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            timeout = float(params.get("timeout") or 0)
            try:
                await asyncio.wait_for(self._new_update.wait(), min(timeout, 2.0))
            except TimeoutError:
                return []
        return list(self._updates)

    # --- what a parent does --------------------------------------------------------------

    def _message(
        self, chat_id: int, text: str | None = None, extra: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Parent"},
        }
        if text is not None:
            message["text"] = text
        message.update(extra or {})
        return message

    def _user(self, chat_id: int, language: str) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Parent", "language_code": language}

    def push(self, update: dict[str, Any]) -> None:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._new_update.set()

    def send_text(self, chat_id: int, text: str, language: str = "zh-hans") -> None:
        message = self._message(chat_id, text, {"from": self._user(chat_id, language)})
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.push({"message": message})

    def send_location(self, chat_id: int, latitude: float, longitude: float) -> None:
        message = self._message(
            chat_id,
            extra={
                "location": {"latitude": latitude, "longitude": longitude},
                "from": self._user(chat_id, "zh-hans"),
            },
        )
        self.push({"message": message})

    def send_media(self, chat_id: int, kind: str) -> None:
        media: Any = {
            "sticker": {
                "file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512,
                "height": 512, "is_animated": False, "is_video": False,
            },
            "voice": {"file_id": "v", "file_unique_id": "v", "duration": 3},
            "photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}],
            "document": {"file_id": "d", "file_unique_id": "d", "file_name": "a.pdf"},
        }[kind]  # fmt: skip
        message = self._message(
            chat_id, extra={kind: media, "from": self._user(chat_id, "zh-hans")}
        )
        self.push({"message": message})

    def press(self, chat_id: int, data: str, query_id: str = "q1") -> None:
        self.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(chat_id, "zh-hans"),
                    "chat_instance": "ci",
                    "data": data,
                    "message": self._message(chat_id, "…", {"from": BOT_USER}),
                }
            }
        )

    # --- what the tests look at ----------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return [
            c.params
            for c in self.calls
            if c.method == "sendMessage"
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for_messages(
        self, chat_id: int, count: int, timeout_s: float = 20
    ) -> list[dict[str, Any]]:
        """The chat's first `count` sent messages, waiting for them to arrive."""
        deadline = time.monotonic() + timeout_s
        async with self._changed:
            while len(self.sent(chat_id)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [m.get("text") for m in self.sent(chat_id)]
                    raise AssertionError(f"chat {chat_id}: {count} messages wanted, got {got}")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    continue
        return self.sent(chat_id)[:count]

    async def wait_for_call(self, method: str, timeout_s: float = 20) -> Call:
        deadline = time.monotonic() + timeout_s
        async with self._changed:
            while not self.called(method):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {method} call within {timeout_s} s")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    continue
        return self.called(method)[0]


class FakeBotApiThread:
    """The fake on its own event loop in a thread, for synchronous tests whose gateway runs
    in another process (the integration stack, the benchmark)."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.api = FakeBotApi()

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout_s: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout_s)

    def start(self) -> FakeBotApiThread:
        self._thread.start()
        self._run(self.api.start())
        return self

    def stop(self) -> None:
        self._run(self.api.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    @property
    def base_url(self) -> str:
        return self.api.base_url

    def call(self, method: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        """One of the parent's actions (send_text, press, send_location…), on the loop."""
        self._loop.call_soon_threadsafe(lambda: method(*args, **kwargs))

    def wait_for_messages(
        self, chat_id: int, count: int, timeout_s: float = 60
    ) -> list[dict[str, Any]]:
        return self._run(self.api.wait_for_messages(chat_id, count, timeout_s), timeout_s + 5)
