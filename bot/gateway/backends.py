"""Which back end answers, known before a parent's message needs it.

The gateway probes Rasa and the action server every couple of seconds. While one fails, a
message gets one fresh probe and then, if it still fails, an answer at once (friendly words,
and the emergency answer when the rules see a danger sign) instead of a 20-second timeout; a
request already waiting on a back end that goes down is answered the moment a probe sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from bot.rasa_client import PartState, RasaClient

logger = logging.getLogger(__name__)

PROBE_EVERY_S = 2.0
T = TypeVar("T")


class BackendDown(Exception):
    def __init__(self, part: str) -> None:
        super().__init__(f"{part} is down")
        self.part = part


class BackendWatch:
    def __init__(self, rasa: RasaClient, *, every_s: float = PROBE_EVERY_S) -> None:
        self._rasa = rasa
        self._every_s = every_s
        self.down: str | None = None  # the first part that failed its latest probe
        self._went_down = asyncio.Event()

    def update(self, *states: PartState) -> None:
        failed = next((s.name for s in states if not s.ok), None)
        if failed != self.down:
            if failed:
                logger.warning("%s is not answering", failed)
            else:
                logger.info("Rasa and the action server answer again")
        self.down = failed
        if failed:
            self._went_down.set()
        else:
            self._went_down.clear()

    async def probe(self) -> None:
        states = await asyncio.gather(self._rasa.rasa_state(), self._rasa.actions_state())
        self.update(*states)

    async def run(self) -> None:
        while True:
            try:
                await self.probe()
            except Exception:
                # The watch must outlive any surprise from a probe (a reset connection while
                # Rasa starts): a dead watch would leave a part marked down for good.
                logger.exception("Probing the back ends failed")
            await asyncio.sleep(self._every_s)

    async def unless_down(
        self, work: Callable[[], Awaitable[T]], timeout_s: float | None = None
    ) -> T:
        """work()'s result; BackendDown at once when a part is known to be down, as soon as a
        probe fails while waiting, or when timeout_s passes."""
        if self.down:
            # Probed again first: the part may be back since the last round (a probe takes at
            # most its 2-second timeout; a refused connection fails at once).
            await self.probe()
            if self.down:
                raise BackendDown(self.down)
        task = asyncio.ensure_future(work())
        down = asyncio.ensure_future(self._went_down.wait())
        try:
            done, _ = await asyncio.wait(
                {task, down}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            down.cancel()
        if task in done:
            return task.result()
        task.cancel()
        raise BackendDown(self.down or "rasa")


@contextlib.asynccontextmanager
async def watching(watch: BackendWatch) -> AsyncIterator[None]:
    task = asyncio.create_task(watch.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
