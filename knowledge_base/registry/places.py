"""Place names parents type (district, subdistrict, 望京, 回龙观, 亦庄) to approximate points.

From the gazetteer the project ships (knowledge_base/registry/data/gazetteer.yml): names from
the 2023 statistical division codes, coordinates approximate (about 1-2 km in the city).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

GAZETTEER = Path(__file__).parent / "data" / "gazetteer.yml"
_SUFFIXES = ("街道", "地区", "镇", "乡")


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    district: str
    kind: str  # alias, subdistrict or district


@dataclass(frozen=True)
class Gazetteer:
    districts: dict[str, dict[str, Any]]
    aliases: dict[str, Place]
    subdistricts: dict[str, list[Place]]
    source: dict[str, str]

    @classmethod
    def load(cls, path: Path = GAZETTEER) -> Gazetteer:
        data = yaml.safe_load(path.read_text("utf-8"))
        districts = data["districts"]
        subdistricts: dict[str, list[Place]] = {}
        for district, info in districts.items():
            for name, (lat, lon) in (info.get("subdistricts") or {}).items():
                place = Place(name, float(lat), float(lon), district, "subdistrict")
                for key in {name, _short(name)}:
                    if len(key) >= 2:
                        subdistricts.setdefault(key, []).append(place)
        aliases = {
            name: Place(name, float(lat), float(lon), str(district), "alias")
            for name, (lat, lon, district) in (data.get("aliases") or {}).items()
        }
        return cls(districts, aliases, subdistricts, dict(data.get("source") or {}))

    def district_place(self, name: str) -> Place | None:
        for district, info in self.districts.items():
            if name in (district, district.removesuffix("区")):
                lat, lon = info["centre"]
                return Place(district, float(lat), float(lon), district, "district")
        return None

    def candidates(self, text: str) -> list[Place]:
        """Every place named in text, most specific first; several means ambiguous."""
        text = text.strip()
        found: list[Place] = []
        for name in sorted(self.aliases, key=len, reverse=True):
            if name in text:
                found.append(self.aliases[name])
                break
        # 海淀区 names a district, not 海淀街道: look for subdistricts outside district names.
        rest = text
        for district in self.districts:
            rest = rest.replace(district, " ")
        for name in sorted(self.subdistricts, key=len, reverse=True):
            if name in rest:
                found.extend(self.subdistricts[name])
                break
        for district in self.districts:
            short = district.removesuffix("区")
            if district in text or (len(short) >= 2 and short in text):
                place = self.district_place(district)
                if place:
                    found.append(place)
                break
        named_district = next((p.district for p in found if p.kind == "district"), None)
        if named_district:
            # "朝阳区八里庄": the district named settles which 八里庄.
            found = [p for p in found if p.district == named_district]
        return found

    def resolve(self, text: str) -> Place | None:
        """The most specific place named, or None if none or ambiguous."""
        found = self.candidates(text)
        if not found:
            return None
        best = [p for p in found if p.kind == found[0].kind]
        return best[0] if len(best) == 1 else None


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def default_gazetteer() -> Gazetteer:
    return Gazetteer.load()
