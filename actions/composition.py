"""Builds the services actions use, once per action-server process, on first use.

The guidance services come from a LiveGuidance (knowledge_base/live_services.py): content
published in the staff console, or changed by a git pull, is answered from within seconds,
the old services answering until the new ones are ready, with no restart.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from bot.settings import Settings
from knowledge_base.embedding import Embedder, SentenceTransformerEmbedder
from knowledge_base.guidance import GuidanceService
from knowledge_base.live_services import LiveGuidance
from knowledge_base.review_queue import ReviewQueue


@dataclass(frozen=True)
class Services:
    guidance: GuidanceService


_lock = threading.Lock()
_live: LiveGuidance | None = None


def live_guidance(settings: Settings) -> LiveGuidance:
    """The guidance that follows the content folder and index of these settings."""

    def embedder() -> Embedder:
        return SentenceTransformerEmbedder(settings.embedding_model_dir)

    return LiveGuidance(
        settings.content_dir,
        settings.index_dir,
        embedder,
        review_queue=ReviewQueue(settings.review_queue_path),
        threshold=settings.confidence_threshold,
        maybe_threshold=settings.maybe_threshold,
    )


def build_services(settings: Settings) -> Services:
    """Services for the content as it is now (benchmarks and tests that build their own)."""
    return Services(guidance=live_guidance(settings).current().guidance)


def services() -> Services:
    """The process-wide services: built from the environment the first time they are needed,
    then the newest published content's (checked at most every 2 s)."""
    global _live
    if _live is None:
        with _lock:
            if _live is None:
                live = live_guidance(Settings.from_env())
                live.current()  # built before anyone relies on it; a failure is raised here
                live.start_watching()
                _live = live
    return Services(guidance=_live.current().guidance)
