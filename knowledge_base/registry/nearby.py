"""Nearest institutions to a point, with the filters parents ask for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.registry.model import Institution

EARTH_RADIUS_KM = 6371.0088
# When too few places match within the radius asked, look further, up to the whole city.
_WIDENING = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0, 200.0)


@dataclass(frozen=True)
class NearbyFilters:
    inclusive_only: bool = False
    age_months: float | None = None
    care_mode: str | None = None
    has_vacancy: bool = False
    max_fee_yuan: float | None = None
    provider_type: str | None = None


@dataclass(frozen=True)
class NearbyResult:
    institution: Institution
    distance_km: float


@dataclass(frozen=True)
class NearbyAnswer:
    results: list[NearbyResult]
    radius_km: float
    widened: bool


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2, lon2 = np.radians(lats), np.radians(lons)
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return np.asarray(distance, dtype=np.float64)


class NearbySearch:
    """Built once per registry revision; a query is a few vectorised passes over arrays."""

    def __init__(self, items: Sequence[Institution]) -> None:
        self._items = [i for i in items if not i.deregistered]
        self._lat = np.array([i.latitude for i in self._items], dtype=np.float64)
        self._lon = np.array([i.longitude for i in self._items], dtype=np.float64)
        self._inclusive = np.array([i.inclusive for i in self._items], dtype=bool)
        self._min_age = np.array([i.min_age_months for i in self._items], dtype=np.float64)
        self._max_age = np.array([i.max_age_months for i in self._items], dtype=np.float64)
        self._vacancies = np.array(
            [i.vacancies if i.vacancies is not None else -1 for i in self._items], dtype=np.int64
        )
        self._fee = np.array(
            [i.monthly_fee_yuan if i.monthly_fee_yuan is not None else np.nan for i in self._items],
            dtype=np.float64,
        )
        self._types = np.array([i.provider_type for i in self._items], dtype=object)
        self._modes = [frozenset(i.care_modes) for i in self._items]

    def __len__(self) -> int:
        return len(self._items)

    def institutions(self) -> list[Institution]:
        return list(self._items)

    def _mask(self, filters: NearbyFilters) -> np.ndarray:
        mask = np.ones(len(self._items), dtype=bool)
        if filters.inclusive_only:
            mask &= self._inclusive
        if filters.age_months is not None:
            mask &= (self._min_age <= filters.age_months) & (filters.age_months <= self._max_age)
        if filters.has_vacancy:
            mask &= self._vacancies > 0
        if filters.max_fee_yuan is not None:
            # An unknown fee is not known to be within the limit.
            mask &= np.nan_to_num(self._fee, nan=np.inf) <= filters.max_fee_yuan
        if filters.provider_type:
            mask &= self._types == filters.provider_type
        if filters.care_mode:
            mask &= np.array([filters.care_mode in m for m in self._modes], dtype=bool)
        return mask

    def nearest(
        self,
        latitude: float,
        longitude: float,
        *,
        limit: int = 5,
        radius_km: float = 3.0,
        filters: NearbyFilters | None = None,
        widen: bool = True,
    ) -> NearbyAnswer:
        if not self._items:
            return NearbyAnswer([], radius_km, False)
        mask = self._mask(filters or NearbyFilters())
        indices = np.flatnonzero(mask)
        distances = haversine_km(latitude, longitude, self._lat[indices], self._lon[indices])
        radii = [radius_km] + ([r for r in _WIDENING if r > radius_km] if widen else [])
        chosen = radius_km
        for radius in radii:
            chosen = radius
            if int(np.count_nonzero(distances <= radius)) >= limit:
                break
        within = np.flatnonzero(distances <= chosen)
        if len(within) > limit:
            within = within[np.argpartition(distances[within], limit - 1)[:limit]]
        order = within[np.argsort(distances[within], kind="stable")]
        results = [
            NearbyResult(self._items[indices[j]], round(float(distances[j]), 3)) for j in order
        ]
        return NearbyAnswer(results, chosen, chosen != radius_km)
