"""What the review pages need beyond the queue: the embedding model and the entries.

The console has one embedding model, the knowledge-base desk's (loaded on first use; tests
put a small one in its place), and one live guidance service over the content and index.
The review queue borrows both: the model to group questions by meaning, the guidance service
to check that exported regression cases find their entries. Loading and embedding run in
worker threads, so the gateway keeps answering parents meanwhile. Question vectors are kept
between page views: a page embeds only questions asked since the last one. Without the model
(not built yet) the page still works, grouping identical texts only, and says why; loading
is tried again after RETRY_AFTER_S.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from knowledge_base.content import Entry, load_entries
from knowledge_base.embedding import Embedder, Vectors
from knowledge_base.guidance import GuidanceService
from knowledge_base.review_groups import QuestionVectors

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 300.0
T = TypeVar("T")


class ModelUnavailable(Exception):
    """The embedding model could not be loaded; the message says why."""


class ReviewModel:
    """The embedding model for grouping questions, and the guidance for checking cases."""

    def __init__(
        self, embedder: Callable[[], Embedder], guidance: Callable[[], GuidanceService]
    ) -> None:
        self._load_embedder = embedder
        self._guidance = guidance
        self._vectors: QuestionVectors | None = None
        self._lock = asyncio.Lock()
        self.problem: str | None = None
        self._failed_at = 0.0

    async def _ready(self) -> QuestionVectors:
        async with self._lock:
            if self._vectors is not None:
                return self._vectors
            if self.problem and time.monotonic() - self._failed_at < RETRY_AFTER_S:
                raise ModelUnavailable(self.problem)
            try:
                embedder = await asyncio.to_thread(self._load_embedder)
            except (OSError, ValueError, RuntimeError, ImportError) as error:
                self.problem = f"the embedding model could not be loaded ({error})"
                self._failed_at = time.monotonic()
                logger.warning("review queue: %s", self.problem)
                raise ModelUnavailable(self.problem) from error
            self.problem = None
            self._vectors = QuestionVectors(embedder)
            return self._vectors

    async def vectors(self, texts: Sequence[str]) -> Mapping[str, Vectors] | None:
        """Unit vectors of these question texts, or None when the model is unavailable
        (self.problem says why)."""
        try:
            vectors = await self._ready()
        except ModelUnavailable:
            return None
        async with self._lock:  # one page at a time updates the cache
            return await asyncio.to_thread(vectors.for_texts, list(texts))

    async def with_guidance(self, work: Callable[[GuidanceService], T]) -> T:
        """work(the bot's guidance service over the content and index as they are now) in a
        worker thread. Raises ModelUnavailable without the model."""
        await self._ready()

        def run() -> T:
            return work(self._guidance())

        return await asyncio.to_thread(run)


class EntryCatalog:
    """Every entry in the content folder (drafts too), read again only when a file changed."""

    def __init__(self, content_dir: Path) -> None:
        self._dir = content_dir
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._entries: dict[str, Entry] = {}

    def _current_signature(self) -> tuple[tuple[str, int, int], ...]:
        files = sorted(self._dir.glob("*.md")) if self._dir.is_dir() else []
        return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)

    def entries(self) -> dict[str, Entry]:
        """By id. Blocking (reads the folder): call it from a worker thread."""
        signature = self._current_signature()
        if signature != self._signature:
            self._entries = {e.id: e for e in load_entries(self._dir).entries}
            self._signature = signature
        return self._entries
