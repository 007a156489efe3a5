"""Per-sender and per-address rate limits, and one message in flight per sender.

Token buckets in memory (one gateway process): a sender may send a burst and then about one
message every two seconds; one address (a community centre's whole network sits behind one)
several times that. A second message from a sender whose first is still being answered
waits a moment for it, then gets "one moment" instead of queueing behind it.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

# Buckets kept at most; the least recently used are forgotten first (a forgotten bucket is
# a full one, so forgetting never limits anyone more).
MAX_KEYS = 50_000
# How long a second message waits for its sender's first one.
IN_FLIGHT_WAIT_S = 2.0


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: float, burst: int) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def allow(self, key: str, now: float | None = None) -> float:
        """0 when the message may go; otherwise the seconds until it may."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(key, None) or _Bucket(self._burst, now)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[key] = bucket
        while len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self._rate


class Busy(Exception):
    pass


@dataclass
class ChatLimits:
    per_sender: RateLimiter
    per_address: RateLimiter
    in_flight: InFlight

    @classmethod
    def per_minute(cls, sender: float, address: float) -> ChatLimits:
        # Bursts: a parent may paste a few messages at once; a centre's network, a room.
        return cls(RateLimiter(sender, burst=10), RateLimiter(address, burst=60), InFlight())

    def wait_s(self, sender_id: str, address: str) -> float:
        """0 when this message may go now, else the seconds to wait (Retry-After).

        address: the client's IP address; empty for a channel whose messages all come from
        one server (Telegram), where only the per-chat limit means anything."""
        by_address = self.per_address.allow(address) if address else 0.0
        return max(self.per_sender.allow(sender_id), by_address)


class InFlight:
    """One message at a time per sender."""

    def __init__(self, wait_s: float = IN_FLIGHT_WAIT_S) -> None:
        self._wait_s = wait_s
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def one(self, sender_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(sender_id, asyncio.Lock())
        try:
            await asyncio.wait_for(lock.acquire(), self._wait_s)
        except TimeoutError:
            raise Busy(sender_id) from None
        try:
            yield
        finally:
            lock.release()
            if len(self._locks) > MAX_KEYS:
                # Forget idle senders; a lock someone waits on or holds is kept.
                for key in [k for k, v in self._locks.items() if not v.locked()]:
                    del self._locks[key]
