"""The registry store on a real PostgreSQL server (TUOYU_DATABASE_URL), as deployments run it.

The same code paths as tests/unit/test_registry.py on SQLite: alembic migrations through
FacilityRegistry.open, file imports, upserts, --replace, atomic failure, the revision that
running services poll, nearby search, and `tuoyu registry import`. Each test gets a new
database on one throwaway server (tests/integration/postgres.py).
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import math
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from knowledge_base.registry import store
from knowledge_base.registry.columns import COLUMNS
from knowledge_base.registry.importer import import_registry_file
from knowledge_base.registry.live import LiveRegistry
from knowledge_base.registry.model import Institution
from knowledge_base.registry.nearby import NearbyFilters, NearbySearch
from knowledge_base.registry.places import default_gazetteer
from knowledge_base.registry.reader import parse_file
from knowledge_base.registry.sample import sample_rows
from knowledge_base.registry.store import FacilityRegistry
from knowledge_base.registry.tables import institutions
from tests.integration.postgres import PostgresServer
from tests.unit.test_registry import row

pytestmark = pytest.mark.integration

HEADERS = [zh for _, _, zh, _ in COLUMNS]
FEE = "月收费(元)"
_databases = itertools.count(1)


@pytest.fixture
def database_url(postgres: PostgresServer) -> str:
    """A new, empty database: every test starts from nothing, as a new deployment does."""
    return postgres.create_database(f"registry_{next(_databases)}")


@pytest.fixture
def registry(database_url: str) -> Iterator[FacilityRegistry]:
    opened = FacilityRegistry.open(database_url)
    yield opened
    opened.close()


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """A separate connection to the same database, to look at what the store wrote."""
    connected = sa.create_engine(database_url)
    yield connected
    connected.dispose()


# Hand-written rows beside the generated ones: optional columns empty, Chinese registration
# numbers, a character outside the Basic Multilingual Plane (𠮷), a name of the full width.
HAND_ROWS = [
    row("BJ001"),
    row("BJ002", 空余托位="", 联系电话="", 是否普惠="否", 托育类型="计时托", **{FEE: ""}),
    row("京朝托备2024第017号", 机构名称="𠮷祥宝贝托育中心（望京·分园）", 地址="朝陽區望京街10號"),
    row("BJ-LONG", 机构名称="长" * 300, 纬度="40.05", 经度="116.30"),
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def generated_rows() -> list[list[str]]:
    return sample_rows(default_gazetteer(), count=300, seed=7)


def by_number(items: list[Institution]) -> dict[str, Institution]:
    return {i.registration_no: i for i in items}


def test_migrations_build_the_schema_on_postgresql(
    database_url: str, engine: sa.Engine, registry: FacilityRegistry
) -> None:
    # The store's own path created these tables on the server: not a SQLite file somewhere.
    assert engine.dialect.name == "postgresql"
    assert engine.dialect.driver == "psycopg"
    inspector = sa.inspect(engine)
    assert {"alembic_version", "institutions", "registry_revision"} <= set(
        inspector.get_table_names()
    )
    head = ScriptDirectory(str(Path(store.__file__).parent / "migrations")).get_current_head()
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version()")).scalar_one().startswith("Postgre")
        version = sa.text("SELECT version_num FROM alembic_version")
        assert connection.execute(version).scalars().all() == [head]
    columns = {c["name"]: c["type"] for c in inspector.get_columns("institutions")}
    assert isinstance(columns["inclusive"], sa.Boolean)
    assert isinstance(columns["filed_on"], sa.Date)
    assert isinstance(columns["longitude"], sa.Float)
    updated_at = columns["updated_at"]
    assert isinstance(updated_at, sa.DateTime)
    assert updated_at.timezone
    assert "ix_institutions_district" in {i["name"] for i in inspector.get_indexes("institutions")}
    assert (registry.count(), registry.revision()) == (0, 0)

    FacilityRegistry.open(database_url).close()  # an up-to-date schema is left as it is
    with engine.connect() as connection:
        assert connection.execute(version).scalars().all() == [head]


def test_an_import_stores_every_field_as_read(
    tmp_path: Path, registry: FacilityRegistry, generated_rows: list[list[str]]
) -> None:
    path = write_csv(tmp_path / "registry.csv", generated_rows + HAND_ROWS)
    parsed = parse_file(path)
    assert parsed.problems == []
    report = import_registry_file(path, registry)
    assert report.summary is not None
    assert report.summary.added == len(parsed.institutions) == 304
    assert registry.count() == 304
    assert by_number(registry.all()) == by_number(parsed.institutions)
    hand = registry.get("BJ002")
    assert hand is not None
    assert (hand.vacancies, hand.monthly_fee_yuan, hand.phone) == (None, None, None)
    assert (hand.inclusive, hand.care_modes) == (False, ("计时托",))


def test_chinese_text_round_trips_and_is_queried_on_the_server(
    tmp_path: Path, registry: FacilityRegistry, engine: sa.Engine
) -> None:
    import_registry_file(write_csv(tmp_path / "zh.csv", HAND_ROWS), registry)
    stored = registry.get("京朝托备2024第017号")
    assert stored is not None
    assert stored.name == "𠮷祥宝贝托育中心（望京·分园）"
    assert stored.address == "朝陽區望京街10號"
    assert (stored.district, stored.subdistrict) == ("朝阳区", "望京街道")
    assert stored.care_modes == ("全日托", "半日托")
    long_name = registry.get("BJ-LONG")
    assert long_name is not None
    assert long_name.name == "长" * 300
    with engine.connect() as connection:
        assert connection.execute(sa.text("SHOW server_encoding")).scalar_one() == "UTF8"
        # Widths count characters, not bytes: 300 Chinese characters fit VARCHAR(300).
        length = sa.select(sa.func.char_length(institutions.c.name)).where(
            institutions.c.registration_no == "BJ-LONG"
        )
        assert connection.execute(length).scalar_one() == 300
        matching = sa.select(institutions.c.registration_no).where(
            institutions.c.name.like("%𠮷祥%"), institutions.c.district == "朝阳区"
        )
        assert connection.execute(matching).scalars().all() == ["京朝托备2024第017号"]


def test_reimporting_the_same_file_changes_nothing(
    tmp_path: Path, registry: FacilityRegistry, generated_rows: list[list[str]]
) -> None:
    path = write_csv(tmp_path / "registry.csv", generated_rows + HAND_ROWS)
    import_registry_file(path, registry)
    revision = registry.revision()
    assert revision == 1
    report = import_registry_file(path, registry)
    assert report.summary is not None
    assert (report.summary.added, report.summary.updated, report.summary.unchanged) == (0, 0, 304)
    assert registry.revision() == revision


def test_an_import_updates_changed_rows_and_adds_new_ones(
    tmp_path: Path, registry: FacilityRegistry, engine: sa.Engine
) -> None:
    import_registry_file(write_csv(tmp_path / "a.csv", HAND_ROWS), registry)
    stamps = sa.select(institutions.c.registration_no, institutions.c.updated_at)
    with engine.connect() as connection:
        before = {r.registration_no: r.updated_at for r in connection.execute(stamps)}
    changed = [
        row("BJ001", 空余托位="0", **{FEE: "3200.5"}),
        row("BJ002", 机构名称="更名后的托育园", 托育类型="全日托、临时托"),
        *HAND_ROWS[2:],
        row("BJ003"),
    ]
    report = import_registry_file(write_csv(tmp_path / "b.csv", changed), registry)
    assert report.summary is not None
    assert (report.summary.added, report.summary.updated, report.summary.unchanged) == (1, 2, 2)
    assert registry.revision() == 2
    first, second = registry.get("BJ001"), registry.get("BJ002")
    assert first is not None
    assert second is not None
    assert (first.vacancies, first.monthly_fee_yuan) == (0, 3200.5)
    assert (second.name, second.care_modes) == ("更名后的托育园", ("全日托", "临时托"))
    with engine.connect() as connection:
        after = {r.registration_no: r.updated_at for r in connection.execute(stamps)}
    assert after["BJ001"] > before["BJ001"]
    assert after["BJ-LONG"] == before["BJ-LONG"]
    assert after["BJ001"].tzinfo is not None


def test_replace_marks_missing_institutions_deregistered_and_keeps_them(
    tmp_path: Path, registry: FacilityRegistry
) -> None:
    import_registry_file(write_csv(tmp_path / "a.csv", HAND_ROWS), registry)
    report = import_registry_file(
        write_csv(tmp_path / "b.csv", [row("BJ001", 空余托位="0")]), registry, replace=True
    )
    assert report.summary is not None
    assert (report.summary.updated, report.summary.deregistered) == (1, 3)
    assert [i.registration_no for i in registry.all()] == ["BJ001"]
    assert registry.count() == 1
    kept = registry.get("BJ002")
    assert kept is not None
    assert kept.deregistered
    assert len(registry.all(include_deregistered=True)) == 4
    assert registry.revision() == 2

    # A later file brings one back.
    report = import_registry_file(write_csv(tmp_path / "c.csv", [HAND_ROWS[1]]), registry)
    assert report.summary is not None
    assert report.summary.updated == 1
    back = registry.get("BJ002")
    assert back is not None
    assert not back.deregistered
    assert registry.count() == 2


def test_a_file_with_a_bad_row_imports_nothing_unless_told_to_skip_it(
    tmp_path: Path, registry: FacilityRegistry
) -> None:
    path = write_csv(tmp_path / "mixed.csv", [row("BJ001"), row("BJ002", 托位数="lots")])
    assert not import_registry_file(path, registry).imported
    assert (registry.count(), registry.revision()) == (0, 0)
    report = import_registry_file(path, registry, skip_invalid=True)
    assert report.summary is not None
    assert report.summary.added == 1
    assert [i.registration_no for i in registry.all()] == ["BJ001"]


def test_a_value_wider_than_its_column_is_a_row_problem_not_a_database_error(
    tmp_path: Path, registry: FacilityRegistry
) -> None:
    # PostgreSQL enforces VARCHAR widths (SQLite does not): the check must catch them first.
    rows = [
        row("BJ001"),
        row("B" * 65),
        row("BJ003", 街道乡镇="街" * 65, 联系电话="1" * 65),
        row("BJ004", 托育类型=";".join(["全日托"] * 20)),
    ]
    path = write_csv(tmp_path / "wide.csv", rows)
    report = import_registry_file(path, registry)
    assert not report.imported
    problems = [str(p) for p in report.problems]
    assert problems == [
        "row 3, column registration_no/备案编号: is longer than 64 characters",
        "row 4, column subdistrict/街道乡镇: is longer than 64 characters",
        "row 4, column phone/联系电话: is longer than 64 characters",
    ]
    report = import_registry_file(path, registry, skip_invalid=True)
    assert report.summary is not None
    assert report.summary.added == 2
    repeated = registry.get("BJ004")
    assert repeated is not None
    assert repeated.care_modes == ("全日托",)


def test_a_failure_inside_the_database_leaves_the_registry_unchanged(
    tmp_path: Path, registry: FacilityRegistry, engine: sa.Engine
) -> None:
    import_registry_file(write_csv(tmp_path / "a.csv", HAND_ROWS), registry)
    before = registry.all(include_deregistered=True)
    revision = registry.revision()
    first = registry.get("BJ001")
    assert first is not None
    # Earlier statements succeed; the last one overflows PostgreSQL's INTEGER.
    items = [
        dataclasses.replace(first, vacancies=0),
        dataclasses.replace(first, registration_no="BJ100"),
        dataclasses.replace(first, registration_no="BJ101", capacity=2**40),
    ]
    with pytest.raises(sa.exc.DataError):
        registry.import_institutions(items, replace=True)
    assert registry.all(include_deregistered=True) == before
    assert registry.revision() == revision
    with engine.connect() as connection:
        count = sa.select(sa.func.count()).select_from(institutions)
        assert connection.execute(count).scalar_one() == len(HAND_ROWS)


def test_every_import_bumps_the_revision_even_when_imports_overlap(
    tmp_path: Path, database_url: str, registry: FacilityRegistry
) -> None:
    imports = 8
    rows = [row(f"BJ{n:03d}") for n in range(imports + 1)]
    items = parse_file(write_csv(tmp_path / "r.csv", rows)).institutions
    registry.import_institutions(items[:1])
    together = threading.Barrier(imports)
    failures: list[BaseException] = []

    def import_one(number: int) -> None:
        other = FacilityRegistry(sa.create_engine(database_url))
        try:
            together.wait(timeout=30)
            other.import_institutions(items[number : number + 1])
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)
        finally:
            other.close()

    threads = [threading.Thread(target=import_one, args=(n,)) for n in range(1, imports + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert registry.count() == imports + 1
    assert registry.revision() == imports + 1


def _brute_force(items: list[Institution], lat: float, lon: float) -> list[str]:
    def distance(i: Institution) -> float:
        p1, p2 = math.radians(lat), math.radians(i.latitude)
        dp, dl = p2 - p1, math.radians(i.longitude - lon)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * 6371.0088 * math.asin(math.sqrt(a))

    return [i.registration_no for i in sorted(items, key=distance)]


def test_nearby_search_over_the_stored_registry(
    tmp_path: Path, registry: FacilityRegistry, generated_rows: list[list[str]]
) -> None:
    path = write_csv(tmp_path / "registry.csv", generated_rows + HAND_ROWS)
    import_registry_file(path, registry)
    # A few gone from the registry: they must not be found.
    gone = {r[0] for r in generated_rows[:20]}
    kept_rows = [r for r in generated_rows + HAND_ROWS if r[0] not in gone]
    import_registry_file(write_csv(tmp_path / "kept.csv", kept_rows), registry, replace=True)
    expected = parse_file(write_csv(tmp_path / "expected.csv", kept_rows)).institutions

    search = LiveRegistry(registry, check_every_s=0.0).current()
    assert len(search) == len(expected) == 284
    for lat, lon in [(39.99, 116.47), (39.91, 116.39), (40.22, 116.23), (39.73, 116.34)]:
        answer = search.nearest(lat, lon, limit=5, radius_km=50)
        found = [r.institution.registration_no for r in answer.results]
        assert found == _brute_force(expected, lat, lon)[:5]
        assert not gone & set(found)
    filters = NearbyFilters(inclusive_only=True, age_months=14, has_vacancy=True)
    results = search.nearest(39.95, 116.4, limit=10, filters=filters).results
    assert len(results) == 10
    assert all(
        r.institution.inclusive and r.institution.serves_age(14) and r.institution.vacancies
        for r in results
    )
    assert [r.distance_km for r in results] == sorted(r.distance_km for r in results)
    exact = NearbySearch(expected).nearest(39.95, 116.4, limit=10, filters=filters)
    assert results == exact.results


def tuoyu(args: list[str], database_url: str, var_dir: Path) -> subprocess.CompletedProcess[str]:
    """The command staff run, in its own process, pointed at PostgreSQL by the environment."""
    command = Path(sys.executable).parent / "tuoyu"
    assert command.is_file(), f"{command} is missing: install the project (make setup)"
    env = {**os.environ, "TUOYU_DATABASE_URL": database_url, "TUOYU_VAR_DIR": str(var_dir)}
    return subprocess.run(
        [str(command), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_tuoyu_registry_import_writes_to_postgresql_and_a_running_service_sees_it(
    tmp_path: Path, database_url: str, generated_rows: list[list[str]]
) -> None:
    var_dir = tmp_path / "var"
    service = FacilityRegistry.open(database_url)
    try:
        live = LiveRegistry(service, check_every_s=0.0)
        assert len(live.current()) == 0

        first = write_csv(tmp_path / "registry.csv", generated_rows[:50] + HAND_ROWS)
        done = tuoyu(["registry", "import", str(first)], database_url, var_dir)
        assert done.returncode == 0, done.stderr
        assert (
            "Imported registry.csv: 54 added, 0 updated, 0 unchanged, 0 marked deregistered."
            in done.stdout
        )
        assert len(live.current()) == 54
        matches = live.registration_check().check("𠮷祥宝贝托育中心")
        assert matches[0].institution.registration_no == "京朝托备2024第017号"

        second = write_csv(tmp_path / "whole.csv", generated_rows[:50])
        done = tuoyu(["registry", "import", "--replace", str(second)], database_url, var_dir)
        assert done.returncode == 0, done.stderr
        assert "0 added, 0 updated, 50 unchanged, 4 marked deregistered" in done.stdout
        assert len(live.current()) == 50
        revision = service.revision()

        bad = write_csv(tmp_path / "bad.csv", [row("BJ900"), row("BJ901", 所属区="火星区")])
        done = tuoyu(["registry", "import", str(bad)], database_url, var_dir)
        assert done.returncode == 1
        assert "row 3, column district/所属区" in done.stdout
        assert "nothing was imported" in done.stderr
        assert service.revision() == revision
        assert service.get("BJ900") is None
    finally:
        service.close()
    # Nothing fell back to the default SQLite registry under var/.
    assert not list(var_dir.glob("*.sqlite3"))
