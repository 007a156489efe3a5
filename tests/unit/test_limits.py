"""Rate limits and one message in flight per sender (bot/gateway/limits.py)."""

from __future__ import annotations

import asyncio

import pytest

from bot.gateway.limits import Busy, InFlight, RateLimiter


def test_a_burst_passes_then_the_rate_applies() -> None:
    limiter = RateLimiter(per_minute=30, burst=3)
    assert [limiter.allow("p", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.allow("p", now=0.0)
    assert wait == pytest.approx(2.0)  # one message every two seconds
    assert limiter.allow("p", now=2.0) == 0.0
    assert limiter.allow("someone-else", now=0.0) == 0.0


async def test_a_second_message_waits_briefly_then_is_told_busy() -> None:
    in_flight = InFlight(wait_s=0.1)
    async with in_flight.one("p"):
        with pytest.raises(Busy):
            async with in_flight.one("p"):
                pass
        async with in_flight.one("other"):
            pass
    async with in_flight.one("p"):
        pass


async def test_a_second_message_goes_when_the_first_finishes_in_time() -> None:
    in_flight = InFlight(wait_s=1.0)
    order: list[str] = []

    async def first() -> None:
        async with in_flight.one("p"):
            await asyncio.sleep(0.1)
            order.append("first")

    async def second() -> None:
        await asyncio.sleep(0.01)
        async with in_flight.one("p"):
            order.append("second")

    await asyncio.gather(first(), second())
    assert order == ["first", "second"]
