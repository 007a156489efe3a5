"""Index rebuilds after publishing: run in the background, watched on a status page.

Publishing writes the entry's file at once; the rebuild then loads the entries, re-embeds
the passages that changed, saves the index atomically and swaps the gateway's own guidance
(LiveGuidance.reload). The action server notices the same change within about 2 seconds
and swaps its services too. Until then both keep answering from the old index. Rebuilds run
one at a time (LiveGuidance serialises them); a publish during a rebuild waits its turn.
Jobs are kept in memory: a gateway restarted mid-build loses the page, not the rebuild,
which the action server (or the next reload) does anyway.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass

from knowledge_base.live_services import LiveGuidance

logger = logging.getLogger(__name__)

KEEP_JOBS = 50


@dataclass
class RebuildJob:
    id: str
    entry_id: str
    actor: str
    started_at: float
    stage: str = "waiting for the previous rebuild"
    done: int = 0
    total: int = 0
    embedded: int = 0  # passages re-embedded (the others kept their vectors)
    passages: int = 0
    finished_at: float | None = None
    error: str | None = None

    def report(self, stage: str, done: int = 0, total: int = 0) -> None:
        """Called from the building thread (plain attribute writes: safe to read anywhere)."""
        self.stage = stage
        self.done = done
        self.total = total
        if stage == "embedding":
            self.embedded = total

    @property
    def running(self) -> bool:
        return self.finished_at is None

    @property
    def seconds(self) -> float:
        return round((self.finished_at or time.time()) - self.started_at, 1)


class IndexRebuilds:
    def __init__(self, live: LiveGuidance) -> None:
        self._live = live
        self._jobs: dict[str, RebuildJob] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, entry_id: str, actor: str) -> RebuildJob:
        job = RebuildJob(secrets.token_urlsafe(9), entry_id, actor, time.time())
        self._jobs[job.id] = job
        for old in list(self._jobs)[:-KEEP_JOBS]:
            if not self._jobs[old].running:
                del self._jobs[old]
        task = asyncio.create_task(self._run(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    def get(self, job_id: str) -> RebuildJob | None:
        return self._jobs.get(job_id)

    async def _run(self, job: RebuildJob) -> None:
        try:
            snapshot = await asyncio.to_thread(self._live.reload, job.report)
            job.passages = snapshot.manifest.chunk_count
        except Exception as error:
            logger.exception("Index rebuild after publishing %s failed", job.entry_id)
            job.error = f"{type(error).__name__}: {error}"
        finally:
            job.finished_at = time.time()

    async def close(self) -> None:
        """Lets running rebuilds finish: a thread cannot be stopped halfway, and an index
        half saved is never used (it is saved by renaming a finished folder)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
