"""Small helpers shared by the benchmark scripts."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from bot.settings import Settings


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary_ms(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
        "mean_ms": round(statistics.fmean(ms), 1),
    }


def results_dir() -> Path:
    path = Settings.from_env().var_dir / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(name: str, result: dict[str, Any]) -> Path:
    path = results_dir() / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False), "utf-8")
    return path
