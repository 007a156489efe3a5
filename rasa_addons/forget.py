"""Erasing one sender's stored conversation from Rasa's tracker store ("delete my data").

Rasa 3.6 has no delete in its TrackerStore API: replacing a tracker's events over the HTTP
API appends to an SQL store rather than removing rows. This reaches the store Rasa actually
uses (under its awaitable and fail-safe wrappers) and removes the sender's rows or key.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore, SQLTrackerStore


class UnsupportedTrackerStore(Exception):
    """The configured tracker store is one this project does not run on."""


def innermost(tracker_store: Any) -> Any:
    """The store under Rasa's wrappers (AwaitableTrackerStore, FailSafeTrackerStore)."""
    store = tracker_store
    for _ in range(5):
        inner = getattr(store, "_tracker_store", None)
        if inner is None:
            break
        store = inner
    return store


def forget_conversation(tracker_store: Any, sender_id: str) -> int:
    """Removes everything stored for sender_id; returns how many events or keys went."""
    store = innermost(tracker_store)
    if isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            removed = (
                session.query(store.SQLEvent)
                .filter(store.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        return int(removed)
    if isinstance(store, InMemoryTrackerStore):
        return 1 if store.store.pop(sender_id, None) is not None else 0
    if isinstance(store, RedisTrackerStore):
        return int(store.red.delete(store.key_prefix + sender_id))
    raise UnsupportedTrackerStore(type(store).__name__)
