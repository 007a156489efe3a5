from __future__ import annotations

from pathlib import Path

from knowledge_base.registry.importer import import_registry_file
from knowledge_base.registry.model import DISTRICTS
from knowledge_base.registry.places import default_gazetteer
from knowledge_base.registry.sample import sample_rows, write_sample_csv
from knowledge_base.registry.store import FacilityRegistry, sqlite_url


def test_sample_is_deterministic_labelled_and_imports_cleanly(tmp_path: Path) -> None:
    gazetteer = default_gazetteer()
    assert sample_rows(gazetteer, 50) == sample_rows(gazetteer, 50)
    path = write_sample_csv(tmp_path / "sample.csv", gazetteer)
    registry = FacilityRegistry.open(sqlite_url(tmp_path / "r.sqlite3"))
    report = import_registry_file(path, registry)
    assert report.problems == []
    items = registry.all()
    assert len(items) == 1500
    assert all(i.name.startswith("示例") and i.registration_no.startswith("SAMPLE-") for i in items)
    assert {i.district for i in items} >= set(DISTRICTS.values()) - {"北京经济技术开发区"}
    share = sum(i.inclusive for i in items) / len(items)
    assert 0.5 < share < 0.8
