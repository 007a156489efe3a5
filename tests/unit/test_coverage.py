from __future__ import annotations

from pathlib import Path

from knowledge_base.registry.coverage import district_coverage
from knowledge_base.registry.places import default_gazetteer
from knowledge_base.registry.reader import parse_file
from tests.unit.test_registry import row, write_csv


def test_district_coverage_against_the_plan(tmp_path: Path) -> None:
    rows = [
        row("BJ1", 所属区="东城区", 街道乡镇="东华门街道", 托位数="1000", 是否普惠="是"),
        row("BJ2", 所属区="东城区", 街道乡镇="景山街道", 托位数="500", 是否普惠="否"),
    ]
    items = parse_file(write_csv(tmp_path / "r.csv", rows)).institutions
    by_district = {c.district: c for c in district_coverage(items, default_gazetteer())}
    dongcheng = by_district["东城区"]
    assert dongcheng.places == 1500
    assert dongcheng.inclusive_share == round(1000 / 1500, 3)
    assert dongcheng.population
    assert dongcheng.places_per_1000 == round(1500 / dongcheng.population * 1000, 2)
    assert dongcheng.meets_inclusive_target is True
    assert "东华门街道" not in dongcheng.subdistricts_without_inclusive
    assert "景山街道" in dongcheng.subdistricts_without_inclusive
    assert by_district["海淀区"].places == 0
    assert by_district["海淀区"].inclusive_share is None
