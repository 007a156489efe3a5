"""Coverage against the plan's targets: places per 1,000 residents and the inclusive share.

The plan (北京市托育服务体系建设三年行动方案（2023年—2025年）) sets 4.5 places per 1,000
residents and at least 60% of them inclusive by 2025. Populations are the 2020 census figures
in the gazetteer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_base.registry.model import Institution
from knowledge_base.registry.places import Gazetteer

TARGET_PLACES_PER_1000 = 4.5
TARGET_INCLUSIVE_SHARE = 0.6


@dataclass(frozen=True)
class DistrictCoverage:
    district: str
    population: int | None
    places: int
    inclusive_places: int
    places_per_1000: float | None
    inclusive_share: float | None
    subdistricts_without_inclusive: list[str]

    @property
    def meets_places_target(self) -> bool | None:
        if self.places_per_1000 is None:
            return None
        return self.places_per_1000 >= TARGET_PLACES_PER_1000

    @property
    def meets_inclusive_target(self) -> bool | None:
        if self.inclusive_share is None:
            return None
        return self.inclusive_share >= TARGET_INCLUSIVE_SHARE


def district_coverage(items: Sequence[Institution], gazetteer: Gazetteer) -> list[DistrictCoverage]:
    active = [i for i in items if not i.deregistered]
    result = []
    for district, info in gazetteer.districts.items():
        here = [i for i in active if i.district == district]
        places = sum(i.capacity for i in here)
        inclusive = sum(i.capacity for i in here if i.inclusive)
        population = info.get("population_2020")
        with_inclusive = {i.subdistrict for i in here if i.inclusive}
        without = [s for s in (info.get("subdistricts") or {}) if s not in with_inclusive]
        result.append(
            DistrictCoverage(
                district=district,
                population=int(population) if population else None,
                places=places,
                inclusive_places=inclusive,
                places_per_1000=round(places / population * 1000, 2) if population else None,
                inclusive_share=round(inclusive / places, 3) if places else None,
                subdistricts_without_inclusive=without,
            )
        )
    return result
