"""A deterministic SAMPLE registry, so the service runs before real data is imported.

Every name starts with 示例 and every registration number with SAMPLE-, so nobody mistakes it
for real data. It is written as an ordinary registry CSV and imported through the same path
staff use for real files (`tuoyu registry import`), which replaces it.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path

from knowledge_base.registry.columns import COLUMNS
from knowledge_base.registry.places import Gazetteer

SAMPLE_PREFIX = "SAMPLE-"
_WORDS = ("小树苗", "彩虹", "向日葵", "小海豚", "蒲公英", "萌芽", "七色花", "小橡果", "星星",
          "暖阳", "果果", "童心", "禾苗", "春芽", "小熊", "森林", "小鹿", "满天星")  # fmt: skip
_SUFFIX = {
    "托育机构": "托育中心",
    "幼儿园托班": "幼儿园（托班）",
    "社区托育点": "社区托育点",
    "单位托育点": "职工托育点",
    "区托育综合服务中心": "区托育综合服务中心",
}
_BRANCH = ("", "", "二", "三", "四", "五", "六", "七", "八", "九")
_TYPE_WEIGHTS = (("托育机构", 45), ("幼儿园托班", 30), ("社区托育点", 15), ("单位托育点", 9),
                 ("区托育综合服务中心", 1))  # fmt: skip


def sample_rows(gazetteer: Gazetteer, count: int = 1500, seed: int = 2025) -> list[list[str]]:
    rng = random.Random(seed)
    places = [
        (district, name, lat, lon, info.get("population_2020") or 100_000)
        for district, info in gazetteer.districts.items()
        for name, (lat, lon) in (info.get("subdistricts") or {}).items()
    ]
    # Spread like people: a subdistrict's share follows its district's population.
    per_district: dict[str, int] = {}
    for district, *_ in places:
        per_district[district] = per_district.get(district, 0) + 1
    weights = [pop / per_district[d] for d, _, _, _, pop in places]
    types = [t for t, _ in _TYPE_WEIGHTS]
    type_weights = [w for _, w in _TYPE_WEIGHTS]
    rows = []
    names_used: dict[str, int] = {}
    for number in range(1, count + 1):
        district, subdistrict, lat, lon, _ = rng.choices(places, weights)[0]
        provider = rng.choices(types, type_weights)[0]
        inclusive = rng.random() < (0.85 if provider in ("幼儿园托班", "社区托育点") else 0.5)
        distance_km, bearing = rng.random() * 1.2, rng.random() * 2 * math.pi
        lat += distance_km * math.cos(bearing) / 111.0
        lon += distance_km * math.sin(bearing) / (111.0 * math.cos(math.radians(lat)))
        low, high = (24, 36) if provider == "幼儿园托班" else (rng.choice([6, 12, 18]), 36)
        modes = ["全日托"] + [m for m in ("半日托", "计时托", "临时托") if rng.random() < 0.35]
        capacity = rng.choice([20, 30, 40, 60, 80, 100])
        fee = rng.randrange(1800, 3600, 100) if inclusive else rng.randrange(4000, 9500, 100)
        short = subdistrict.removesuffix("街道").removesuffix("地区").removesuffix("镇")
        name = f"示例·{short}{rng.choice(_WORDS)}{_SUFFIX[provider]}"
        # Two places of one name in one subdistrict read as a mistake: the later is a branch.
        names_used[name] = names_used.get(name, 0) + 1
        if names_used[name] > 1:
            name += f"（{_BRANCH[min(names_used[name], len(_BRANCH) - 1)]}园）"
        filed = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(0, 5 * 365))
        rows.append(
            [
                f"{SAMPLE_PREFIX}{number:05d}", name, district, subdistrict,
                f"{district}{subdistrict}示例路{rng.randint(1, 200)}号（示例地址）",
                f"{lon:.6f}", f"{lat:.6f}", provider, "是" if inclusive else "否",
                ";".join(modes), str(low), str(high), str(capacity),
                str(rng.choice([0, 0, 1, 2, 3, 5, 8])), str(fee), "", filed.isoformat(),
            ]
        )  # fmt: skip
    return rows


def write_sample_csv(path: Path, gazetteer: Gazetteer, count: int = 1500) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([zh for _, _, zh, _ in COLUMNS])
        writer.writerows(sample_rows(gazetteer, count))
    return path
