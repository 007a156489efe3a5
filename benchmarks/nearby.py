"""Nearby search at registry scale, and its correctness against brute force.

    .venv/bin/python -m benchmarks.nearby [--institutions 100000]

Builds a synthetic registry across Beijing, imports it through the real import path (timing
it and its peak memory), then measures nearest-5 queries with filters in-process (target p95
<= 5 ms) and through GET /api/facilities/nearby on a running gateway (target p95 <= 20 ms),
and checks 200 random queries against a brute-force haversine ranking. Also times building
the road index from the registry's addresses and resolving what parents type as a place.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import math
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import save, summary_ms
from knowledge_base.registry.columns import COLUMNS
from knowledge_base.registry.importer import import_registry_file
from knowledge_base.registry.model import CARE_MODES, PROVIDER_TYPES, Institution
from knowledge_base.registry.nearby import NearbyFilters, NearbySearch
from knowledge_base.registry.store import FacilityRegistry, sqlite_url

HEADERS = [zh for _, _, zh, _ in COLUMNS]


def write_registry(path: Path, n: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(n):
            low = rng.choice([0, 6, 12, 18, 24])
            writer.writerow(
                [
                    f"BENCH{i:06d}", f"示例托育{i}", "朝阳区", "望京街道", "示例地址",
                    f"{116.0 + rng.random() * 0.9:.6f}", f"{39.6 + rng.random() * 0.6:.6f}",
                    rng.choice(PROVIDER_TYPES), rng.choice(["是", "否"]),
                    ";".join(rng.sample(CARE_MODES, rng.randint(1, 3))), low,
                    rng.choice([36, 48, 72]) if low < 36 else 72, 60, rng.choice([0, 2, 8]),
                    rng.choice([2000, 3500, 5000, 8000]), "", "2024-01-01",
                ]
            )  # fmt: skip


def brute_force(items: list[Institution], lat: float, lon: float, k: int) -> list[str]:
    def distance(i: Institution) -> float:
        p1, p2 = math.radians(lat), math.radians(i.latitude)
        dl = math.radians(i.longitude - lon)
        a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * 6371.0088 * math.asin(math.sqrt(a))

    return [i.registration_no for i in sorted(items, key=distance)[:k]]


async def api_latency(var: Path, queries: list[tuple[float, float]]) -> list[float]:
    import aiohttp
    from aiohttp import web

    from bot.gateway.app import create_app
    from bot.local_stack import free_port
    from bot.settings import Settings

    settings = Settings.from_env({"TUOYU_VAR_DIR": str(var), "TUOYU_RASA_TOKEN": "bench"})
    port = free_port()
    runner = web.AppRunner(create_app(settings))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    samples = []
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/api/facilities/nearby"
            async with session.get(url, params={"lat": "39.9", "lon": "116.4"}) as warm:
                await warm.read()
            for lat, lon in queries:
                params = {"lat": f"{lat}", "lon": f"{lon}", "inclusive": "true",
                          "age_months": "22", "has_vacancy": "true"}  # fmt: skip
                started = time.perf_counter()
                async with session.get(url, params=params) as response:
                    await response.read()
                samples.append(time.perf_counter() - started)
    finally:
        await runner.cleanup()
    return samples


PLACE_TEXTS = [
    "望京", "朝阳区望京街道阜通东大街6号", "住在回龙观", "海淀区中关村大街27号", "八里庄",
    "Wangjing, Chaoyang", "我家在丰台区方庄芳城园一区", "通州梨园镇", "亦庄", "西城区金融街",
    "孩子22个月", "不超过3000", "帮我找托育", "北京市东城区和平里街道", "near Guomao",
]  # fmt: skip


def place_resolution(items: list[Institution]) -> dict[str, Any]:
    """What reading a parent's place costs: the road index over the registry's addresses is
    built once per registry revision; each message is then resolved against it."""
    from knowledge_base.registry.address import RoadLocator, resolve_location
    from knowledge_base.registry.places import default_gazetteer

    started = time.perf_counter()
    roads = RoadLocator.from_institutions(items)
    build_s = time.perf_counter() - started
    gazetteer = default_gazetteer()
    resolve_location("望京", gazetteer, roads)  # the gazetteer's word lists load once
    samples = []
    for _ in range(40):
        for text in PLACE_TEXTS:
            started = time.perf_counter()
            resolve_location(text, gazetteer, roads)
            samples.append(time.perf_counter() - started)
    samples.sort()
    return {
        "road_index_build_s": round(build_s, 2),
        "resolve_place_us": {
            "n": len(samples),
            "p50": round(samples[len(samples) // 2] * 1e6, 1),
            "p95": round(samples[int(len(samples) * 0.95)] * 1e6, 1),
            "max": round(samples[-1] * 1e6, 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--institutions", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(9)
    result: dict[str, Any] = {"institutions": args.institutions}
    with tempfile.TemporaryDirectory(prefix="tuoyu-nearby-") as tmp:
        var = Path(tmp)
        path = var / "registry.csv"
        write_registry(path, args.institutions)
        store = FacilityRegistry.open(sqlite_url(var / "registry.sqlite3"))
        started = time.perf_counter()
        report = import_registry_file(path, store)
        result["import_s"] = round(time.perf_counter() - started, 1)
        result["import_peak_rss_mb"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
        result["import_summary"] = str(report.summary)
        items = store.all()
        store.close()
        search = NearbySearch(items)
        filters = NearbyFilters(inclusive_only=True, age_months=22, has_vacancy=True)
        queries = [(39.7 + rng.random() * 0.4, 116.1 + rng.random() * 0.7) for _ in range(500)]
        samples = []
        for lat, lon in queries:
            started = time.perf_counter()
            search.nearest(lat, lon, limit=5, filters=filters)
            samples.append(time.perf_counter() - started)
        result["in_process_with_filters"] = summary_ms(samples)
        agree = sum(
            [
                r.institution.registration_no
                for r in search.nearest(lat, lon, limit=5, radius_km=300).results
            ]
            == brute_force(items, lat, lon, 5)
            for lat, lon in queries[:200]
        )
        result["matches_brute_force"] = f"{agree}/200"
        result["through_api"] = summary_ms(asyncio.run(api_latency(var, queries[:300])))
        result.update(place_resolution(items))
    result["targets"] = {"in_process_p95_ms": 5, "api_p95_ms": 20}
    print(result)
    print(f"-> {save('nearby', result)}")


if __name__ == "__main__":
    main()
