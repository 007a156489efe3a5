from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import pytest

from knowledge_base.registry.importer import import_registry_file
from knowledge_base.registry.nearby import NearbyFilters, NearbySearch
from knowledge_base.registry.reader import RegistryFileError, parse_file
from knowledge_base.registry.store import FacilityRegistry, sqlite_url

ZH_HEADERS = [
    "备案编号", "机构名称", "所属区", "街道乡镇", "地址", "经度", "纬度", "机构类型", "是否普惠",
    "托育类型", "最小月龄", "最大月龄", "托位数", "空余托位", "月收费(元)", "联系电话", "备案日期",
]  # fmt: skip


def row(number: str, **overrides: str) -> list[str]:
    values = {
        "备案编号": number, "机构名称": f"示例托育园{number}", "所属区": "朝阳区",
        "街道乡镇": "望京街道", "地址": "望京西路1号", "经度": "116.47", "纬度": "39.99",
        "机构类型": "托育机构", "是否普惠": "是", "托育类型": "全日托;半日托", "最小月龄": "12",
        "最大月龄": "36", "托位数": "60", "空余托位": "5", "月收费(元)": "3000",
        "联系电话": "010-12345678", "备案日期": "2024-03-01",
    }  # fmt: skip
    values.update(overrides)
    return [values[h] for h in ZH_HEADERS]


def write_csv(path: Path, rows: list[list[str]], headers: list[str] = ZH_HEADERS) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


@pytest.fixture
def registry(tmp_path: Path) -> FacilityRegistry:
    return FacilityRegistry.open(sqlite_url(tmp_path / "registry.sqlite3"))


def test_chinese_headers_with_bom_are_read(tmp_path: Path) -> None:
    parsed = parse_file(write_csv(tmp_path / "r.csv", [row("BJ001"), row("BJ002")]))
    assert parsed.problems == []
    first = parsed.institutions[0]
    assert first.registration_no == "BJ001"
    assert first.care_modes == ("全日托", "半日托")
    assert first.inclusive is True
    assert first.monthly_fee_yuan == 3000


def test_english_headers_in_any_order(tmp_path: Path) -> None:
    english = [
        "registration_no", "name", "district", "subdistrict", "address", "longitude",
        "latitude", "provider_type", "inclusive", "care_modes", "min_age_months",
        "max_age_months", "capacity", "vacancies", "monthly_fee_yuan", "phone", "filed_on",
    ]  # fmt: skip
    order = list(reversed(range(len(english))))
    values = row("BJ009", 是否普惠="false", 所属区="海淀")
    path = write_csv(tmp_path / "en.csv", [[values[i] for i in order]], [english[i] for i in order])
    [institution] = parse_file(path).institutions
    assert institution.inclusive is False
    assert institution.district == "海淀区"


def test_bad_rows_are_reported_by_row_and_column(tmp_path: Path) -> None:
    rows = [
        row("BJ001"),
        row("BJ002", 所属区="火星区", 纬度="139.9", 托育类型="全日托、夜托"),
        row("BJ003", 最小月龄="30", 最大月龄="12", 备案日期="2024/13/45"),
        row("BJ001"),
    ]
    problems = [str(p) for p in parse_file(write_csv(tmp_path / "bad.csv", rows)).problems]
    assert (
        "row 3, column district/所属区: is not one of Beijing's 16 districts or 北京经济技术开发区"
        in problems
    )
    assert any(p.startswith("row 3, column latitude/纬度: 139.9 is outside") for p in problems)
    assert any(p.startswith("row 3, column care_modes/托育类型: unknown 夜托") for p in problems)
    assert any(p.startswith("row 4, column max_age_months/最大月龄") for p in problems)
    assert any(p.startswith("row 4, column filed_on/备案日期") for p in problems)
    assert any(
        p.startswith("row 5, column registration_no/备案编号: BJ001 already") for p in problems
    )


def test_without_skip_invalid_nothing_is_imported(
    tmp_path: Path, registry: FacilityRegistry
) -> None:
    path = write_csv(tmp_path / "mixed.csv", [row("BJ001"), row("BJ002", 托位数="lots")])
    report = import_registry_file(path, registry)
    assert not report.imported
    assert registry.count() == 0


def test_skip_invalid_imports_good_rows_and_writes_rejects(
    tmp_path: Path, registry: FacilityRegistry
) -> None:
    path = write_csv(tmp_path / "mixed.csv", [row("BJ001"), row("BJ002", 托位数="lots")])
    report = import_registry_file(path, registry, skip_invalid=True)
    assert report.summary is not None
    assert report.summary.added == 1
    assert report.rejects_file is not None
    rejects = report.rejects_file.read_text("utf-8-sig")
    assert "BJ002" in rejects
    assert "'lots' is not a number" in rejects


def test_reimporting_the_same_file_changes_nothing(
    tmp_path: Path, registry: FacilityRegistry
) -> None:
    path = write_csv(tmp_path / "r.csv", [row("BJ001"), row("BJ002")])
    import_registry_file(path, registry)
    revision = registry.revision()
    report = import_registry_file(path, registry)
    assert report.summary is not None
    assert (report.summary.added, report.summary.updated, report.summary.unchanged) == (0, 0, 2)
    assert registry.revision() == revision


def test_replace_marks_missing_institutions_deregistered_and_keeps_them(
    tmp_path: Path, registry: FacilityRegistry
) -> None:
    import_registry_file(write_csv(tmp_path / "a.csv", [row("BJ001"), row("BJ002")]), registry)
    report = import_registry_file(
        write_csv(tmp_path / "b.csv", [row("BJ001", 空余托位="0")]), registry, replace=True
    )
    assert report.summary is not None
    assert (report.summary.updated, report.summary.deregistered) == (1, 1)
    assert [i.registration_no for i in registry.all()] == ["BJ001"]
    kept = registry.get("BJ002")
    assert kept is not None
    assert kept.deregistered


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("binary.csv", b"\x00\x01\x02garbage", "not a CSV file"),
        ("undecodable.csv", b"\x80\xff\x80\xff", "neither UTF-8 nor GBK"),
        ("notes.txt", b"hello", "not supported"),
        ("headers.csv", "备案编号,机构名称\nBJ1,x\n".encode(), "missing required columns"),
    ],
)
def test_unreadable_files_get_a_clear_message(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RegistryFileError, match=message):
        parse_file(path)


def test_xlsx_files_are_read(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(ZH_HEADERS)
    values: list[object] = list(row("BJ100"))
    values[5], values[6], values[10] = 116.47, 39.99, 12  # numbers as Excel stores them
    sheet.append(values)
    workbook.save(tmp_path / "r.xlsx")
    [institution] = parse_file(tmp_path / "r.xlsx").institutions
    assert institution.min_age_months == 12


def _brute_force(search_items: list, lat: float, lon: float) -> list[str]:  # type: ignore[type-arg]
    def distance(i) -> float:  # type: ignore[no-untyped-def]
        p1, p2 = math.radians(lat), math.radians(i.latitude)
        dp, dl = p2 - p1, math.radians(i.longitude - lon)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * 6371.0088 * math.asin(math.sqrt(a))

    return [i.registration_no for i in sorted(search_items, key=distance)]


def test_nearby_matches_a_brute_force_haversine_and_applies_filters(tmp_path: Path) -> None:
    rng = random.Random(4)
    rows = [
        row(
            f"BJ{n:04d}",
            经度=f"{116.2 + rng.random() * 0.4:.5f}",
            纬度=f"{39.8 + rng.random() * 0.3:.5f}",
            是否普惠=rng.choice(["是", "否"]),
            最小月龄=str(rng.choice([6, 12, 18, 24])),
            空余托位=str(rng.choice([0, 3])),
        )
        for n in range(300)
    ]
    items = parse_file(write_csv(tmp_path / "many.csv", rows)).institutions
    search = NearbySearch(items)
    for _ in range(20):
        lat, lon = 39.8 + rng.random() * 0.3, 116.2 + rng.random() * 0.4
        answer = search.nearest(lat, lon, limit=5, radius_km=50)
        assert [r.institution.registration_no for r in answer.results] == _brute_force(
            items, lat, lon
        )[:5]
    filters = NearbyFilters(inclusive_only=True, age_months=14, has_vacancy=True)
    results = search.nearest(39.95, 116.4, limit=10, filters=filters).results
    assert results
    assert all(
        r.institution.inclusive and r.institution.serves_age(14) and r.institution.vacancies
        for r in results
    )
    distances = [r.distance_km for r in results]
    assert distances == sorted(distances)


def test_nearby_widens_the_radius_when_too_few_match(tmp_path: Path) -> None:
    far = row("BJ777", 经度="116.60", 纬度="40.10")
    search = NearbySearch(parse_file(write_csv(tmp_path / "far.csv", [far])).institutions)
    answer = search.nearest(39.90, 116.40, limit=1, radius_km=1)
    assert answer.widened
    assert answer.results[0].distance_km > 1
    assert not search.nearest(39.90, 116.40, limit=1, radius_km=1, widen=False).results


def test_a_running_service_sees_an_import_without_restarting(
    tmp_path: Path, registry: FacilityRegistry
) -> None:
    from knowledge_base.registry.live import LiveRegistry

    live = LiveRegistry(registry, check_every_s=0.0)
    assert len(live.current()) == 0
    other_process = FacilityRegistry.open(sqlite_url(tmp_path / "registry.sqlite3"))
    import_registry_file(write_csv(tmp_path / "r.csv", [row("BJ001"), row("BJ002")]), other_process)
    assert len(live.current()) == 2
    import_registry_file(
        write_csv(tmp_path / "r2.csv", [row("BJ001")]), other_process, replace=True
    )
    assert len(live.current()) == 1


def test_headers_as_other_systems_write_them_are_understood(
    tmp_path: Path, registry: FacilityRegistry
) -> None:
    headers = [
        "备案号", "机构名称", "所在区", "街道（乡镇）", "机构地址", "经度", "纬度", "机构类型",
        "是否普惠", "托育类型", "最小月龄", "最大月龄", "托位数（个）", "空余托位", "月收费（元）",
        "联系方式", "备案时间",
    ]  # fmt: skip
    path = write_csv(tmp_path / "export.csv", [row("BJ001")], headers=headers)
    report = import_registry_file(path, registry)
    assert report.imported
    stored = registry.get("BJ001")
    assert stored is not None
    assert stored.monthly_fee_yuan == 3000
    assert stored.phone == "010-12345678"


@pytest.mark.parametrize("written", ["2024/3/1", "2024.03.01", "2024年3月1日", "20240301", "45352"])
def test_filing_dates_in_the_usual_spellings(
    tmp_path: Path, registry: FacilityRegistry, written: str
) -> None:
    path = write_csv(tmp_path / "dates.csv", [row("BJ001", 备案日期=written)])
    assert import_registry_file(path, registry).imported
    stored = registry.get("BJ001")
    assert stored is not None
    assert stored.filed_on.isoformat() == "2024-03-01"


@pytest.mark.parametrize(
    ("written", "problem"),
    [("2024-02-30", "is not a date"), ("3月1日", "is not a date"), ("2999-01-01", "in the future")],
)
def test_impossible_filing_dates_are_row_errors(
    tmp_path: Path, registry: FacilityRegistry, written: str, problem: str
) -> None:
    path = write_csv(tmp_path / "dates.csv", [row("BJ001", 备案日期=written)])
    report = import_registry_file(path, registry)
    assert not report.imported
    assert any(
        "row 2, column filed_on/备案日期" in str(p) and problem in str(p) for p in report.problems
    ), report.problems


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16"])
def test_csv_as_chinese_excel_saves_it_is_read(
    tmp_path: Path, registry: FacilityRegistry, encoding: str
) -> None:
    path = tmp_path / f"{encoding}.csv"
    lines = [",".join(ZH_HEADERS), ",".join(row("BJ001", 机构名称="朝阳区望京示例托育园"))]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    report = import_registry_file(path, registry)
    assert report.problems == []
    stored = registry.get("BJ001")
    assert stored is not None
    assert stored.name == "朝阳区望京示例托育园"


@pytest.mark.parametrize("number_header", ["备案编号", "备案号", "registration_no", "备案编码"])
def test_replace_with_skip_invalid_keeps_a_rejected_rows_institution(
    tmp_path: Path, registry: FacilityRegistry, number_header: str
) -> None:
    headers = [number_header if h == "备案编号" else h for h in ZH_HEADERS]
    import_registry_file(write_csv(tmp_path / "a.csv", [row("BJ001"), row("BJ002")]), registry)
    again = write_csv(tmp_path / "b.csv", [row("BJ001"), row("BJ002", 托位数="lots")], headers)
    report = import_registry_file(again, registry, replace=True, skip_invalid=True)
    assert report.summary is not None
    assert report.summary.deregistered == 0
    kept = registry.get("BJ002")
    assert kept is not None
    assert not kept.deregistered
