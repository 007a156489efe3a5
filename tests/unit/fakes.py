"""Test doubles: a tiny deterministic embedder, so unit tests need no model, and a Rasa
server that answers from a list."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Any

import aiohttp
import numpy as np
from aiohttp import web

from bot.gateway.app import create_app
from bot.rasa_client import BackendUnavailable, PartState, RasaClient
from bot.settings import Settings
from knowledge_base.embedding import Vectors


class CharacterGramEmbedder:
    """Hashes character uni- and bigrams into a small vector; similar strings score high."""

    def __init__(self, dim: int = 256, identity: str = "test-grams:1") -> None:
        self._dim = dim
        self._identity = identity
        self.calls = 0

    @property
    def identity(self) -> str:
        return self._identity

    @property
    def dim(self) -> int:
        return self._dim

    def _one(self, text: str) -> Vectors:
        vector = np.zeros(self._dim, dtype=np.float32)
        text = text.lower()
        grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
        for gram in grams:
            if gram.strip():
                bucket = int(hashlib.md5(gram.encode()).hexdigest()[:8], 16) % self._dim
                vector[bucket] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        return np.stack([self._one(t) for t in texts]).astype(np.float32)

    def embed_passages(self, texts: Sequence[str], *, show_progress: bool = False) -> Vectors:
        self.calls += 1
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.stack([self._one(t) for t in texts]).astype(np.float32)


class FakeRasa(RasaClient):
    def __init__(self) -> None:
        self.hang_s = 0.0  # how long Rasa takes to answer (a hung back end: long)
        self.sent: list[tuple[str, str]] = []
        self.metadata: list[dict[str, Any]] = []
        self.rasa_up = True
        self.actions_up = True
        self.forgotten: list[str] = []
        self.replies: list[dict[str, Any]] = [
            {"recipient_id": "x", "text": "你好", "buttons": [{"title": "t", "payload": "/p"}]}
        ]

    async def send_message(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        if not self.rasa_up:
            raise BackendUnavailable("rasa", "ClientConnectorError")
        self.sent.append((sender_id, text))
        if self.hang_s:
            await asyncio.sleep(self.hang_s)
        self.metadata.append(metadata or {})
        return self.replies

    async def forget(self, sender_id: str) -> int:
        if not self.rasa_up:
            raise BackendUnavailable("rasa", "ClientConnectorError")
        self.forgotten.append(sender_id)
        return sum(1 for sent, _ in self.sent if sent == sender_id)

    async def rasa_state(self) -> PartState:
        return PartState("rasa", self.rasa_up, "model.tar.gz" if self.rasa_up else "down")

    async def actions_state(self) -> PartState:
        return PartState("actions", self.actions_up, "ok" if self.actions_up else "down")


def gateway_app(settings: Settings, rasa: RasaClient | None = None) -> web.Application:
    """The gateway app talking to `rasa` (a new FakeRasa by default) instead of Rasa."""
    client = rasa if rasa is not None else FakeRasa()

    def factory(session: aiohttp.ClientSession, _: Settings) -> RasaClient:
        return client

    return create_app(settings, rasa_client_factory=factory)
