"""Builds the services actions use, once per action-server process, on first use."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from bot.settings import Settings
from knowledge_base.content import load_entries
from knowledge_base.embedding import SentenceTransformerEmbedder
from knowledge_base.guidance import GuidanceService
from knowledge_base.index import ensure_index
from knowledge_base.review_queue import ReviewQueue
from knowledge_base.search import GuidanceSearch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    guidance: GuidanceService


_lock = threading.Lock()
_services: Services | None = None


def build_services(settings: Settings) -> Services:
    loaded = load_entries(settings.content_dir)
    for problem in loaded.problems:
        logger.warning("Knowledge base: %s", problem)
    published = loaded.published()
    embedder = SentenceTransformerEmbedder(settings.embedding_model_dir)
    index, rebuilt = ensure_index(settings.index_dir, published, embedder)
    logger.info(
        "Knowledge base ready: %d entries, %d passages%s",
        len(published),
        index.manifest.chunk_count,
        " (index rebuilt)" if rebuilt else "",
    )
    entries = {e.id: e for e in published}
    search = GuidanceSearch(index, entries, embedder)
    guidance = GuidanceService(
        search,
        entries,
        ReviewQueue(settings.review_queue_path),
        threshold=settings.confidence_threshold,
        maybe_threshold=settings.maybe_threshold,
    )
    return Services(guidance=guidance)


def services() -> Services:
    """The process-wide services, built from the environment the first time they are needed."""
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = build_services(Settings.from_env())
    return _services
