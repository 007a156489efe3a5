"""HTTP client for the Rasa server and the action server (the gateway never imports rasa)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp


class BackendUnavailable(Exception):
    """Rasa or the action server did not answer; `part` says which."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"{part} unavailable: {reason}")
        self.part = part
        self.reason = reason


@dataclass(frozen=True)
class PartState:
    name: str
    ok: bool
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail}


class RasaClient:
    """Talks to Rasa's REST channel and HTTP API, and to the action server's /health."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        rasa_url: str,
        actions_url: str,
        token: str,
        *,
        timeout_s: float = 20.0,
    ) -> None:
        self._session = session
        self._rasa_url = rasa_url.rstrip("/")
        self._actions_url = actions_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._probe_timeout = aiohttp.ClientTimeout(total=2.0)

    async def send_message(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Sends one user message; returns the bot's replies in order."""
        body = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        url = f"{self._rasa_url}/webhooks/tuoyu/webhook"
        headers = {"X-Tuoyu-Secret": self._token}
        try:
            async with self._session.post(
                url, json=body, headers=headers, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    raise BackendUnavailable("rasa", f"HTTP {response.status}")
                replies = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise BackendUnavailable("rasa", type(error).__name__) from error
        if not isinstance(replies, list):
            raise BackendUnavailable("rasa", "unexpected reply")
        return [r for r in replies if isinstance(r, dict)]

    async def forget(self, sender_id: str) -> int:
        """Erases the sender's conversation from Rasa's tracker store (rasa_addons/forget.py);
        returns how many events went."""
        url = f"{self._rasa_url}/webhooks/tuoyu/forget"
        headers = {"X-Tuoyu-Secret": self._token}
        try:
            async with self._session.post(
                url, json={"sender": sender_id}, headers=headers, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    raise BackendUnavailable("rasa", f"HTTP {response.status}")
                body = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            raise BackendUnavailable("rasa", type(error).__name__) from error
        removed = body.get("forgotten") if isinstance(body, dict) else None
        if not isinstance(removed, int):
            raise BackendUnavailable("rasa", "unexpected reply")
        return removed

    async def rasa_state(self) -> PartState:
        url = f"{self._rasa_url}/status"
        try:
            async with self._session.get(
                url, params={"token": self._token}, timeout=self._probe_timeout
            ) as response:
                if response.status != 200:
                    return PartState("rasa", False, f"HTTP {response.status}")
                status = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError, OSError) as error:
            return PartState("rasa", False, type(error).__name__ or "unreachable")
        model = status.get("model_file") if isinstance(status, dict) else None
        if not model:
            return PartState("rasa", False, "no model loaded")
        return PartState("rasa", True, str(model).rsplit("/", 1)[-1])

    async def actions_state(self) -> PartState:
        url = f"{self._actions_url}/health"
        try:
            async with self._session.get(url, timeout=self._probe_timeout) as response:
                if response.status != 200:
                    return PartState("actions", False, f"HTTP {response.status}")
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            return PartState("actions", False, type(error).__name__ or "unreachable")
        return PartState("actions", True, "ok")
