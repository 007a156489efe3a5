"""The registry as running services see it: rebuilt within seconds of an import."""

from __future__ import annotations

import threading
import time

from knowledge_base.registry.address import RoadLocator
from knowledge_base.registry.check import RegistrationCheck
from knowledge_base.registry.nearby import NearbySearch
from knowledge_base.registry.store import FacilityRegistry


class LiveRegistry:
    """Keeps a NearbySearch for the registry's current revision.

    The revision is polled at most every `check_every_s` seconds (one tiny query), so an
    import made by `tuoyu registry import` while the service runs is visible without a
    restart, and requests in between cost nothing.
    """

    def __init__(self, registry: FacilityRegistry, *, check_every_s: float = 2.0) -> None:
        self._registry = registry
        self._check_every_s = check_every_s
        self._lock = threading.Lock()
        self._revision = -1
        self._checked_at = 0.0
        self._search = NearbySearch([])
        self._check = RegistrationCheck([])
        self._roads = RoadLocator({})

    @property
    def registry(self) -> FacilityRegistry:
        return self._registry

    def current(self) -> NearbySearch:
        self._refresh()
        return self._search

    def registration_check(self) -> RegistrationCheck:
        self._refresh()
        return self._check

    def roads(self) -> RoadLocator:
        """Road names learnt from the registry's addresses, for places parents type."""
        self._refresh()
        return self._roads

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self._check_every_s:
            return
        with self._lock:
            if now - self._checked_at >= self._check_every_s:
                revision = self._registry.revision()
                if revision != self._revision:
                    self._search = NearbySearch(self._registry.all())
                    # Deregistered places stay findable: "it was filed, and no longer is".
                    everything = self._registry.all(include_deregistered=True)
                    self._check = RegistrationCheck(everything)
                    self._roads = RoadLocator.from_institutions(self._search.institutions())
                    self._revision = revision
                self._checked_at = time.monotonic()
