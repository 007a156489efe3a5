"""Retrieval quality on the dev set with the real model and index: a floor, not the target.

The figures to report come from `python -m benchmarks.retrieval`; this test only stops a
change that makes search clearly worse from passing.
"""

from __future__ import annotations

import pytest

from actions.composition import build_services
from benchmarks.retrieval import load_dev_set
from bot.settings import Settings

pytestmark = pytest.mark.integration


def test_dev_set_recall_stays_above_its_floor() -> None:
    settings = Settings.from_env()
    guidance = build_services(settings).guidance
    data = load_dev_set(settings.project_dir / "benchmarks" / "data")
    assert len(data["answered"]) >= 150
    top1 = top3 = 0
    for question, gold in data["answered"].items():
        ids = [hit.entry.id for hit in guidance._search.search(question, limit=3)]
        top1 += ids[0] == gold
        top3 += gold in ids
    n = len(data["answered"])
    assert top1 / n >= 0.83
    assert top3 / n >= 0.94
