"""What the childcare finder needs, built once per action-server process on first use.

Kept apart from the guidance services so that a finder turn never waits for the embedding
model to load.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from bot.settings import Settings
from knowledge_base.content import Entry, load_entries
from knowledge_base.registry.live import LiveRegistry
from knowledge_base.registry.places import Gazetteer, default_gazetteer
from knowledge_base.registry.store import FacilityRegistry


@dataclass(frozen=True)
class FinderServices:
    live: LiveRegistry
    gazetteer: Gazetteer
    # Published knowledge-base entries, for the sourced explanations around results.
    entries: Mapping[str, Entry]
    public_url: str


_lock = threading.Lock()
_services: FinderServices | None = None


def build_finder_services(settings: Settings) -> FinderServices:
    store = FacilityRegistry.open(settings.database_url)
    entries = {e.id: e for e in load_entries(settings.content_dir).published()}
    return FinderServices(
        live=LiveRegistry(store),
        gazetteer=default_gazetteer(),
        entries=entries,
        public_url=settings.public_url,
    )


def finder_services() -> FinderServices:
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = build_finder_services(Settings.from_env())
    return _services
